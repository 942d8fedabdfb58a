import { safeParseEvent } from '@tickwire/contracts';
import type { KafkaRecord } from '@tickwire/kafka';
import {
  type ArchiveObject,
  type BufferedEntry,
  buildArchiveObjects,
  dataLine,
  errorLine,
} from './archive-objects';

/** Firehose buffering hints: a buffer is flushed when either is reached. */
export interface BufferingHints {
  /** Buffered bytes (NDJSON, before compression, as Firehose counts incoming data). */
  sizeBytes: number;
  /** Age of the buffer's oldest record, ms; 0 flushes every batch. */
  intervalMs: number;
}

/** Stores one object; throws when it could not (after its own retries). */
export interface ArchiveStore {
  put(object: ArchiveObject): Promise<void>;
}

/** Commits a consumer-group position: `offset` is the next offset to read (last archived + 1). */
export interface OffsetCommitter {
  commit(topic: string, partition: number, offset: string): Promise<void>;
}

/** What the service counts (Prometheus in production, a recorder in tests). */
export interface ArchiveObserver {
  /** Valid records of `topic` archived and committed. */
  recordsArchived(topic: string, count: number): void;
  /** Records of `topic` that failed validation, written under the error prefix and committed. */
  errorRecordsArchived(topic: string, errorClass: string, count: number): void;
  /** One object stored: kind, compressed bytes, seconds the put took (with retries). */
  objectUploaded(topic: string, kind: 'data' | 'error', bytes: number, seconds: number): void;
  /** An upload or commit failed; the buffer is kept (timer flush) or the batch redelivered. */
  flushFailed(topic: string): void;
}

/** A flush that could not complete: the records stay buffered / uncommitted. */
export class ArchiveFlushError extends Error {
  override readonly name = 'ArchiveFlushError';
}

interface PartitionBuffer {
  topic: string;
  partition: number;
  entries: BufferedEntry[];
  bytes: number;
  /** When the oldest buffered record arrived, epoch ms (the interval hint's clock). */
  openedAt: number;
  /** Error records per error class, to count once committed. */
  errorClasses: Map<string, number>;
}

/**
 * Kinesis Data Firehose semantics for S3, per topic-partition, as plain TypeScript over three ports
 * (object store, offset committer, observer):
 *
 * - Buffering: records are validated (@tickwire/contracts' safeParseEvent) and buffered per
 *   topic-partition as NDJSON lines, valid ones verbatim, invalid ones as error lines with their
 *   reason; a buffer is flushed when its bytes reach the size hint or its oldest record the interval
 *   hint, and on shutdown.
 * - Flush = build objects (one per kind and hour, see buildArchiveObjects), upload them all, THEN
 *   commit `last offset + 1`; a failure leaves the offsets uncommitted.
 *
 * Why a redelivery overwrites instead of duplicating: the committed offset C always sits exactly at
 * the start of the next flush, and flushes of one partition run one at a time, each committing before
 * the next starts. So after a crash, the only objects that may exist without their commit come from
 * the one flush that started at C. Each of those is keyed by the first offset k of its (kind, hour)
 * among [C, end]. On redelivery, consumption resumes at C; the record k lands in some flush starting
 * at s with C <= s <= k, and no record of the same kind and hour lies in [s, k) (there was none in
 * [C, k)), so k again starts its group: the new object has the same key and replaces the old one,
 * whatever the new flush boundaries are (they depend on timing). Every record ends up in exactly one
 * surviving object. The same holds after a rebalance, where kafkajs also resumes at the committed
 * offset: buffers are then discarded ({@link discardAll}) and refilled by the refetch.
 */
