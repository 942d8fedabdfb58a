import type { createLocalKafka } from '@tickwire/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { catchUpRate, type CatchUpRate, type CommitSample } from '../stats/catch-up-rate';

/** The kafkajs client of the local stack (kept as the stack helper's type: tools name no client library). */
export type BenchKafka = ReturnType<typeof createLocalKafka>;
export type BenchAdmin = ReturnType<BenchKafka['admin']>;

/** End offset of each `topic[partition]`, and their sum. */
export interface TopicEnds {
  readonly ends: ReadonlyMap<string, number>;
  /** Sum of (high - low) over the partitions: offsets a new group reads (records plus any markers). */
  readonly offsets: number;
}

/** The end offsets of `topics` now. */
export async function topicEnds(admin: BenchAdmin, topics: readonly string[]): Promise<TopicEnds> {
  const ends = new Map<string, number>();
  let offsets = 0;
  for (const topic of topics) {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      ends.set(`${topic}[${partition}]`, Number(high));
      offsets += Number(high) - Number(low);
    }
  }
  return { ends, offsets };
}

/** Options of {@link watchCatchUp}. */
export interface WatchCatchUpOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly ends: TopicEnds;
  /**
   * Offsets per partition that may stay uncommitted at the end: 1 on a transactional topic, whose last
   * offset is a commit marker a consumer never sees as a record.
   */
  readonly tolerance: number;
  readonly timeoutMs: number;
  /** Called each poll; throw to abort (e.g. the service under test died). */
  readonly check?: () => void;
}

/**
 * Polls `groupId`'s committed offsets every 250 ms until every partition of `topics` is committed to
 * its end (less `tolerance`), and times the catch-up with {@link catchUpRate}.
 *
 * @throws Error after `timeoutMs` with the offsets still behind.
 */
export async function watchCatchUp(admin: BenchAdmin, options: WatchCatchUpOptions): Promise<CatchUpRate> {
  const samples: CommitSample[] = [];
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.check?.();
    const committed = await admin.fetchOffsets({ groupId: options.groupId, topics: [...options.topics] });
    const atMs = Date.now();
    let sum = 0;
    let behind = 0;
    for (const { topic, partitions } of committed) {
      for (const { partition, offset } of partitions) {
        const end = options.ends.ends.get(`${topic}[${partition}]`) ?? 0;
        const at = Math.max(0, Number(offset));
        sum += Math.min(at, end);
        if (end - at > options.tolerance && end > 0) behind += end - at;
      }
    }
    samples.push({ atMs, committed: sum });
    if (behind === 0) {
      const rate = catchUpRate(samples, 0, sum);
      if (!rate) throw new Error(`${options.groupId} caught up between two polls: backlog too small to time`);
      return rate;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${options.groupId} did not catch up within ${options.timeoutMs / 1000} s (${behind} offsets behind)`,
      );
    await sleep(250);
  }
}

/** One record read back from a topic. */
export interface DrainedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: Buffer | null;
  readonly value: Buffer;
}

/**
 * Reads every committed record of `topics` from the beginning (fresh group, read_committed) until the
 * end offsets taken at the start (on a transactional topic the last offset is a commit marker), and returns them: the same bytes a stage under test consumed, for a
 * raw baseline to write elsewhere.
 *
 * @throws Error when the end is not reached within `timeoutMs`.
 */
export async function drainTopics(
  kafka: BenchKafka,
  admin: BenchAdmin,
  topics: readonly string[],
  options: { transactional: boolean; timeoutMs?: number },
): Promise<DrainedRecord[]> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const markers = options.transactional ? 1 : 0;
  const { ends } = await topicEnds(admin, topics);
  const remaining = new Map([...ends].filter(([, end]) => end > 0));
  const records: DrainedRecord[] = [];
  const groupId = `bench-drain-${process.pid}-${Date.now()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 4 << 20 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    const finished = new Promise<void>((resolveDone) => {
      if (remaining.size === 0) resolveDone();
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            if (message.value)
              records.push({
                topic: batch.topic,
                partition: batch.partition,
                key: message.key,
                value: message.value,
              });
          }
          const key = `${batch.topic}[${batch.partition}]`;
          const end = remaining.get(key);
          // The last offset of a transactional partition is a marker: the batch's high watermark tells the end was reached.
          if (
            end !== undefined &&
            Number(batch.highWatermark) >= end &&
            Number(batch.lastOffset()) >= end - 1 - markers
          )
            remaining.delete(key);
          if (remaining.size === 0) resolveDone();
        },
      });
    });
    const timer = new AbortController();
    const timeout = sleep(timeoutMs, undefined, { signal: timer.signal }).then(() => {
      throw new Error(`draining ${topics.join(', ')} did not reach the end within ${timeoutMs / 1000} s`);
    });
    timeout.catch(() => undefined);
    try {
      await Promise.race([finished, timeout]);
    } finally {
      timer.abort();
    }
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return records;
}
