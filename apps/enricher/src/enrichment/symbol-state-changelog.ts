import { CompactedTopicReadTimeoutError, readLatestByKey, type KafkaClient as Kafka } from '@tickwire/kafka';
import type { OutgoingRecord } from '@tickwire/kafka';
import { enricherChangelogTopicSpec } from '@tickwire/resources';
import type { EngineSymbolSnapshot } from './enrichment-engine.service';

/** Raised when the changelog cannot be read to its end in time (e.g. a transaction left open by a zombie). */
export class ChangelogRestoreError extends Error {
  override readonly name = 'ChangelogRestoreError';
}

/** Raised at start-up when the changelog and the input topics are not co-partitioned. */
export class ChangelogPartitioningError extends Error {
  override readonly name = 'ChangelogPartitioningError';
}

/** One symbol's latest snapshot and the changelog partition (= input task) it was read from. */
export interface RestoredSymbol {
  readonly snapshot: EngineSymbolSnapshot;
  readonly partition: number;
}

/**
 * The compacted changelog topic of per-symbol enricher state (Kafka Streams' state-store changelog):
 * record key = symbol, value = JSON {@link EngineSymbolSnapshot}, partition = the input task (the
 * input partition number the symbol arrives on), as Kafka Streams places a task's changelog records.
 * Writes happen in the enricher's per-task transactions (see {@link records}); {@link readAll}
 * rebuilds the state of the tasks an instance owns.
 */
export class SymbolStateChangelog {
  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly groupIdPrefix: string,
  ) {}

  /**
   * Creates the topic (compacted, as many partitions as the inputs) unless it exists, then checks
   * that every input topic and the changelog have the same partition count: the co-partitioning that
   * lets an instance own task p (partition p of every input) and restore exactly changelog
   * partition p.
   *
   * @returns the partition count shared by the inputs and the changelog
   * @throws ChangelogPartitioningError when the counts differ (repartition the changelog, or recreate
   *   it empty, before starting); the admin error when creation fails for another reason than
   *   "already exists"
   */
  async ensureTopic(inputTopics: readonly string[]): Promise<number> {
    // Right after a topic is created (or deleted and created again, as the main job's reset does),
    // metadata requests may still answer UNKNOWN_TOPIC_OR_PARTITION for a moment: retry retriable
    // errors for up to ~10 s; creating an existing topic is a no-op.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.ensureTopicOnce(inputTopics);
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private async ensureTopicOnce(inputTopics: readonly string[]): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const inputs = await admin.fetchTopicMetadata({ topics: [...inputTopics] });
      const counts = new Map(inputs.topics.map((t) => [t.name, t.partitions.length]));
      const partitions = Math.max(...counts.values());
      if (!(await admin.listTopics()).includes(this.topic)) await this.create(admin, partitions);
      const [changelog] = (await admin.fetchTopicMetadata({ topics: [this.topic] })).topics;
      counts.set(this.topic, changelog?.partitions.length ?? 0);
      if (new Set(counts.values()).size !== 1) {
        throw new ChangelogPartitioningError(
          `the enricher's inputs and changelog must have equal partition counts (co-partitioned), got ${[
            ...counts,
          ]
            .map(([topic, count]) => `${topic}=${count}`)
            .join(', ')}`,
        );
      }
      return partitions;
    } finally {
      await admin.disconnect();
    }
  }

  private async create(admin: ReturnType<Kafka['admin']>, partitions: number): Promise<void> {
    const spec = enricherChangelogTopicSpec({ partitions });
    // createTopics resolves false (no error) when another instance created the topic meanwhile.
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
  }

  /** The changelog records of `snapshots` (key = symbol) in partition `task`; null snapshot = tombstone. */
  records(
    task: number,
    snapshots: readonly [symbol: string, snapshot: EngineSymbolSnapshot | null][],
  ): OutgoingRecord[] {
    return snapshots.map(([symbol, snapshot]) => ({
      topic: this.topic,
      partition: task,
      key: symbol,
      value: snapshot === null ? null : JSON.stringify(snapshot),
    }));
  }

  /**
   * Reads `partitions` (the owned tasks) from the beginning to their end offsets (read_committed, so
   * only committed transactions) and returns the latest snapshot per symbol ({@link readLatestByKey}:
   * a throwaway consumer group that never commits; other partitions and their open transactions, other
   * instances', are not waited for). Call it only after fencing the previous owners of `partitions`
   * (PartitionTaskProducers.ready): from then on nobody else can append to them.
   *
   * @throws ChangelogRestoreError after `timeoutMs` (default 60 s) without reaching the end
   */
  async readAll(partitions: readonly number[], timeoutMs = 60_000): Promise<Map<string, RestoredSymbol>> {
    let latest: Awaited<ReturnType<typeof readLatestByKey>>;
    try {
      latest = await readLatestByKey(this.kafka, { topic: this.topic, partitions, groupIdPrefix: this.groupIdPrefix, timeoutMs });
    } catch (error) {
      if (error instanceof CompactedTopicReadTimeoutError) throw new ChangelogRestoreError(`changelog ${error.message}`);
      throw error;
    }
    const state = new Map<string, RestoredSymbol>();
    for (const [symbol, { value, partition }] of latest)
      state.set(symbol, { partition, snapshot: JSON.parse(value.toString('utf8')) as EngineSymbolSnapshot });
    return state;
  }
}
