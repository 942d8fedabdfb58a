/**
 * A bounded push-to-pull bridge: a producer {@link push}es without ever waiting, a consumer pulls
 * with `for await`. Used for GraphQL subscriptions, whose transport awaits each socket write: a slow
 * client makes its own queue fill, never the producer (the fan-out loop) wait. When more than
 * `capacity` items are waiting, the queue fails with {@link QueueOverflowError} (the subscription ends
 * with "slow client") instead of growing without bound.
 */
export class BoundedAsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private head = 0;
  private pullWaiter: ((result: IteratorResult<T>) => void) | null = null;
  private pullReject: ((error: unknown) => void) | null = null;
  private failure: unknown = null;
  private done = false;
  private returned = false;

  /**
   * @param capacity items that may wait, >= 1.
   * @param onReturn called once when the consumer stops (return/throw) or the queue ends.
   * @throws RangeError on a capacity < 1.
   */
  constructor(
    private readonly capacity: number,
    private readonly onReturn: () => void = () => undefined,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`capacity must be >= 1, got ${capacity}`);
  }

  /** Adds an item; returns false when the queue is finished or just overflowed. Never waits. */
  push(item: T): boolean {
    if (this.done || this.failure !== null) return false;
    if (this.pullWaiter) {
      const resolve = this.pullWaiter;
      this.pullWaiter = null;
      this.pullReject = null;
      resolve({ value: item, done: false });
      return true;
    }
    if (this.items.length - this.head >= this.capacity) {
      this.fail(new QueueOverflowError(this.capacity));
      return false;
    }
    this.items.push(item);
    return true;
  }

  /**
   * Drops what is waiting, delivers `item` as the last value, then ends the iteration (e.g. a
   * "slow client" marker the consumer turns into an error result). No-op once finished.
   */
  finishWith(item: T): void {
    if (this.done || this.failure !== null) return;
    this.items.length = 0;
    this.head = 0;
    this.done = true;
    if (this.pullWaiter) {
      const resolve = this.pullWaiter;
      this.pullWaiter = null;
      this.pullReject = null;
      resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
    this.finish();
  }

  /** Ends the iteration with `error` after nothing more is delivered. */
  fail(error: unknown): void {
    if (this.done || this.failure !== null) return;
    this.failure = error;
    this.items.length = 0;
    this.head = 0;
    if (this.pullReject) {
      const reject = this.pullReject;
      this.pullWaiter = null;
      this.pullReject = null;
      reject(error);
    }
    this.finish();
  }

  /** Items waiting. */
  get size(): number {
    return this.items.length - this.head;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head] as T;
      this.head += 1;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.pullWaiter = resolve;
      this.pullReject = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.head = 0;
    if (this.pullWaiter) this.pullWaiter({ value: undefined, done: true });
    this.pullWaiter = null;
    this.pullReject = null;
    this.done = true;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.fail(error);
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private finish(): void {
    if (this.returned) return;
    this.returned = true;
    this.onReturn();
  }
}

/** The consumer of a {@link BoundedAsyncQueue} fell more than `capacity` items behind. */
export class QueueOverflowError extends Error {
  override readonly name = 'QueueOverflowError';
  constructor(readonly capacity: number) {
    super(`slow client: more than ${capacity} messages waiting`);
  }
}
