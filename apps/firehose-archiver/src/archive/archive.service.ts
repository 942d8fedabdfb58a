import { safeParseEvent } from '@tickwire/contracts';
import type { KafkaRecord } from '@tickwire/kafka';
import {
  type ArchiveObject,
  type BufferedEntry,
  buildArchiveObject,
  dataLine,
  errorLine,
  groupArchiveEntries,
} from './archive-objects';

/** Firehose buffering hints: a buffer is flushed when either is reached. */
export interface BufferingHints {
  /** Buffered bytes (NDJSON, before compression, as Firehose counts incoming data). */
  sizeBytes: number;
  /** Age of the buffer's oldest record, ms; 0 flushes every batch. */
  intervalMs: number;
}

/** The answer of a create-only write: created, or the key exists and holds `existing` (inclusive offsets). */
export type CreateResult =
  { created: true } | { created: false; existing: { firstOffset: bigint; lastOffset: bigint } };

/** Object storage written create-only (S3: PutObject with `If-None-Match: *`). */
export interface ArchiveStore {
  /**
   * Creates `object` unless its key exists; an existing object is never replaced, and its offset range
   * is returned instead. Throws when it could not tell (after its own retries).
   */
  create(object: ArchiveObject): Promise<CreateResult>;
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
  /**
   * A create was refused because the key exists (another owner, or an earlier attempt of this one,
   * wrote it first): the records it covers were not written again.
   */
  objectExisted(topic: string, kind: 'data' | 'error'): void;
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
  /**
   * The buffer may only be flushed once it holds this offset: an object already in the bucket (written
   * by an earlier owner of the partition) covers records up to it, so committing before it could leave
   * the next owner starting inside that object. -1n when nothing is required.
   */
  mustReach: bigint;
}

