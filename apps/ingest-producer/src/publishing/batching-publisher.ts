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
  /**
   * Bytes per `sendBatch` (keys, values and headers), >= 1; a batch is also full at this size. kafkajs
   * sends each partition's share of a `sendBatch` as one record batch and does not split it, so this
   * must stay below the broker's `message.max.bytes` (1 MiB by default) even when every record of the
   * batch goes to one partition. Default unlimited.
   */
  readonly maxBatchBytes?: number;
  /** Longest time a record waits for its batch to fill, ms; 0 sends every record on its own. */
  readonly lingerMs: number;
  /** Batches sent but not yet acknowledged, 1..5 (see ingestProducerAppEnvSchema's PUBLISH_MAX_IN_FLIGHT). */
  readonly maxInFlight: number;
  /** Called once per acknowledged batch, in send order for one in flight, with its send duration in ms. Must not throw. */
  readonly onAcknowledged?: (items: readonly Item[], durationMs: number) => void;
  /** Monotonic clock in ms for batch durations; default `performance.now()`. */
  readonly clock?: () => number;
  /**
   * How long a failed batch is sent again before the publisher gives up, ms; default 0 (no retry).
   * kafkajs gives up after ~11 s of connection errors, less than a broker restart takes (~25 s for
   * Kafka 4.1 after a crash on the 2-core dev box, measured by `npm run chaos`).
   */
  readonly retryTimeoutMs?: number;
  /** Wait before each new attempt, ms, doubling up to {@link MAX_RETRY_DELAY_MS}; default 500. */
  readonly retryDelayMs?: number;
  /** Called before each new attempt of a failed batch (e.g. to log it). Must not throw. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Longest wait between two attempts of a failed batch, ms. */
export const MAX_RETRY_DELAY_MS = 5_000;

/**
 * True for a send failure that another attempt cannot fix: a Kafka protocol error the broker marks
 * non-retriable (e.g. MESSAGE_TOO_LARGE, TOPIC_AUTHORIZATION_FAILED), itself or as the cause of the
 * wrapper kafkajs throws. Connection errors and retriable errors whose retries ran out are transient.
 */
export function isPermanentSendError(error: unknown): boolean {
  for (let e = error as { name?: string; retriable?: boolean; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.name === 'KafkaJSProtocolError' && e.retriable === false) return true;
  }
  return false;
}

/**
 * Groups records into `sendBatch` calls of up to `batchSize` records and keeps at most `maxInFlight`
 * batches unacknowledged: the producer-side batching of Kafka's `batch.size` / `linger.ms` /
 * `max.in.flight.requests.per.connection`, above kafkajs (which sends every `sendBatch` call at once).
 *
 * A batch leaves when a slot is free and either `batchSize` records (or `maxBatchBytes`) are buffered, or the oldest buffered
 * record has waited `lingerMs`, or {@link flush} was called. While every slot is busy the buffer keeps
 * filling, so batches grow under load instead of leaving small.
 *
 * Backpressure: `add` resolves at once while less than a full batch is buffered, else once a batch has
 * left the buffer. A caller that awaits `add` therefore holds at most `maxInFlight + 1` batches of at
 * most `batchSize` records and `maxBatchBytes` (in flight plus buffered), whatever the size of its input.
 *
 * Order: batches are cut from the front of the buffer and their sends start in that order, so records
 * leave in `add` order. With `maxInFlight` 1 a batch starts only after the previous one was
 * acknowledged, which keeps per-partition order even when kafkajs retries a batch; with more, order
 * rests on kafkajs' idempotent producer, which serializes produce requests per broker.
 *
 * Failure: a failed `sendBatch` (after kafkajs' own retries) is sent again, through the same idempotent
 * producer (so a batch the broker had written before it failed is not written twice), until
 * `retryTimeoutMs` has passed since its first attempt; the batch keeps its slot meanwhile, so with one
 * in flight nothing overtakes it. A permanent error ({@link isPermanentSendError}) or a batch still failing
 * at the deadline is kept: no further batch is sent, and `add` / `flush` throw it.
 */
export class BatchingPublisher<Item extends PublishItem> {
  private buffer: Item[] = [];
  /** Byte size of each buffered item (same index as `buffer`) and their sum. */
  private sizes: number[] = [];
  private bufferedBytes = 0;
  private readonly maxBatchBytes: number;
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
    this.maxBatchBytes = options.maxBatchBytes ?? Number.POSITIVE_INFINITY;
    if (!(this.maxBatchBytes >= 1)) throw new RangeError(`maxBatchBytes must be >= 1, got ${options.maxBatchBytes}`);
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
    while (this.isFull() && !this.failure) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    this.throwIfFailed();
    const size = recordBytes(item.record);
    this.buffer.push(item);
    this.sizes.push(size);
    this.bufferedBytes += size;
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
      (this.isFull() || this.lingerExpired || this.flushing)
    ) {
      const batch = this.cutBatch();
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      this.lingerExpired = false;
      if (this.buffer.length > 0) this.startLinger();
      this.send(batch);
    }
    if (!this.isFull() || this.failure) {
      for (const wake of this.spaceWaiters.splice(0)) wake();
    }
  }

  private isFull(): boolean {
    return this.buffer.length >= this.options.batchSize || this.bufferedBytes >= this.maxBatchBytes;
  }

  /** Takes the longest prefix of the buffer within both limits (at least one record, however large). */
  private cutBatch(): Item[] {
    let count = 0;
    let bytes = 0;
    while (count < this.buffer.length && count < this.options.batchSize) {
      const size = this.sizes[count] ?? 0;
      if (count > 0 && bytes + size > this.maxBatchBytes) break;
      bytes += size;
      count += 1;
    }
    this.sizes.splice(0, count);
    this.bufferedBytes -= bytes;
    return this.buffer.splice(0, count);
  }

  private send(batch: Item[]): void {
    const began = this.clock();
    const sending: Promise<void> = this.sendWithRetry(batch.map((item) => item.record))
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

  private async sendWithRetry(records: OutgoingRecord[]): Promise<void> {
    const deadline = this.clock() + (this.options.retryTimeoutMs ?? 0);
    let delayMs = this.options.retryDelayMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.sink.sendBatch(records);
        return;
      } catch (error) {
        if (isPermanentSendError(error) || this.clock() + delayMs > deadline) throw error;
        this.options.onRetry?.(error, attempt, delayMs);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}

/** Bytes a record adds to a produce request, near enough: key, value and header names and values. */
function recordBytes(record: OutgoingRecord): number {
  const length = (data: string | Buffer | null | undefined) => (data == null ? 0 : typeof data === 'string' ? Buffer.byteLength(data) : data.length);
  let bytes = length(record.key) + length(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += name.length + length(value);
  return bytes;
}
