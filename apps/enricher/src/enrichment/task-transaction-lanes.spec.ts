import type { OutgoingRecord, ProducerTransaction } from '@tickwire/kafka';
import { type LaneCommitted, type LaneOffset, TaskTransactionLanes } from './task-transaction-lanes';

const CHANGELOG = 'changelog';

/**
 * A controllable transaction port: records every send and offset commit of each transaction; a
 * transaction's body runs at once, and the transaction ends (commits, or fails) when the test says.
 */
function fakeTransactions() {
  interface Call {
    task: number;
    slot: number;
    sends: string[][];
    offsets: LaneOffset[];
    group: string | null;
    bodyDone: boolean;
    committed: boolean;
    commit: () => void;
    fail: (error: Error) => void;
  }
  const calls: Call[] = [];
  let failNextSend: Error | null = null;
  const run = async (task: number, slot: number, body: (tx: ProducerTransaction) => Promise<void>) => {
    let release!: () => void;
    let reject!: (error: Error) => void;
    const outcome = new Promise<void>((resolve, fail) => {
      release = resolve;
      reject = fail;
    });
    const call: Call = {
      task,
      slot,
      sends: [],
      offsets: [],
      group: null,
      bodyDone: false,
      committed: false,
      commit: release,
      fail: reject,
    };
    calls.push(call);
    const tx: ProducerTransaction = {
      sendBatch: async (records: readonly OutgoingRecord[]) => {
        if (failNextSend) {
          const error = failNextSend;
          failNextSend = null;
          throw error;
        }
        call.sends.push(records.map((record) => `${record.topic === CHANGELOG ? 'cl:' : ''}${String(record.value)}`));
      },
      sendOffsets: async ({ consumerGroupId, offsets }) => {
        call.group = consumerGroupId;
        call.offsets.push(...offsets);
      },
    };
    await body(tx);
    call.bodyDone = true;
    await outcome;
    call.committed = true;
  };
  return { calls, run, failSend: (error: Error) => (failNextSend = error) };
}

const tick = async (times = 3) => {
  for (let i = 0; i < times; i += 1) await new Promise((resolve) => setImmediate(resolve));
};
const work = (value: string, offset?: LaneOffset, changed?: string) => ({
  records: [{ topic: 'out', key: 'k', value }],
  ...(changed ? { changed: [changed] } : {}),
  offsets: offset ? [offset] : [],
});
/** The seal port: the changelog of the detached symbols, valued with the latest work seen. */
let state = new Map<string, string>();
const seal = async (_task: number, detach: () => ReadonlySet<string>) =>
  [...detach()].map((symbol) => ({ topic: CHANGELOG, key: symbol, value: `${symbol}@${state.get(symbol) ?? '?'}` }));
const trades = (partition: number, offset: string): LaneOffset => ({ topic: 'trades', partition, offset });
const quotes = (partition: number, offset: string): LaneOffset => ({ topic: 'quotes', partition, offset });
const lanesOf = (
  run: ConstructorParameters<typeof TaskTransactionLanes>[0],
  commitIntervalMs: number,
  hooks: ConstructorParameters<typeof TaskTransactionLanes>[2] = { failed: () => undefined },
  slots = 1,
) =>
  new TaskTransactionLanes(run, { commitIntervalMs, consumerGroupId: () => 'enricher', slots, seal }, hooks);