export class ArchiveService {
  private readonly buffers = new Map<string, PartitionBuffer>();
  /** Per topic-partition chain: appends and flushes of one partition never interleave. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly hints: BufferingHints,
    private readonly prefixes: { dataPrefix: string; errorPrefix: string },
    private readonly store: ArchiveStore,
    private readonly committer: OffsetCommitter,
    private readonly observer: ArchiveObserver,
    private readonly clock: () => number = Date.now,
    /** Namespace in front of the consumed topic names (KAFKA_TOPIC_PREFIX); stripped to find the contract topic. */
    private readonly topicPrefix = '',
  ) {
    if (!(hints.sizeBytes > 0) || !(hints.intervalMs >= 0))
      throw new RangeError('ArchiveService: sizeBytes must be > 0 and intervalMs >= 0');
  }

  /**
   * Buffers records of one fetched batch (one topic-partition, offset order), in order, until the
   * buffer reaches the size hint: the caller then marks the appended records consumed, flushes
   * ({@link flushIfDue}) and appends the rest, so objects stay close to the size hint whatever the
   * fetch size. Records at or before the buffer's last offset mean the consumer was rewound (kafkajs
   * re-fetches from its last resolved offset after a failed batch): the buffered tail from there is
   * dropped first, so nothing is buffered twice.
   *
   * @returns how many of `records` were appended (at least one when `records` is not empty).
   */
  append(topic: string, partition: number, records: readonly KafkaRecord[]): Promise<number> {
    return this.serially(topic, partition, async () => {
      const first = records[0];
      if (!first) return 0;
      const buffer = this.bufferOf(topic, partition);
      const firstOffset = BigInt(first.offset);
      const last = buffer.entries[buffer.entries.length - 1];
      if (last !== undefined && last.offset >= firstOffset) {
        this.reset(
          buffer,
          buffer.entries.filter((entry) => entry.offset < firstOffset),
        );
      }
      if (buffer.entries.length === 0) buffer.openedAt = this.clock();
      const contractTopic = this.contractTopicOf(topic);
      let appended = 0;
      for (const record of records) {
        if (appended > 0 && buffer.bytes >= this.hints.sizeBytes) break;
        const entry = toEntry(contractTopic, record);
        if (entry.kind === 'error') {
          buffer.errorClasses.set(entry.errorClass, (buffer.errorClasses.get(entry.errorClass) ?? 0) + 1);
        }
        buffer.entries.push(entry.entry);
        buffer.bytes += Buffer.byteLength(entry.entry.line) + 1;
        appended += 1;
      }
      return appended;
    });
  }

  /**
   * Flushes the buffer of `topic`/`partition` if it reached a hint (size, or age >= interval).
   * @throws ArchiveFlushError when an upload or the commit failed (the records stay buffered).
   */
  flushIfDue(topic: string, partition: number): Promise<void> {
    return this.serially(topic, partition, async () => {
      const buffer = this.buffers.get(keyOf(topic, partition));
      if (buffer && this.isDue(buffer)) await this.flush(buffer);
    });
  }

  /**
   * Flushes every buffer that reached a hint (the interval timer's tick). A failing partition does not
   * stop the others.
   * @returns the partitions whose flush failed (kept buffered, retried on the next tick).
   */
  async flushDue(): Promise<{ topic: string; partition: number; error: unknown }[]> {
    return this.flushWhere((buffer) => this.isDue(buffer));
  }

  /** Flushes every non-empty buffer (shutdown). @returns the partitions whose flush failed. */
  async flushAll(): Promise<{ topic: string; partition: number; error: unknown }[]> {
    return this.flushWhere((buffer) => buffer.entries.length > 0);
  }

  /**
   * Drops every buffer: after a rebalance the consumer resumes at the committed offsets, so the
   * buffered records will be fetched again (by this or another instance).
   */
  discardAll(): void {
    this.buffers.clear();
  }

  /** Buffered records and bytes over all partitions (gauges, tests). */
  get buffered(): { records: number; bytes: number } {
    let records = 0;
    let bytes = 0;
    for (const buffer of this.buffers.values()) {
      records += buffer.entries.length;
      bytes += buffer.bytes;
    }
    return { records, bytes };
  }

  private async flushWhere(predicate: (buffer: PartitionBuffer) => boolean) {
    const failures: { topic: string; partition: number; error: unknown }[] = [];
    await Promise.all(
      [...this.buffers.values()].map(({ topic, partition }) =>
        this.serially(topic, partition, async () => {
          const buffer = this.buffers.get(keyOf(topic, partition));
          if (buffer && predicate(buffer)) await this.flush(buffer);
        }).catch((error: unknown) => failures.push({ topic, partition, error })),
      ),
    );
    return failures;
  }

  /** The contract topic of a consumed topic: without the namespace prefix. */
  private contractTopicOf(topic: string): string {
    return this.topicPrefix !== '' && topic.startsWith(this.topicPrefix)
      ? topic.slice(this.topicPrefix.length)
      : topic;
  }

  private isDue(buffer: PartitionBuffer): boolean {
    if (buffer.entries.length === 0) return false;
    return buffer.bytes >= this.hints.sizeBytes || this.clock() - buffer.openedAt >= this.hints.intervalMs;
  }

  private async flush(buffer: PartitionBuffer): Promise<void> {
    const { topic, partition, entries } = buffer;
    const last = entries[entries.length - 1];
    if (!last) return;
    try {
      const objects = buildArchiveObjects(entries, {
        topic: this.contractTopicOf(topic),
        partition,
        ...this.prefixes,
      });
      await Promise.all(
        objects.map(async (object) => {
          const started = process.hrtime.bigint();
          await this.store.put(object);
          this.observer.objectUploaded(
            topic,
            object.kind,
            object.body.length,
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        }),
      );
      await this.committer.commit(topic, partition, (last.offset + 1n).toString());
    } catch (error) {
      this.observer.flushFailed(topic);
      throw new ArchiveFlushError(
        `Archiving ${topic}[${partition}] offsets ${entries[0]?.offset}..${last.offset} failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
    const errors = entries.filter((entry) => entry.kind === 'error').length;
    if (entries.length > errors) this.observer.recordsArchived(topic, entries.length - errors);
    buffer.errorClasses.forEach((count, errorClass) =>
      this.observer.errorRecordsArchived(topic, errorClass, count),
    );
    // Only this flush's entries: the chain guarantees no append ran meanwhile, but a rebalance may have
    // replaced the buffer (then this one is orphaned and clearing it is harmless).
    this.reset(buffer, []);
  }

  private reset(buffer: PartitionBuffer, keep: BufferedEntry[]): void {
    buffer.entries = keep;
    buffer.bytes = keep.reduce((sum, entry) => sum + Buffer.byteLength(entry.line) + 1, 0);
    buffer.errorClasses = new Map();
    for (const entry of keep) {
      if (entry.kind === 'error') {
        const errorClass = (JSON.parse(entry.line) as { errorClass: string }).errorClass;
        buffer.errorClasses.set(errorClass, (buffer.errorClasses.get(errorClass) ?? 0) + 1);
      }
    }
  }

  private bufferOf(topic: string, partition: number): PartitionBuffer {
    const key = keyOf(topic, partition);
    let buffer = this.buffers.get(key);
    if (!buffer) {
      buffer = { topic, partition, entries: [], bytes: 0, openedAt: this.clock(), errorClasses: new Map() };
      this.buffers.set(key, buffer);
    }
    return buffer;
  }

  private serially<T>(topic: string, partition: number, work: () => Promise<T>): Promise<T> {
    const key = keyOf(topic, partition);
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.chains.set(key, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    return next;
  }
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Validates one record: a data entry (verbatim line, event time) or an error entry (reason, record time). */
function toEntry(
  contractTopic: string,
  record: KafkaRecord,
): { kind: 'data'; entry: BufferedEntry } | { kind: 'error'; errorClass: string; entry: BufferedEntry } {
  const offset = BigInt(record.offset);
  const result = safeParseEvent(contractTopic, record.value);
  if (result.success && record.value !== null) {
    return {
      kind: 'data',
      entry: { kind: 'data', offset, time: result.event.eventTime, line: dataLine(record.value) },
    };
  }
  const errorClass = result.success ? 'EmptyValue' : result.errorClass;
  const reason = result.success ? 'value is empty' : result.reason;
  return {
    kind: 'error',
    errorClass,
    entry: { kind: 'error', offset, time: record.timestamp, line: errorLine(record, errorClass, reason) },
  };
}
