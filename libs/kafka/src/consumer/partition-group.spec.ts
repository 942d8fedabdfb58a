import { type BufferedRecord, type NextRecord, PartitionGroup } from './partition-group';

/**
 * A test value: event time (ms), or null for an untimed record (e.g. a dead letter); `done` marks a
 * complete one (nothing missing before it).
 */
type Value = { id: string; t: number | null; done?: boolean };

const group = (maxTaskIdleMs = 100, blocking?: string[]) =>
  new PartitionGroup<Value>(['trades', 'quotes', 'daily'], {
    maxTaskIdleMs,
    compare: (a, b) => (a.t ?? 0) - (b.t ?? 0),
    isUntimed: (value) => value.t === null,
    isComplete: (value) => value.done === true,
    blocking: blocking ?? ['trades', 'quotes'],
  });

const records = (first: number, ...times: (number | null)[]): BufferedRecord<Value>[] =>
  times.map((t, i) => ({ offset: String(first + i), value: { id: `${first + i}@${t}`, t } }));

/** Records like {@link records}, complete where `done` says so. */
const marked = (first: number, ...entries: [number, boolean][]): BufferedRecord<Value>[] =>
  entries.map(([t, done], i) => ({ offset: String(first + i), value: { id: `${first + i}@${t}`, t, done } }));

const end = (nextOffset: number, caughtUp = true) => ({ nextOffset: String(nextOffset), caughtUp });

/**
 * Takes records while the group hands them out at `now`; returns their ids and the final decision. A
 * `check` is answered as a broker would: end offset = `ends[input]`, else what was fetched (caught up).
 */
function drain(
  g: PartitionGroup<Value>,
  now: number,
  ends: Record<string, number> = {},
): { ids: string[]; last: NextRecord<Value>; enforced: number; checks: string[] } {
  const ids: string[] = [];
  const checks: string[] = [];
  let enforced = 0;
  for (;;) {
    const next = g.next(now);
    if (next.kind === 'wait') return { ids, last: next, enforced, checks };
    if (next.kind === 'check') {
      for (const input of next.inputs) {
        checks.push(input);
        g.confirm(input, String(ends[input] ?? g.nextFetchOf(input) ?? 0), '0', now);
      }
      continue;
    }
    ids.push(`${next.input}:${next.record.value.t}`);
    if (next.idleInputs.length > 0) enforced += 1;
  }
}