describe('TaskTransactionLanes (an open transaction per task, sends at once, commit on an interval)', () => {
  it('refuses a slot count below 1', () => {
    expect(() => lanesOf(fakeTransactions().run, 100, { failed: () => undefined }, 0)).toThrow(RangeError);
  });

  afterEach(() => jest.useRealTimers());
  beforeEach(() => (state = new Map()));

  it('sends each work as soon as it is enqueued, before the transaction commits', async () => {
    const { calls, run } = fakeTransactions();
    const lanes = lanesOf(run, 60_000);
    void lanes.enqueue(0, work('a', trades(0, '5')));
    await tick();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.sends).toEqual([['a']]);
    void lanes.enqueue(0, work('b', quotes(0, '2')));
    await tick();
    // Same open transaction, second send; nothing committed, no offsets yet.
    expect(calls).toHaveLength(1);
    expect(calls[0]!.sends).toEqual([['a'], ['b']]);
    expect(calls[0]!.bodyDone).toBe(false);
    expect(calls[0]!.offsets).toEqual([]);
    const drained = lanes.drain();
    await tick();
    calls[0]!.commit();
    await drained;
  });

  it('commits at the interval: the latest changelog record per key, then one position per partition', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    const { calls, run } = fakeTransactions();
    const observed: LaneCommitted[] = [];
    const lanes = lanesOf(run, 100, { failed: () => undefined, committed: (o) => observed.push(o) });
    const committed: string[] = [];
    const first = lanes.enqueue(0, { ...work('1', trades(0, '10'), 'AAPL'), onCommitted: () => committed.push('1') });
    const second = lanes.enqueue(0, { ...work('2', quotes(0, '4'), 'AAPL'), onCommitted: () => committed.push('2') });
    state.set('AAPL', '2');
    await tick();
    const third = lanes.enqueue(0, { ...work('3', trades(0, '12'), 'MSFT'), onCommitted: () => committed.push('3') });
    state.set('MSFT', '3');
    await tick();
    expect(calls[0]!.bodyDone).toBe(false);
    jest.advanceTimersByTime(100);
    await tick();
    expect(calls).toHaveLength(1);
    const [call] = calls;
    // Outputs at once, then at the commit the changelog of the changed symbols, snapshotted at the seal.
    expect(call!.sends).toEqual([['1', '2'], ['3'], ['cl:AAPL@2', 'cl:MSFT@3']]);
    expect(call!.offsets).toEqual([trades(0, '12'), quotes(0, '4')]);
    expect(call!.group).toBe('enricher');
    expect(call!.bodyDone).toBe(true);
    expect(committed).toEqual([]);
    call!.commit();
    await Promise.all([first, second, third]);
    expect(committed).toEqual(['1', '2', '3']);
    expect(observed).toEqual([expect.objectContaining({ task: 0, records: 5, withOffsets: true })]);
  });

  it('opens the next transaction for work enqueued while one commits, and runs tasks concurrently', async () => {
    const { calls, run } = fakeTransactions();
    const lanes = lanesOf(run, 0);
    const a = lanes.enqueue(0, work('a', trades(0, '1')));
    const x = lanes.enqueue(1, work('x', trades(1, '1')));
    await tick();
    expect(calls.map((call) => [call.task, call.bodyDone])).toEqual([
      [0, true],
      [1, true],
    ]);
    const b = lanes.enqueue(0, work('b', trades(0, '2')));
    await tick();
    // Task 0's first transaction is committing: b waits for the next one.
    expect(calls).toHaveLength(2);
    calls[0]!.commit();
    await a;
    await tick();
    expect(calls).toHaveLength(3);
    expect(calls[2]!.sends).toEqual([['b']]);
    calls[2]!.commit();
    calls[1]!.commit();
    await Promise.all([b, x]);
    await tick();
    expect(lanes.outstanding).toBe(0);
  });

  it('with two slots, the next transaction sends while the previous commits, and commits after it', async () => {
    const { calls, run } = fakeTransactions();
    const lanes = lanesOf(run, 0, { failed: () => undefined }, 2);
    const a = lanes.enqueue(0, work('a', trades(0, '1'), 'AAPL'));
    await tick();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ slot: 0, sends: [['a'], ['cl:AAPL@?']], bodyDone: true, committed: false });
    // The first transaction is committing: the next one opens on slot 1 and sends at once...
    const b = lanes.enqueue(0, work('b', trades(0, '2'), 'AAPL'));
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ slot: 1, sends: [['b']], offsets: [], bodyDone: false });
    // ... and writes its changelog and offsets only once the first one committed.
    calls[0]!.commit();
    await a;
    await tick();
    expect(calls[1]).toMatchObject({ sends: [['b'], ['cl:AAPL@?']], offsets: [trades(0, '2')], bodyDone: true });
    // A third transaction runs on slot 0 again (free now).
    const c = lanes.enqueue(0, work('c', trades(0, '3')));
    await tick();
    expect(calls[2]).toMatchObject({ slot: 0, sends: [['c']] });
    calls[1]!.commit();
    calls[2]!.commit();
    await Promise.all([b, c]);
  });

  it('with two slots, a transaction sending while the previous one commits fails when that fails', async () => {
    const { calls, run } = fakeTransactions();
    const failed: number[] = [];
    const lanes = lanesOf(run, 0, { failed: (task) => failed.push(task) }, 2);
    const a = lanes.enqueue(0, work('a', trades(0, '1')));
    await tick();
    const b = lanes.enqueue(0, work('b', trades(0, '2')));
    await tick();
    expect(calls[1]!.sends).toEqual([['b']]);
    calls[0]!.fail(new Error('fenced'));
    await expect(a).rejects.toThrow('fenced');
    await expect(b).rejects.toThrow('fenced');
    // The second never wrote its offsets (its body threw: the transaction aborts).
    expect(calls[1]).toMatchObject({ offsets: [], bodyDone: false });
    expect(failed).toEqual([0, 0]);
  });

  it('drain commits open transactions at once', async () => {
    const { calls, run } = fakeTransactions();
    const lanes = lanesOf(run, 60_000);
    const a = lanes.enqueue(0, work('a', trades(0, '1')));
    await tick();
    expect(calls[0]!.bodyDone).toBe(false);
    const drained = lanes.drain();
    await tick();
    expect(calls[0]!.bodyDone).toBe(true);
    calls[0]!.commit();
    await drained;
    await a;
    expect(lanes.outstanding).toBe(0);
  });

  it('fails every later work of a failed task (built on its state) until reset, and no other task', async () => {
    const { calls, run, failSend } = fakeTransactions();
    const failed: number[] = [];
    const lanes = lanesOf(run, 60_000, { failed: (task) => failed.push(task) });
    const onCommitted = jest.fn();
    const first = lanes.enqueue(0, work('1', trades(0, '1')));
    const other = lanes.enqueue(1, work('x', trades(1, '1')));
    await tick();
    failSend(new Error('fenced'));
    const second = lanes.enqueue(0, { ...work('2', trades(0, '2')), onCommitted });
    await expect(first).rejects.toThrow('fenced');
    await expect(second).rejects.toThrow('fenced');
    expect(onCommitted).not.toHaveBeenCalled();
    expect(failed).toEqual([0]);

    // Built on the failed state: fails without being sent.
    const third = lanes.enqueue(0, work('3', trades(0, '3')));
    await expect(third).rejects.toThrow('fenced');
    expect(calls.filter((call) => call.task === 0)).toHaveLength(1);

    const drained = lanes.drain();
    await tick();
    calls.find((call) => call.task === 1)!.commit();
    await drained;
    await other;
    lanes.reset();
    const fourth = lanes.enqueue(0, work('4', trades(0, '3')));
    await tick();
    const committing = lanes.drain();
    await tick();
    expect(calls[calls.length - 1]!.sends).toEqual([['4']]);
    calls[calls.length - 1]!.commit();
    await committing;
    await fourth;
  });
});