/**
 * Kinesis Data Firehose semantics for S3, per topic-partition, as plain TypeScript over three ports
 * (object store, offset committer, observer):
 *
 * - Buffering: records are validated (@tickwire/contracts' safeParseEvent) and buffered per
 *   topic-partition as NDJSON lines, valid ones verbatim, invalid ones as error lines with their
 *   reason; a buffer is flushed when its bytes reach the size hint or its oldest record the interval
 *   hint (wall clock, as Firehose), and on shutdown.
 * - Flush = per group (kind and hour, see groupArchiveEntries) create the group's objects
 *   create-only, THEN commit `last offset + 1`; a failure leaves the offsets uncommitted.
 *
 * Why every record lands in exactly one object, whatever the owners, rebalances, zombies and late
 * uploads. Object boundaries depend on wall-clock timing, so two owners of a partition (one that lost
 * it but still flushes, and the next one, which resumed at the committed offset) cut different
 * objects. Replacing objects is therefore unsafe (the last writer's range wins: records lost or
 * archived twice), and the store never replaces one: the bucket itself arbitrates, the first writer of
 * a key wins, everyone else adopts its object.
 *
 * For each group, the objects form one chain: an object holds ALL the group's records from its first
 * to its last offset (its metadata), and the next object starts at the group's first record after it.
 * A flush walks the chain from the start of its buffer: it creates an object of its group's records
 * from the current one on; if the key exists, its records up to the existing object's last offset are
 * already archived, and it continues with the group's next record after it (a new key, tried the
 * same way). So no object ever starts inside another (no duplicates), and a flush commits only once
 * each of its records is in an object (no loss). One more rule keeps every flush starting on a chain
 * position: a flush commits its end e + 1 only when no object it met extends beyond e; otherwise the
 * buffer keeps filling until it holds that object's last offset (`mustReach`) and flushes then. Every
 * committed offset is therefore a cut of every chain, and a new owner, which resumes at the committed
 * offset, walks the same chains. A stale commit (a late flush of an old owner that rejoined the group
 * meanwhile, which the coordinator accepts) also lands on a cut: at worst it moves the group back and
 * the refetched records find their objects existing.
 *
 * This is Confluent's S3 sink naming (topic, partition, start offset) with its wall-clock rotation made
 * exactly-once by S3 conditional writes (If-None-Match: *), instead of giving up wall-clock rotation
 * (Confluent: rotate.schedule.interval.ms is not exactly-once) or storing boundaries elsewhere.
 * It assumes the store's create is atomic (of concurrent creates of one key, one succeeds), as S3's is;
 * S3Mock 4.7.0 is not (see S3ArchiveStore).
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
        if (appended > 0 && buffer.bytes >= this.hints.sizeBytes && !this.mustGrow(buffer)) break;
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
   * Flushes the buffer of `topic`/`partition` if it reached a hint (size, or age >= interval) and holds
   * every offset an existing object requires (`mustReach`).
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

  /** True while the buffer ends before an offset an existing object requires. */
  private mustGrow(buffer: PartitionBuffer): boolean {
    const last = buffer.entries[buffer.entries.length - 1];
    return last !== undefined && last.offset < buffer.mustReach;
  }

  private isDue(buffer: PartitionBuffer): boolean {
    if (buffer.entries.length === 0 || this.mustGrow(buffer)) return false;
    return buffer.bytes >= this.hints.sizeBytes || this.clock() - buffer.openedAt >= this.hints.intervalMs;
  }

  private async flush(buffer: PartitionBuffer): Promise<void> {
    const { topic, partition, entries } = buffer;
    const last = entries[entries.length - 1];
    if (!last) return;
    let reach = -1n;
    try {
      const groupEnds = await Promise.all(
        groupArchiveEntries(entries).map((members) => this.archiveGroup(topic, partition, members)),
      );
      for (const end of groupEnds) if (end > reach) reach = end;
      if (reach <= last.offset) await this.committer.commit(topic, partition, (last.offset + 1n).toString());
    } catch (error) {
      this.observer.flushFailed(topic);
      throw new ArchiveFlushError(
        `Archiving ${topic}[${partition}] offsets ${entries[0]?.offset}..${last.offset} failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
    if (reach > last.offset) {
      // Every record is archived, but an earlier owner's object runs past the buffer: commit once the
      // buffer holds its end (the walk then finds the same objects existing and goes on after them).
      buffer.mustReach = reach;
      return;
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

  /**
   * Archives one group's records (in offset order) create-only, walking the group's chain of objects:
   * an existing key means its object holds the group's records up to its last offset, so the walk goes
   * on with the records after it.
   * @returns the last offset of the last object met or created (may exceed the members' last).
   * @throws the store's error, or an Error when an existing object does not start at its key's offset.
   */
  private async archiveGroup(topic: string, partition: number, members: BufferedEntry[]): Promise<bigint> {
    const target = { topic: this.contractTopicOf(topic), partition, ...this.prefixes };
    let rest = members;
    let end = -1n;
    while (rest.length > 0) {
      const object = buildArchiveObject(rest, target);
      const started = process.hrtime.bigint();
      const result = await this.store.create(object);
      if (result.created) {
        this.observer.objectUploaded(
          topic,
          object.kind,
          object.body.length,
          Number(process.hrtime.bigint() - started) / 1e9,
        );
        return object.lastOffset;
      }
      const { firstOffset, lastOffset } = result.existing;
      if (firstOffset !== object.firstOffset || lastOffset < firstOffset) {
        throw new Error(
          `${object.key} exists with offsets ${firstOffset}..${lastOffset}, not starting at ${object.firstOffset}`,
        );
      }
      this.observer.objectExisted(topic, object.kind);
      end = lastOffset;
      rest = rest.filter((entry) => entry.offset > lastOffset);
    }
    return end;
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
      buffer = {
        topic,
        partition,
        entries: [],
        bytes: 0,
        openedAt: this.clock(),
        errorClasses: new Map(),
        mustReach: -1n,
      };
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