describe('PartitionGroup', () => {
  it('interleaves two inputs by event time, ties to the earlier input', () => {
    const g = group();
    g.add('trades', records(0, 10, 20, 30), end(3), 1_000);
    g.add('quotes', records(0, 5, 20, 25, 40), end(4), 1_000);
    const { ids, last } = drain(g, 1_000);
    // 40 waits: trades is empty and caught up, so a trade before 40 may still be produced.
    expect(ids).toEqual(['quotes:5', 'trades:10', 'trades:20', 'quotes:20', 'quotes:25', 'trades:30']);
    expect(last).toEqual({ kind: 'wait', until: 1_100 });
  });

  it('a record goes without a caught-up empty input only maxTaskIdleMs after it arrived, and after the broker confirmed', () => {
    const g = group(100);
    g.add('quotes', records(0, 5, 6), end(2), 1_000);
    expect(g.next(1_000)).toEqual({ kind: 'wait', until: 1_100 });
    expect(g.next(1_099)).toEqual({ kind: 'wait', until: 1_100 });
    expect(g.next(1_100)).toEqual({ kind: 'check', inputs: ['trades'] });
    const { ids, enforced } = drain(g, 1_100);
    expect(ids).toEqual(['quotes:5', 'quotes:6']);
    expect(enforced).toBe(2);
  });

  it('each new arrival waits again while the other input stays quiet (the same produce request may still be appending it)', () => {
    const g = group(100);
    g.add('quotes', records(0, 5), end(1), 1_000);
    expect(drain(g, 1_100)).toMatchObject({ ids: ['quotes:5'], checks: ['trades'] });
    g.add('quotes', records(1, 7), end(2), 1_150);
    // Confirmed at 1,100, before this quote had waited: ask again at 1,250.
    expect(drain(g, 1_200).last).toEqual({ kind: 'wait', until: 1_250 });
    // The broker now holds a trade of the same request: wait for its fetch.
    expect(drain(g, 1_250, { trades: 1 })).toMatchObject({
      ids: [],
      checks: ['trades'],
      last: { kind: 'wait', until: null },
    });
    g.add('trades', records(0, 6), end(1), 1_260);
    expect(drain(g, 1_260).ids).toEqual(['trades:6', 'quotes:7']);
  });

  it('waits without a deadline for a lagging input: its records are on the broker already', () => {
    const g = group(0);
    g.add('trades', records(0, 10), end(1, false), 1_000);
    g.add('quotes', records(0, 5, 30), end(2), 1_000);
    const first = drain(g, 1_000);
    expect(first.ids).toEqual(['quotes:5', 'trades:10']);
    expect(first.last).toEqual({ kind: 'wait', until: null });
    expect(drain(g, 999_999).ids).toEqual([]);
    g.add('trades', records(1, 20), end(2), 1_000_000);
    expect(drain(g, 1_000_000).ids).toEqual(['trades:20', 'quotes:30']);
  });

  it('with maxTaskIdleMs 0 asks the broker at once and goes on when the empty input is caught up', () => {
    const g = group(0);
    g.add('quotes', records(0, 5), end(1), 1_000);
    expect(drain(g, 1_000)).toMatchObject({ ids: ['quotes:5'], enforced: 1, checks: ['trades'] });
  });

  it('a non-blocking input never holds the others back, but its records still wait their turn', () => {
    const g = group(100);
    g.add('trades', records(0, 10, 30), end(2), 1_000);
    g.add('quotes', records(0, 20, 40), end(2), 1_000);
    g.add('daily', records(0, 25), end(1), 1_000);
    expect(drain(g, 1_000).ids).toEqual(['trades:10', 'quotes:20', 'daily:25', 'trades:30']);
  });

  it('takes an untimed record at a head at once, without waiting for the other input', () => {
    const g = group();
    g.add('quotes', records(0, null, 5), end(2), 1_000);
    const { ids, last } = drain(g, 1_000);
    expect(ids).toEqual(['quotes:null']);
    expect(last).toEqual({ kind: 'wait', until: 1_100 });
  });

  it('skips records delivered again and keeps offset order inside one input', () => {
    const g = group();
    expect(g.add('trades', records(0, 30, 10), end(2), 0)).toBe(2);
    expect(g.add('trades', records(0, 30, 10, 40), end(3), 0)).toBe(1);
    g.add('quotes', records(0, 20, 50), end(2), 0);
    // 10 follows 30 in its partition: only heads compete, so it comes after 30 (the caller's late data).
    expect(drain(g, 0).ids).toEqual(['quotes:20', 'trades:30', 'trades:10', 'trades:40']);
  });

  it('rewinds taken records until they are committed', () => {
    const g = group();
    g.add('trades', records(0, 1, 2), end(2), 0);
    g.add('quotes', records(0, 1, 3), end(2), 0);
    drain(g, 0);
    expect(g.processedPosition('trades')).toBe('2');
    expect(g.processedPosition('quotes')).toBe('1');
    expect(g.uncommittedTotal).toBe(3);
    g.committed('trades', '1');
    g.rewind();
    expect(g.buffered('trades')).toBe(1);
    expect(g.bufferedTotal).toBe(3);
    expect(drain(g, 0).ids).toEqual(['quotes:1', 'trades:2']);
    g.committed('trades', '2');
    g.committed('quotes', '1');
    expect(g.processedPosition('trades')).toBeUndefined();
  });

  it('clear() forgets positions, so the next fetch may start anywhere', () => {
    const g = group();
    g.add('trades', records(5, 1), end(6), 0);
    g.clear();
    expect(g.add('trades', records(0, 1), end(1), 0)).toBe(1);
    expect(g.bufferedTotal).toBe(1);
  });

  it('takes a complete head at once while a blocking input is empty and caught up: no wait, no check', () => {
    const g = group(100);
    g.add('quotes', marked(0, [5, true], [6, true]), end(2), 1_000);
    const first = g.next(1_000);
    expect(first).toMatchObject({ kind: 'record', input: 'quotes', idleInputs: [], reason: 'complete' });
    expect(drain(g, 1_000)).toMatchObject({
      ids: ['quotes:6'],
      enforced: 0,
      checks: [],
      last: { kind: 'wait', until: null },
    });
  });

  it('takes a complete head at once even while a blocking input lags', () => {
    const g = group(100);
    g.add('trades', [], end(3, false), 1_000);
    g.add('quotes', marked(0, [5, true]), end(1), 1_000);
    expect(drain(g, 1_000)).toMatchObject({ ids: ['quotes:5'], enforced: 0, checks: [] });
  });

  it('an incomplete head still waits for the empty input, and holds back a complete record behind it', () => {
    const g = group(100);
    g.add('quotes', marked(0, [5, false], [6, true]), end(2), 1_000);
    g.add('daily', marked(0, [7, true]), end(1), 1_000);
    // quotes:5 is the smallest head: the complete daily:7 and quotes:6 wait their turn behind it.
    expect(drain(g, 1_000)).toMatchObject({ ids: [], checks: [], last: { kind: 'wait', until: 1_100 } });
    const enforced = g.next(1_100);
    expect(enforced).toEqual({ kind: 'check', inputs: ['trades'] });
    expect(drain(g, 1_100)).toMatchObject({ ids: ['quotes:5', 'quotes:6', 'daily:7'], enforced: 1 });
    // And a lagging input holds an incomplete head without a deadline.
    const h = group(0);
    h.add('trades', [], end(1, false), 1_000);
    h.add('quotes', marked(0, [5, false]), end(1), 1_000);
    expect(drain(h, 9_999)).toMatchObject({ ids: [], last: { kind: 'wait', until: null } });
  });

  it('says why it took each record', () => {
    const g = group(0);
    g.add('trades', records(0, 1), end(1), 0);
    g.add('quotes', [...records(0, 2, null), ...marked(2, [3, true], [4, false])], end(4), 0);
    const reasons: string[] = [];
    for (let next = g.next(0); next.kind !== 'wait'; next = g.next(0)) {
      if (next.kind === 'check') for (const input of next.inputs) g.confirm(input, '1', '0', 0);
      else reasons.push(`${next.record.value.t}:${next.reason}`);
    }
    expect(reasons).toEqual(['1:ready', '2:enforced', 'null:untimed', '3:complete', '4:enforced']);
  });

  it('rejects unknown inputs and a negative idle time', () => {
    expect(() => group().add('bars', [], end(0), 0)).toThrow(/bars is not an input/);
    expect(() => group(-1)).toThrow(RangeError);
    expect(() => group(0, ['bars'])).toThrow(/blocking input bars/);
  });
});
