import type { KafkaClient as Kafka } from '@tickwire/kafka';
import type { OutgoingRecord } from '@tickwire/kafka';
import { enricherChangelogTopicSpec } from '@tickwire/resources';
import type { EngineSymbolSnapshot } from './enrichment-engine.service';

/** Raised when the changelog cannot be read to its end in time (e.g. a transaction left open by a zombie). */
export class ChangelogRestoreError extends Error {
  override readonly name = 'ChangelogRestoreError';
}

/**
 * The compacted changelog topic of per-symbol enricher state (Kafka Streams' state-store changelog):
 * record key = symbol, value = JSON {@link EngineSymbolSnapshot}. Writes happen in the enricher's
 * transactions (see {@link records}); {@link readAll} rebuilds the state from it.
 */
export class SymbolStateChangelog {
  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly groupIdPrefix: string,
  ) {}

  /**
   * Creates the topic (compacted, partitions as `partitionsLike`) unless it exists.
   * @throws the admin error when creation fails for another reason than "already exists"
   */
  async ensureTopic(partitionsLike: string): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      if (existing.includes(this.topic)) return;
      const metadata = await admin.fetchTopicMetadata({ topics: [partitionsLike] });
      const partitions = metadata.topics[0]?.partitions.length ?? 3;
      const spec = enricherChangelogTopicSpec({ partitions });
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: this.topic,
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor,
            configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** The changelog records of `snapshots` (one per symbol, key = symbol). */
  records(snapshots: readonly [symbol: string, snapshot: EngineSymbolSnapshot][]): OutgoingRecord[] {
    return snapshots.map(([symbol, snapshot]) => ({
      topic: this.topic,
      key: symbol,
      value: JSON.stringify(snapshot),
    }));
  }

  /**
   * Reads every partition from the beginning to its end offset (read_committed, so only committed
   * transactions) and returns the latest snapshot per symbol. Uses a throwaway consumer group that
   * never commits. Progress is tracked on kafkajs' END_BATCH_PROCESS events, which also fire for
   * batches holding only transaction markers (the last record of a transactional partition).
   *
   * @throws ChangelogRestoreError after `timeoutMs` (default 60 s) without reaching the end
   */
  async readAll(timeoutMs = 60_000): Promise<Map<string, EngineSymbolSnapshot>> {
    const admin = this.kafka.admin();
    await admin.connect();
    let ends: { partition: number; high: string; low: string }[];
    try {
      ends = await admin.fetchTopicOffsets(this.topic);
    } finally {
      await admin.disconnect();
    }
    const remaining = new Map<number, bigint>();
    for (const { partition, high, low } of ends)
      if (BigInt(high) > BigInt(low)) remaining.set(partition, BigInt(high) - 1n);
    const state = new Map<string, EngineSymbolSnapshot>();
    if (remaining.size === 0) return state;

    const consumer = this.kafka.consumer({
      groupId: `${this.groupIdPrefix}-restore-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
      maxBytesPerPartition: 10 * 1024 * 1024,
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new ChangelogRestoreError(
                `changelog ${this.topic} not read to its end within ${timeoutMs} ms (partitions left: ${[...remaining.keys()].join(', ')})`,
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
              for (const message of batch.messages) {
                const symbol = message.key?.toString('utf8');
                if (symbol === undefined) continue;
                if (message.value === null) state.delete(symbol);
                else state.set(symbol, JSON.parse(message.value.toString('utf8')) as EngineSymbolSnapshot);
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
    return state;
  }
}
