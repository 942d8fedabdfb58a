import { GOLDEN_FIXTURES, type TradeV1Event } from '@tickwire/contracts';
import type { MonotonicClock } from '../core/clock';
import { IterableSource } from '../core/iterable-source';
import { eventRecord, rejectedRecord, type SourceRecord } from '../core/source-record';
import { PacedSource, pace } from './paced-source';
import { MAX_PACING, REALTIME_PACING, formatPacing, parsePacing } from './pacing';

const base = (GOLDEN_FIXTURES['market.trade.v1'][0] as { event: TradeV1Event }).event;
/** A trade `offsetMs` after the fixture's event time (eventTimeNs dropped so eventTime alone rules). */
const tradeAt = (offsetMs: number): SourceRecord => {
  const { eventTimeNs: _dropped, ...event } = base;
  void _dropped;
  return eventRecord({ ...event, eventTime: base.eventTime + offsetMs });
};
const rejected = rejectedRecord('market.trades.v1', 'SchemaViolation', 'bad', { source: 'test', raw: 'x', origin: 'test', receivedAt: 0 });

/** Manual clock: sleeping advances time instantly and records the requested durations. */
class FakeClock implements MonotonicClock {
  time = 1_000;
  readonly sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

async function emissionTimes(source: PacedSource | ReturnType<typeof pace>, clock: FakeClock, consumerDelayMs = 0): Promise<number[]> {
  const times: number[] = [];
  for await (const record of source) {
    void record;
    times.push(clock.now() - 1_000);
    clock.time += consumerDelayMs;
  }
  return times;
}

describe('parsePacing', () => {
  it.each([
    ['realtime', { mode: 'scaled', speed: 1 }],
    ['max', { mode: 'max' }],
    ['x10', { mode: 'scaled', speed: 10 }],
    ['X100', { mode: 'scaled', speed: 100 }],
    ['2.5x', { mode: 'scaled', speed: 2.5 }],
    ['x0.5', { mode: 'scaled', speed: 0.5 }],
  ])('parses %s', (spec, expected) => {
    expect(parsePacing(spec)).toEqual(expected);
  });

  it.each(['', 'fast', 'x0', 'x-1', '10', 'xx10', 'x1e3'])('rejects %j', (spec) => {
    expect(() => parsePacing(spec)).toThrow(RangeError);
  });

  it('formats back', () => {
    expect(['realtime', 'max', 'x10'].map((spec) => formatPacing(parsePacing(spec)))).toEqual(['realtime', 'max', 'x10']);
  });
});

describe('PacedSource', () => {
  const records = () => [tradeAt(0), tradeAt(10), tradeAt(10), rejected, tradeAt(1_000), tradeAt(1_000.5)];

  it('realtime: emits each event at its event-time offset from the first', async () => {
    const clock = new FakeClock();
    const times = await emissionTimes(new PacedSource(new IterableSource(records()), REALTIME_PACING, { clock }), clock);
    expect(times).toEqual([0, 10, 10, 10, 1_000, 1_000]);
    expect(clock.sleeps).toEqual([10, 990]); // 0.5 ms ahead is below minSleepMs
  });

  it("stamps each event's ingestTime when it is released, leaving the rest of the event as it was", async () => {
    const clock = new FakeClock();
    const epoch = 1_795_284_000_000;
    const inner = records();
    const source = new PacedSource(new IterableSource(inner), REALTIME_PACING, { clock, wallClock: () => epoch + clock.now() });
    const released: { record: SourceRecord; at: number }[] = [];
    for await (const record of source) released.push({ record, at: epoch + clock.now() });
    expect(released.map(({ record, at }) => (record.kind === 'event' ? record.event.ingestTime - at : record))).toEqual([0, 0, 0, rejected, 0, 0]);
    released.forEach(({ record }, position) => {
      const original = inner[position] as SourceRecord;
      if (record.kind === 'event' && original.kind === 'event') expect({ ...record.event, ingestTime: 0 }).toEqual({ ...original.event, ingestTime: 0 });
    });
    // The wrapped source's records are not modified.
    expect(inner.every((record) => record.kind !== 'event' || record.event.ingestTime === base.ingestTime)).toBe(true);
  });

  it('x10: divides event-time deltas by 10', async () => {
    const clock = new FakeClock();
    const times = await emissionTimes(pace(new IterableSource(records()), parsePacing('x10'), { clock }), clock);
    expect(times).toEqual([0, 1, 1, 1, 100, 100]);
    expect(clock.sleeps).toEqual([1, 99]);
  });

  it('max: never sleeps, and pace() returns the source itself', async () => {
    const clock = new FakeClock();
    const source = new IterableSource(records());
    expect(pace(source, MAX_PACING, { clock })).toBe(source);
    const times = await emissionTimes(new PacedSource(new IterableSource(records()), MAX_PACING, { clock }), clock);
    expect(times).toEqual([0, 0, 0, 0, 0, 0]);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not accumulate drift: a slow consumer is caught up without extra sleeps', async () => {
    const clock = new FakeClock();
    // The consumer takes 600 ms per record: the 1000 ms event is due at 1000 and is reached at 1800.
    const times = await emissionTimes(new PacedSource(new IterableSource([tradeAt(0), tradeAt(1_000), tradeAt(3_000)]), REALTIME_PACING, { clock }), clock, 600);
    expect(times).toEqual([0, 1_000, 3_000]);
    expect(clock.sleeps).toEqual([400, 1_400]);
  });

  it('close() interrupts a pending sleep (real clock) and closes the wrapped source', async () => {
    const inner = new IterableSource([tradeAt(0), tradeAt(3_600_000)]);
    const source = new PacedSource(inner, REALTIME_PACING);
    const iterator = source[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const pending = iterator.next();
    setTimeout(() => void source.close(), 20);
    const started = performance.now();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(inner.closed).toBe(true);
  });

  it('rejects a non-positive speed', () => {
    expect(() => new PacedSource(new IterableSource([]), { mode: 'scaled', speed: 0 })).toThrow(RangeError);
  });
});
