import type { Kafka } from 'kafkajs';

/** Raised when a topic cannot be read to its end in time (e.g. a transaction left open by a zombie producer). */
export class CompactedTopicReadTimeoutError extends Error {
  override readonly name = 'CompactedTopicReadTimeoutError';
}

/** The latest record of one key: its value (never a tombstone) and the partition it was read from. */
export interface LatestRecord {
  readonly value: Buffer;
  readonly partition: number;
}

/** Options of {@link readLatestByKey}. */
export interface ReadLatestByKeyOptions {
  readonly topic: string;
  /** Partitions to read; default all. Records of other partitions are ignored and not waited for. */
  readonly partitions?: readonly number[];
  /** Prefix of the throwaway consumer group (`<prefix>-restore-<random>`); it never commits. */
  readonly groupIdPrefix: string;
  /** Give up after this long, ms. Default 60,000. */
  readonly timeoutMs?: number;
}

/**
 * Reads a log-compacted topic (a key-value changelog, as Kafka Streams restores its state stores) from
 * the beginning to the end offsets taken at the call, read_committed (only committed transactions
 * count), and returns the latest value per key; a tombstone (null value) removes its key. Records without
 * a key are skipped. Uses a throwaway consumer group that never commits. Progress is tracked on kafkajs'
 * END_BATCH_PROCESS events, which also fire for batches holding only transaction markers (the last record
 * of a transactional partition). The caller makes sure nobody else appends to the partitions meanwhile
 * (e.g. by fencing their previous owners), or accepts that later appends are not read.
 *
 * @returns key (UTF-8) -> latest record
 * @throws CompactedTopicReadTimeoutError after `timeoutMs` without reaching the end; the client's error
 *   when the topic cannot be read (e.g. it does not exist)
 */
export async function readLatestByKey(kafka: Kafka, options: ReadLatestByKeyOptions): Promise<Map<string, LatestRecord>> {
  const { topic, groupIdPrefix, timeoutMs = 60_000 } = options;
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const wanted = options.partitions === undefined ? undefined : new Set(options.partitions);
  const isWanted = (partition: number) => wanted === undefined || wanted.has(partition);
  const remaining = new Map<number, bigint>();
  for (const { partition, high, low } of ends)
    if (isWanted(partition) && BigInt(high) > BigInt(low)) remaining.set(partition, BigInt(high) - 1n);
  const latest = new Map<string, LatestRecord>();
  if (remaining.size === 0) return latest;

  const consumer = kafka.consumer({
    groupId: `${groupIdPrefix}-restore-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    readUncommitted: false,
    maxWaitTimeInMs: 200,
    maxBytesPerPartition: 10 * 1024 * 1024,
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new CompactedTopicReadTimeoutError(
              `${topic} not read to its end within ${timeoutMs} ms (partitions left: ${[...remaining.keys()].join(', ')})`,
            ),
          ),
        timeoutMs,
      );
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const last = remaining.get(payload.partition);
        if (last !== undefined && BigInt(payload.lastOffset) >= last) remaining.delete(payload.partition);
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (!isWanted(batch.partition)) return;
            for (const message of batch.messages) {
              const key = message.key?.toString('utf8');
              if (key === undefined) continue;
              if (message.value === null) latest.delete(key);
              else latest.set(key, { value: message.value, partition: batch.partition });
            }
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return latest;
}
