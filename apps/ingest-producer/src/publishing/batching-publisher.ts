import type { OutgoingRecord } from '@tickwire/kafka';
import type { RecordSink } from './market-event-publisher';

/** Something to publish: the Kafka record plus whatever the owner needs to account for it once acknowledged. */
export interface PublishItem {
  readonly record: OutgoingRecord;
}

/** Options of {@link BatchingPublisher}. */
export interface BatchingPublisherOptions<Item extends PublishItem> {
  /** The idempotent producer (`acks: all`). */
  readonly sink: RecordSink;
  /** Records per `sendBatch` (a full batch is sent at once), >= 1. */
  readonly batchSize: number;
  /** Longest time a record waits for its batch to fill, ms; 0 sends every record on its own. */
  readonly lingerMs: number;
  /** Batches sent but not yet acknowledged, 1..5 (see ingestProducerAppEnvSchema's PUBLISH_MAX_IN_FLIGHT). */
  readonly maxInFlight: number;
  /** Called once per acknowledged batch, in send order for one in flight, with its send duration in ms. Must not throw. */
  readonly onAcknowledged?: (items: readonly Item[], durationMs: number) => void;
  /** Monotonic clock in ms for batch durations; default `performance.now()`. */
  readonly clock?: () => number;
}

/**
 * Groups records into `sendBatch` calls of up to `batchSize` records and keeps at most `maxInFlight`
 * batches unacknowledged: the producer-side batching of Kafka's `batch.size` / `linger.ms` /
 * `max.in.flight.requests.per.connection`, above kafkajs (which sends every `sendBatch` call at once).
 *
 * A batch leaves when a slot is free and either `batchSize` records are buffered, or the oldest buffered
 * record has waited `lingerMs`, or {@link flush} was called. While every slot is busy the buffer keeps
 * filling, so batches grow under load instead of leaving small.
 *
 * Backpressure: `add` resolves at once while fewer than `batchSize` records are buffered, else once a
 * batch has left the buffer. A caller that awaits `add` therefore holds at most
 * `(maxInFlight + 1) * batchSize` records (in flight plus buffered), whatever the size of its input.
 *
 * Order: batches are cut from the front of the buffer and their sends start in that order, so records
 * leave in `add` order. With `maxInFlight` 1 a batch starts only after the previous one was
 * acknowledged, which keeps per-partition order even when kafkajs retries a batch; with more, order
 * rests on kafkajs' idempotent producer, which serializes produce requests per broker.
 *
 * Failure: the first failed `sendBatch` (after kafkajs' own retries) is kept; no further batch is sent,
 * and `add` / `flush` throw it. Nothing is retried here: the producer already retried.
 */
export class BatchingPublisher<Item extends PublishItem> {
  private buffer: Item[] = [];
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingerExpired = false;
  private flushing = false;
  private readonly inFlight = new Set<Promise<void>>();
  private spaceWaiters: (() => void)[] = [];
  private failure: { error: unknown } | undefined;
  private readonly clock: () => number;

  /** @throws RangeError for a batch size below 1, a negative linger, or maxInFlight outside 1..5. */
  constructor(private readonly options: BatchingPublisherOptions<Item>) {
    if (!(Number.isInteger(options.batchSize) && options.batchSize >= 1)) throw new RangeError(`batchSize must be an integer >= 1, got ${options.batchSize}`);
    if (!(options.lingerMs >= 0)) throw new RangeError(`lingerMs must be >= 0, got ${options.lingerMs}`);
    if (!(Number.isInteger(options.maxInFlight) && options.maxInFlight >= 1 && options.maxInFlight <= 5)) {
      throw new RangeError(`maxInFlight must be an integer in 1..5, got ${options.maxInFlight}`);
    }
    this.clock = options.clock ?? (() => performance.now());
  }

  /** Batches sent and not yet acknowledged. */
  get inFlightBatches(): number {
    return this.inFlight.size;
  }

  /** Records added and not yet handed to the producer. */
  get bufferedRecords(): number {
    return this.buffer.length;
  }

  /** The first send failure, if any. */
  get error(): unknown {
    return this.failure?.error;
  }

  /**
   * Adds `item` to the buffer; see the class doc for when it resolves.
   * @throws the first send failure, once one happened (the item is then not added).
   */
  async add(item: Item): Promise<void> {
    while (this.buffer.length >= this.options.batchSize && !this.failure) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    this.throwIfFailed();
    this.buffer.push(item);
    if (this.buffer.length === 1) this.startLinger();
    this.pump();
  }

  /**
   * Sends everything buffered and resolves once every batch is acknowledged.
   * @throws the first send failure.
   */
  async flush(): Promise<void> {
    this.flushing = true;
    try {
      this.pump();
      while ((this.buffer.length > 0 || this.inFlight.size > 0) && !this.failure) {
        await Promise.race(this.inFlight);
      }
      await Promise.all(this.inFlight);
    } finally {
      this.flushing = false;
    }
    this.throwIfFailed();
  }

  private startLinger(): void {
    clearTimeout(this.lingerTimer);
    this.lingerExpired = this.options.lingerMs === 0;
    if (this.lingerExpired) return;
    this.lingerTimer = setTimeout(() => {
      this.lingerExpired = true;
      this.pump();
    }, this.options.lingerMs);
  }

  /** Starts as many batches as the slots and the batching rules allow, in buffer order. */
  private pump(): void {
    while (
      !this.failure &&
      this.inFlight.size < this.options.maxInFlight &&
      this.buffer.length > 0 &&
      (this.buffer.length >= this.options.batchSize || this.lingerExpired || this.flushing)
    ) {
      const batch = this.buffer.splice(0, this.options.batchSize);
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      this.lingerExpired = false;
      if (this.buffer.length > 0) this.startLinger();
      this.send(batch);
    }
    if (this.buffer.length < this.options.batchSize || this.failure) {
      for (const wake of this.spaceWaiters.splice(0)) wake();
    }
  }

  private send(batch: Item[]): void {
    const began = this.clock();
    const sending: Promise<void> = this.options.sink
      .sendBatch(batch.map((item) => item.record))
      .then(() => this.options.onAcknowledged?.(batch, this.clock() - began))
      .catch((error: unknown) => {
        this.failure ??= { error };
        clearTimeout(this.lingerTimer);
      })
      .finally(() => {
        this.inFlight.delete(sending);
        this.pump();
      });
    this.inFlight.add(sending);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
