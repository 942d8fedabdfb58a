import type { OutgoingRecord } from '@tickwire/kafka';
import { type LaneOffset, TaskTransactionLanes } from './task-transaction-lanes';

/** A controllable transaction port: each call waits until the test settles it. */
function fakeTransactions() {
  const calls: {
    task: number;
    records: string[];
    offsets: LaneOffset[];
    commit: () => void;
    fail: (error: Error) => void;
  }[] = [];
  const run = (task: number, records: readonly OutgoingRecord[], offsets: readonly LaneOffset[]) =>
    new Promise<void>((resolve, reject) =>
      calls.push({
        task,
        records: records.map((record) => String(record.value)),
        offsets: [...offsets],
        commit: resolve,
        fail: reject,
      }),
    );
  return { calls, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const work = (value: string, offset?: LaneOffset) => ({
  records: [{ topic: 'out', key: 'k', value }],
  offsets: offset ? [offset] : [],
});
const trades = (partition: number, offset: string): LaneOffset => ({ topic: 'trades', partition, offset });
const quotes = (partition: number, offset: string): LaneOffset => ({ topic: 'quotes', partition, offset });

describe('TaskTransactionLanes (group commit per task)', () => {
  it('commits an idle task at once, and runs different tasks concurrently', async () => {
    const { calls, run } = fakeTransactions();
    const lanes = new TaskTransactionLanes(run, { failed: () => undefined });
    const a = lanes.enqueue(0, work('a', trades(0, '5')));
    const b = lanes.enqueue(1, work('b', trades(1, '7')));
    await tick();
    expect(calls.map((call) => call.task)).toEqual([0, 1]);
    calls[1]!.commit();
    await b;
    calls[0]!.commit();
    await a;
  });

  it('puts the work queued behind a running transaction of the same task into ONE next transaction', async () => {
    const { calls, run } = fakeTransactions();
    const lanes = new TaskTransactionLanes(run, { failed: () => undefined });
    const committed: string[] = [];
    const first = lanes.enqueue(0, { ...work('1', trades(0, '10')), onCommitted: () => committed.push('1') });
    const second = lanes.enqueue(0, { ...work('2', quotes(0, '4')), onCommitted: () => committed.push('2') });
    const third = lanes.enqueue(0, { ...work('3', trades(0, '12')), onCommitted: () => committed.push('3') });
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.commit();
    await first;
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.records).toEqual(['2', '3']);
    // One position per partition, the latest one.
    expect(calls[1]!.offsets).toEqual([quotes(0, '4'), trades(0, '12')]);
    calls[1]!.commit();
    await Promise.all([second, third]);
    expect(committed).toEqual(['1', '2', '3']);
  });

  it('waits for held batches of the task before starting, unless drained', async () => {
    const { calls, run } = fakeTransactions();
    const lanes = new TaskTransactionLanes(run, { failed: () => undefined });
    lanes.hold(0);
    lanes.hold(0);
    const first = lanes.enqueue(0, work('1', trades(0, '1')));
    lanes.release(0);
    await tick();
    expect(calls).toHaveLength(0);
    const second = lanes.enqueue(0, work('2', quotes(0, '1')));
    lanes.release(0);
    await tick();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.records).toEqual(['1', '2']);
    calls[0]!.commit();
    await Promise.all([first, second]);

    lanes.hold(0);
    const third = lanes.enqueue(0, work('3', trades(0, '2')));
    const drained = lanes.drain();
    await tick();
    expect(calls).toHaveLength(2);
    calls[1]!.commit();
    await drained;
    await third;
    expect(lanes.outstanding).toBe(0);
  });

  it('fails every later transaction of a failed task (built on its state) until reset, and no other task', async () => {
    const { calls, run } = fakeTransactions();
    const failed: number[] = [];
    const lanes = new TaskTransactionLanes(run, { failed: (task) => failed.push(task) });
    const onCommitted = jest.fn();
    const first = lanes.enqueue(0, work('1', trades(0, '1')));
    const second = lanes.enqueue(0, { ...work('2', trades(0, '2')), onCommitted });
    const other = lanes.enqueue(1, work('x', trades(1, '1')));
    await tick();
    calls[0]!.fail(new Error('fenced'));
    await expect(first).rejects.toThrow('fenced');
    await expect(second).rejects.toThrow('fenced');
    // The second group was never sent.
    expect(calls.filter((call) => call.task === 0)).toHaveLength(1);
    expect(onCommitted).not.toHaveBeenCalled();
    expect(failed).toEqual([0, 0]);
    calls.find((call) => call.task === 1)!.commit();
    await other;

    const third = lanes.enqueue(0, work('3', trades(0, '3')));
    await expect(third).rejects.toThrow('fenced');
    await lanes.drain();
    lanes.reset();
    const fourth = lanes.enqueue(0, work('4', trades(0, '3')));
    await tick();
    calls[calls.length - 1]!.commit();
    await fourth;
  });
});
