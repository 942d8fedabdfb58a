/** Options of {@link RecordQueue}. */
export interface RecordQueueOptions {
  /** Buffered items at which `onHighWater` fires (the producer should pause). Default 10,000. */
  readonly highWaterMark?: number;
  /** Buffered items at which `onLowWater` fires after a high-water pause. Default highWaterMark / 4. */
  readonly lowWaterMark?: number;
  readonly onHighWater?: () => void;
  readonly onLowWater?: () => void;
}

/**
 * A single-consumer push-to-pull queue: a push source (a WebSocket) pushes, the consumer pulls with
 * `next()`. Memory is bounded by cooperation: at `highWaterMark` buffered items `onHighWater` asks the
 * producer to pause (e.g. `ws.pause()`, which stops reading the socket so TCP flow control reaches the
 * server), and `onLowWater` resumes it once the consumer has drained to `lowWaterMark`.
 */
export class RecordQueue<T> {
  private items: T[] = [];
  private head = 0;
  private waiter: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private paused = false;
  private readonly highWaterMark: number;
  private readonly lowWaterMark: number;

  constructor(private readonly options: RecordQueueOptions = {}) {
    this.highWaterMark = options.highWaterMark ?? 10_000;
    this.lowWaterMark = options.lowWaterMark ?? Math.floor(this.highWaterMark / 4);
  }

  /** Items buffered and not yet pulled. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Adds an item; ignored after `end()`/`fail()`. */
  push(item: T): void {
    if (this.ended || this.failure) return;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ done: false, value: item });
      return;
    }
    this.items.push(item);
    if (!this.paused && this.size >= this.highWaterMark) {
      this.paused = true;
      this.options.onHighWater?.();
    }
  }

  /** Ends the iteration after the buffered items. */
  end(): void {
    this.ended = true;
    if (this.waiter && this.size === 0) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ done: true, value: undefined });
    }
  }

  /** Fails the iteration after the buffered items: the next `next()` rejects with `error`. */
  fail(error: unknown): void {
    if (this.ended || this.failure) return;
    this.failure = { error };
    if (this.waiter && this.size === 0) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(error);
    }
  }

  /** Discards buffered items and ends at once (used by `close()`). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.failure = undefined;
    this.end();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const value = this.items[this.head] as T;
      this.items[this.head++] = undefined as T;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (this.paused && this.size <= this.lowWaterMark) {
        this.paused = false;
        this.options.onLowWater?.();
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    if (this.waiter) return Promise.reject(new Error('RecordQueue supports a single pending next()'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }
}
