/** Limits of one bulk request and how long a document may wait for company. */
export interface BulkBatcherOptions {
  /** Most documents per request. */
  maxDocs: number;
  /** Most body bytes per request; a single larger document still goes, alone. */
  maxBytes: number;
  /** Longest a submitted document waits before its (partial) request is sent, unless flushed earlier, ms. */
  flushIntervalMs: number;
}

/** Anything with a serialized size: what the batcher counts against `maxBytes`. */
export interface Sized {
  readonly bytes: number;
}

/** Sends one request of `items`, resolving with one outcome per item, in order. */
export type BulkSender<Item extends Sized, Outcome> = (items: Item[]) => Promise<Outcome[]>;

interface Pending<Item, Outcome> {
  item: Item;
  resolve: (outcome: Outcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Groups items submitted by concurrent callers (e.g. the Kafka batches of several partitions) into
 * bulk requests of at most `maxDocs` items and `maxBytes` bytes, the way a bulk processor does
 * (Elasticsearch BulkProcessor: size, count and flush-interval triggers). A request is sent as soon
 * as it is full, on {@link flush}, or `flushIntervalMs` after the oldest waiting item arrived. Each caller gets the
 * outcomes of its own items, in its order, once every request carrying them has been answered.
 *
 * Plain TypeScript, no I/O: the `send` function does the request.
 */
export class BulkBatcher<Item extends Sized, Outcome> {
  private pending: Pending<Item, Outcome>[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly options: BulkBatcherOptions,
    private readonly send: BulkSender<Item, Outcome>,
  ) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value <= 0)
        throw new RangeError(`BulkBatcher: ${name} must be a positive integer, got ${value}`);
    }
  }

  /**
   * Queues `items`; resolves with their outcomes in order.
   * @throws (rejects with) the error of the first request carrying one of them that failed as a whole
   *   (the caller must then treat all of `items` as not done).
   */
  submit(items: readonly Item[]): Promise<Outcome[]> {
    const outcomes = items.map(
      (item) =>
        new Promise<Outcome>((resolve, reject) => {
          if (
            this.pending.length > 0 &&
            (this.pending.length >= this.options.maxDocs ||
              this.pendingBytes + item.bytes > this.options.maxBytes)
          ) {
            this.dispatch();
          }
          this.pending.push({ item, resolve, reject });
          this.pendingBytes += item.bytes;
        }),
    );
    if (this.pending.length >= this.options.maxDocs || this.pendingBytes >= this.options.maxBytes) {
      this.dispatch();
    } else if (this.pending.length > 0 && this.timer === null) {
      this.timer = setTimeout(() => this.dispatch(), this.options.flushIntervalMs);
    }
    return Promise.all(outcomes);
  }

  /**
   * Sends what is waiting now and resolves when every request in flight was answered (never rejects).
   * Used at the end of each submitted Kafka batch and at shutdown.
   */
  async flush(): Promise<void> {
    this.dispatch();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Items waiting for a request, and requests in flight (for tests and gauges). */
  get backlog(): { waiting: number; requestsInFlight: number } {
    return { waiting: this.pending.length, requestsInFlight: this.inFlight.size };
  }

  private dispatch(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const request = this.send(batch.map((entry) => entry.item)).then(
      (outcomes) => {
        if (outcomes.length !== batch.length) {
          const error = new Error(
            `BulkBatcher: sender answered ${outcomes.length} outcomes for ${batch.length} items`,
          );
          batch.forEach((entry) => entry.reject(error));
          return;
        }
        batch.forEach((entry, position) => entry.resolve(outcomes[position] as Outcome));
      },
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }
}
