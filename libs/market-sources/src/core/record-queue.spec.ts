import { RecordQueue } from './record-queue';

describe('RecordQueue', () => {
  it('delivers pushed items in order, to a waiting consumer too', async () => {
    const queue = new RecordQueue<number>();
    const waiting = queue.next();
    queue.push(1);
    queue.push(2);
    expect(await waiting).toEqual({ done: false, value: 1 });
    expect(await queue.next()).toEqual({ done: false, value: 2 });
  });

  it('signals high water once and low water after draining', async () => {
    const calls: string[] = [];
    const queue = new RecordQueue<number>({ highWaterMark: 4, lowWaterMark: 1, onHighWater: () => calls.push('high'), onLowWater: () => calls.push('low') });
    for (let i = 0; i < 6; i++) queue.push(i);
    expect(calls).toEqual(['high']);
    await queue.next(); // 5 left
    await queue.next();
    await queue.next();
    await queue.next(); // 2 left
    expect(calls).toEqual(['high']);
    await queue.next(); // 1 left
    expect(calls).toEqual(['high', 'low']);
    expect(queue.size).toBe(1);
  });

  it('ends after the buffered items, and fails after them', async () => {
    const ended = new RecordQueue<string>();
    ended.push('a');
    ended.end();
    ended.push('ignored');
    expect(await ended.next()).toEqual({ done: false, value: 'a' });
    expect(await ended.next()).toEqual({ done: true, value: undefined });

    const failed = new RecordQueue<string>();
    failed.push('a');
    failed.fail(new Error('boom'));
    expect(await failed.next()).toEqual({ done: false, value: 'a' });
    await expect(failed.next()).rejects.toThrow('boom');
  });

  it('wakes a waiting consumer on end, fail and clear', async () => {
    const a = new RecordQueue<number>();
    const pendingA = a.next();
    a.end();
    expect(await pendingA).toEqual({ done: true, value: undefined });

    const b = new RecordQueue<number>();
    const pendingB = b.next();
    b.fail(new Error('lost'));
    await expect(pendingB).rejects.toThrow('lost');

    const c = new RecordQueue<number>();
    c.push(1);
    c.fail(new Error('discarded by clear'));
    c.clear();
    expect(await c.next()).toEqual({ done: true, value: undefined });
  });

  it('refuses a second concurrent next()', async () => {
    const queue = new RecordQueue<number>();
    void queue.next();
    await expect(queue.next()).rejects.toThrow(/single pending next/);
  });

  it('compacts its buffer (long runs keep memory proportional to the backlog)', async () => {
    const queue = new RecordQueue<number>({ highWaterMark: 1_000_000 });
    for (let i = 0; i < 5_000; i++) queue.push(i);
    for (let i = 0; i < 4_000; i++) expect((await queue.next()).value).toBe(i);
    expect(queue.size).toBe(1_000);
    expect((queue as unknown as { items: unknown[] }).items.length).toBeLessThan(2_500);
  });
});
