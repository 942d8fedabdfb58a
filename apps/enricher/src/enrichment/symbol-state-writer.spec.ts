import type { SymbolStateView } from './enrichment-engine.service';
import type { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CoalescingSymbolStateWriter,
  SymbolStateWriter,
  type SymbolStateWriteObserver,
  type SymbolStateWriteResult,
} from './symbol-state-writer';

const view = (symbol: string, lastEventTime: number): SymbolStateView => ({
  symbol,
  lastEventTime,
  lastPrice: 100 + lastEventTime / 1_000,
  previousClose: 100,
  previousCloseDate: '2012-06-20',
  changePercent: lastEventTime / 1_000,
  bidPrice: null,
  askPrice: null,
  bidSize: null,
  askSize: null,
});

/** A SymbolStateWriter stand-in whose writes finish (or fail) when the test says so. */
class ControlledWriter {
  readonly calls: { views: readonly SymbolStateView[]; settle: (error?: Error) => void }[] = [];

  write(views: readonly SymbolStateView[]): Promise<SymbolStateWriteResult> {
    return new Promise((resolve, reject) => {
      this.calls.push({
        views,
        settle: (error) => (error ? reject(error) : resolve({ written: views.length, stale: 0 })),
      });
    });
  }

  async nextCall(
    index: number,
  ): Promise<{ views: readonly SymbolStateView[]; settle: (error?: Error) => void }> {
    const deadline = Date.now() + 5_000;
    while (!this.calls[index]) {
      if (Date.now() > deadline) throw new Error(`write #${index} never started`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.calls[index];
  }
}

function recordingObserver() {
  const events = {
    written: 0,
    failed: [] as { views: number; retryInMs: number }[],
    pending: [] as number[],
  };
  const observer: SymbolStateWriteObserver = {
    written: (result) => (events.written += result.written),
    failed: (_error, views, retryInMs) => events.failed.push({ views, retryInMs }),
    pendingChanged: (count) => events.pending.push(count),
  };
  return { events, observer };
}

const byEventTime = (views: readonly SymbolStateView[]) =>
  [...views].sort((a, b) => a.symbol.localeCompare(b.symbol)).map((v) => [v.symbol, v.lastEventTime]);

describe('CoalescingSymbolStateWriter', () => {
  it('returns at once, keeps one write in flight and coalesces later views to the latest per symbol', async () => {
    const writer = new ControlledWriter();
    const { events, observer } = recordingObserver();
    const background = new CoalescingSymbolStateWriter(writer, observer);

    background.enqueue([view('AAPL', 1_000)]);
    const first = await writer.nextCall(0);
    background.enqueue([view('AAPL', 2_000), view('MSFT', 1_500)]);
    background.enqueue([view('AAPL', 3_000)]);
    background.enqueue([view('AAPL', 2_500)]); // older than the queued view: ignored
    expect(writer.calls).toHaveLength(1);
    expect(background.pendingCount).toBe(3); // AAPL in flight, AAPL and MSFT queued

    first.settle();
    const second = await writer.nextCall(1);
    expect(byEventTime(second.views)).toEqual([
      ['AAPL', 3_000],
      ['MSFT', 1_500],
    ]);
    second.settle();
    expect(await background.drain(1_000)).toEqual([]);
    expect(background.pendingCount).toBe(0);
    expect(events.written).toBe(3);
    expect(events.pending.at(-1)).toBe(0);
    expect(writer.calls).toHaveLength(2);
  });

  it('paces writes: the next starts minIntervalMs after the previous started, with the latest views; drain does not wait', async () => {
    const writer = new ControlledWriter();
    const { observer } = recordingObserver();
    const background = new CoalescingSymbolStateWriter(writer, observer, undefined, 300);

    background.enqueue([view('AAPL', 1_000)]);
    const first = await writer.nextCall(0);
    const firstAt = performance.now();
    first.settle();
    background.enqueue([view('AAPL', 2_000), view('MSFT', 2_000)]);
    background.enqueue([view('AAPL', 3_000)]);
    const second = await writer.nextCall(1);
    expect(performance.now() - firstAt).toBeGreaterThanOrEqual(290);
    expect(byEventTime(second.views)).toEqual([
      ['AAPL', 3_000],
      ['MSFT', 2_000],
    ]);
    second.settle();

    // Inside the next interval a drain writes at once.
    background.enqueue([view('AAPL', 4_000)]);
    const drainedAt = performance.now();
    const drained = background.drain(5_000);
    (await writer.nextCall(2)).settle();
    expect(await drained).toEqual([]);
    expect(performance.now() - drainedAt).toBeLessThan(250);
  });

  it('keeps failed views pending and retries them after a doubling delay; a newer view wins', async () => {
    const writer = new ControlledWriter();
    const { events, observer } = recordingObserver();
    const background = new CoalescingSymbolStateWriter(writer, observer, {
      firstRetryMs: 20,
      maxRetryMs: 30,
    });

    background.enqueue([view('AAPL', 1_000), view('MSFT', 1_000)]);
    const first = await writer.nextCall(0);
    background.enqueue([view('AAPL', 2_000)]); // taken while the failing write is in flight
    first.settle(new Error('ProvisionedThroughputExceededException'));
    const second = await writer.nextCall(1);
    expect(byEventTime(second.views)).toEqual([
      ['AAPL', 2_000],
      ['MSFT', 1_000],
    ]);
    second.settle(new Error('still failing'));
    const third = await writer.nextCall(2);
    expect(byEventTime(third.views)).toEqual(byEventTime(second.views));
    third.settle();
    expect(await background.drain(1_000)).toEqual([]);
    expect(events.failed).toEqual([
      { views: 2, retryInMs: 20 },
      { views: 2, retryInMs: 30 },
    ]);
    expect(events.written).toBe(2);
  });

  it('drain waits for the queued and in-flight writes, retrying at once instead of after the delay', async () => {
    const writer = new ControlledWriter();
    const { observer } = recordingObserver();
    const background = new CoalescingSymbolStateWriter(writer, observer, {
      firstRetryMs: 60_000,
      maxRetryMs: 60_000,
    });
    background.enqueue([view('AAPL', 1_000)]);
    (await writer.nextCall(0)).settle(new Error('DynamoDB down'));
    // The retry is a minute away; drain must not wait for it.
    const started = Date.now();
    const drained = background.drain(5_000);
    (await writer.nextCall(1)).settle();
    expect(await drained).toEqual([]);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('drain gives up at its deadline and names the symbols left unwritten', async () => {
    let down = true;
    const failing = {
      write: (views: readonly SymbolStateView[]): Promise<SymbolStateWriteResult> =>
        down
          ? Promise.reject(new Error('DynamoDB down'))
          : Promise.resolve({ written: views.length, stale: 0 }),
    };
    const { events, observer } = recordingObserver();
    const background = new CoalescingSymbolStateWriter(failing, observer);
    background.enqueue([view('AAPL', 1_000), view('MSFT', 1_000)]);
    expect((await background.drain(700)).sort()).toEqual(['AAPL', 'MSFT']);
    // Retried every 200 ms while draining, not once a second.
    expect(events.failed.length).toBeGreaterThanOrEqual(3);
    expect(background.pendingCount).toBe(2);
    // Nothing was dropped: once DynamoDB answers, the same views are written.
    down = false;
    expect(await background.drain(5_000)).toEqual([]);
    expect(events.written).toBe(2);
  });
});

describe('SymbolStateWriter', () => {
  it('writes halted with the snapshot attributes and leaves out unknown ones', async () => {
    const sent: UpdateItemCommand[] = [];
    const client = { send: async (command: UpdateItemCommand) => void sent.push(command) } as unknown as DynamoDBClient;
    const writer = new SymbolStateWriter(client, 'symbol-state', () => 5_000);
    await writer.write([{ ...view('AAPL', 1_000), halted: true }, view('MSFT', 2_000)]);
    const [aapl, msft] = sent.map((command) => command.input);
    expect(aapl?.ExpressionAttributeValues).toMatchObject({ ':halted': { BOOL: true }, ':lastEventTime': { N: '1000' }, ':updatedAt': { N: '5000' } });
    expect(aapl?.UpdateExpression).toContain('#halted = :halted');
    expect(aapl?.ExpressionAttributeValues).not.toHaveProperty(':bidPrice');
    expect(msft?.ExpressionAttributeValues).not.toHaveProperty(':halted');
  });
});
