import { BoundedAsyncQueue, QueueOverflowError } from './bounded-async-queue';

describe('BoundedAsyncQueue', () => {
  it('hands pushed items to a waiting or later pull, in order', async () => {
    const queue = new BoundedAsyncQueue<number>(3);
    const waiting = queue.next();
    expect(queue.push(1)).toBe(true);
    expect(await waiting).toEqual({ value: 1, done: false });
    queue.push(2);
    queue.push(3);
    expect(await queue.next()).toEqual({ value: 2, done: false });
    expect(await queue.next()).toEqual({ value: 3, done: false });
    expect(queue.size).toBe(0);
  });

  it('fails with QueueOverflowError when more than capacity items wait, and refuses more', async () => {
    let returned = 0;
    const queue = new BoundedAsyncQueue<number>(2, () => (returned += 1));
    expect([queue.push(1), queue.push(2), queue.push(3), queue.push(4)]).toEqual([true, true, false, false]);
    await expect(queue.next()).rejects.toBeInstanceOf(QueueOverflowError);
    expect(returned).toBe(1);
  });

  it('ends on return(), calling onReturn once, and wakes a waiting pull', async () => {
    let returned = 0;
    const queue = new BoundedAsyncQueue<number>(2, () => (returned += 1));
    const waiting = queue.next();
    await queue.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(queue.push(1)).toBe(false);
    await queue.return();
    expect(returned).toBe(1);
  });

  it('finishWith drops the backlog, delivers the last item, then ends', async () => {
    let returned = 0;
    const queue = new BoundedAsyncQueue<string>(5, () => (returned += 1));
    queue.push('stale-1');
    queue.push('stale-2');
    queue.finishWith('slow client');
    expect(queue.push('late')).toBe(false);
    expect(await queue.next()).toEqual({ value: 'slow client', done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(returned).toBe(1);
    const waiting = new BoundedAsyncQueue<string>(5);
    const pending = waiting.next();
    waiting.finishWith('bye');
    expect(await pending).toEqual({ value: 'bye', done: false });
    expect(await waiting.next()).toEqual({ value: undefined, done: true });
  });

  it('works with for await', async () => {
    const queue = new BoundedAsyncQueue<string>(10);
    queue.push('a');
    queue.push('b');
    const seen: string[] = [];
    for await (const item of queue) {
      seen.push(item);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['a', 'b']);
  });
});
