import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CUSTOMER_TOPICS, RAW_TOPICS } from '@tickwire/contracts';
import { type KafkaClient, toKafkaRecord } from '@tickwire/kafka';
import { READINESS_CHECKS, type ReadinessCheck, ROOT_LOGGER, SERVICE_CONFIG } from '@tickwire/service-kit';
import type { KafkaConsumer as Consumer, KafkaEachBatchPayload as EachBatchPayload } from '@tickwire/kafka';
import type { Logger } from 'pino';
import type { ArchiverConfig } from '../config/archiver-env-schema';
import { ArchiverMetrics } from './archiver-metrics';
import { ArchiveService, type OffsetCommitter } from './archive.service';

/**
 * The topics archived with `config`: the raw topics, plus the customer ones when ARCHIVE_ENRICHED,
 * each behind KAFKA_TOPIC_PREFIX.
 */
export function archivedTopics(
  config: Pick<ArchiverConfig, 'ARCHIVE_ENRICHED' | 'KAFKA_TOPIC_PREFIX'>,
): string[] {
  return [...RAW_TOPICS, ...(config.ARCHIVE_ENRICHED ? CUSTOMER_TOPICS : [])].map(
    (topic) => `${config.KAFKA_TOPIC_PREFIX}${topic}`,
  );
}

/** Nest token of the archiver's kafkajs Consumer (shared by ArchiveConsumer and the offset committer). */
export const ARCHIVE_KAFKA_CONSUMER = Symbol('tickwire:archive-kafka-consumer');

/** The archiver's consumer (not connected): no auto-commit is set at run(); read_committed; 1 s broker waits. */
export function createArchiveKafkaConsumer(kafka: KafkaClient, config: ArchiverConfig): Consumer {
  return kafka.consumer({
    groupId: config.KAFKA_CONSUMER_GROUP ?? config.SERVICE_NAME,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 10_000,
    // Short broker waits keep shutdown (which waits for the pending fetch) well inside 10 s.
    maxWaitTimeInMs: 1_000,
  });
}

/** Commits through `consumer`: `offset` is the next offset to read (last archived + 1). */
export function consumerOffsetCommitter(consumer: Consumer): OffsetCommitter {
  return { commit: (topic, partition, offset) => consumer.commitOffsets([{ topic, partition, offset }]) };
}

/**
 * The archiver's Kafka consumer (the "controller": it only moves records between kafkajs and
 * ArchiveService). Firehose buffering spans many fetched batches, so the fetch position and the
 * committed offset are decoupled: every fetched record is resolved at once (kafkajs moves on), while
 * the group offset is committed only by ArchiveService after the upload (autoCommit off, so kafkajs
 * never commits resolved offsets by itself). On a rebalance kafkajs resumes at the committed offsets,
 * hence the buffers are dropped on every group join. Reads read_committed: with ARCHIVE_ENRICHED the
 * enricher's transactional topics are archived without aborted records.
 *
 * Shutdown (SIGTERM, before clients close): stop fetching, let the in-flight batch finish, flush
 * every buffer (upload + commit), then leave the group: within the 10 s budget for 5 MiB buffers.
 */
@Injectable()
export class ArchiveConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running = false;
  /** Consumer state for readiness: the cluster may answer while this consumer crashed. */
  private state: 'starting' | 'joined' | 'rebalancing' | 'crashed' | 'stopped' = 'starting';
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private readonly inFlight = new Set<Promise<void>>();
  readonly topics: string[];

  constructor(
    @Inject(ARCHIVE_KAFKA_CONSUMER) private readonly consumer: Consumer,
    @Inject(SERVICE_CONFIG) private readonly config: ArchiverConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly archive: ArchiveService,
    private readonly metrics: ArchiverMetrics,
    @Inject(READINESS_CHECKS) readinessChecks: ReadinessCheck[],
  ) {
    this.topics = archivedTopics(config);
    readinessChecks.push({ name: 'kafka-consumer', probe: async () => this.probe() });
  }

  /**
   * Readiness of the consumer itself: joined (or rebalancing) and not crashed.
   * @throws Error when the consumer crashed for good, stopped, or has not joined its group yet.
   */
  probe(): Promise<Record<string, unknown>> {
    const details = { state: this.state, topics: this.topics, ...this.archive.buffered };
    if (this.state === 'joined' || this.state === 'rebalancing') return Promise.resolve(details);
    return Promise.reject(new Error(`archive consumer is ${this.state}`));
  }

  async onApplicationBootstrap(): Promise<void> {
    const { consumer } = this;
    this.running = true;
    consumer.on(consumer.events.REBALANCING, () => (this.state = 'rebalancing'));
    consumer.on(consumer.events.STOP, () => (this.state = 'stopped'));
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.state = 'joined';
      this.archive.discardAll();
      this.logger.info(
        { memberAssignment: event.payload.memberAssignment },
        'Joined the consumer group; buffers reset to the committed offsets',
      );
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) this.state = 'crashed';
      this.logger.error(
        { err: event.payload.error, restart: event.payload.restart },
        'Archive consumer crashed',
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.KAFKA_PARTITIONS_CONCURRENCY,
      eachBatch: (payload) => this.track(this.onBatch(payload)),
    });
    // The interval hint is checked every second (Firehose's own granularity is coarser).
    const tickMs = Math.max(100, Math.min(1_000, (this.config.BUFFER_INTERVAL_SECONDS * 1_000) / 4));
    this.timer = setInterval(() => void this.track(this.onTick()), tickMs);
    this.logger.info(
      {
        topics: this.topics,
        bufferSizeMiB: this.config.BUFFER_SIZE_MIB,
        bufferIntervalSeconds: this.config.BUFFER_INTERVAL_SECONDS,
        bucket: this.config.ARCHIVE_BUCKET,
      },
      'Archive consumer started',
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    const { consumer } = this;
    if (!this.running || this.closing) return;
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    consumer.pause(this.topics.map((topic) => ({ topic })));
    await Promise.allSettled([...this.inFlight]);
    const failures = await this.archive.flushAll();
    for (const { topic, partition, error } of failures) {
      this.logger.error(
        { topic, partition, err: error },
        'Final flush failed; these records stay uncommitted and will be redelivered',
      );
    }
    await consumer.disconnect();
    this.running = false;
    this.logger.info({ failedPartitions: failures.length }, 'Archive consumer flushed and stopped');
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    if (this.closing || !isRunning() || isStale() || batch.messages.length === 0) return;
    const records = batch.messages.map((message) => toKafkaRecord(batch.topic, batch.partition, message));
    // Append up to the size hint, mark exactly what is buffered as consumed, flush if due, repeat: if a
    // flush fails, kafkajs retries from the first record not yet buffered (or, after a restart,
    // from the committed offset, the buffers being reset on the group join).
    for (let next = 0; next < records.length;) {
      if (!isRunning() || isStale()) return;
      const appended = await this.archive.append(batch.topic, batch.partition, records.slice(next));
      next += appended;
      resolveOffset(
        next === records.length ? batch.lastOffset() : (records[next - 1] as (typeof records)[number]).offset,
      );
      this.updateGauges();
      await heartbeat();
      await this.archive.flushIfDue(batch.topic, batch.partition);
    }
    this.updateGauges();
  }

  private async onTick(): Promise<void> {
    if (this.closing) return;
    const failures = await this.archive.flushDue();
    for (const { topic, partition, error } of failures) {
      this.logger.warn(
        { topic, partition, err: error },
        'Interval flush failed; records stay buffered and uncommitted, retrying on the next tick',
      );
    }
    this.updateGauges();
  }

  private updateGauges(): void {
    const { records, bytes } = this.archive.buffered;
    this.metrics.bufferedRecords.set(records);
    this.metrics.bufferedBytes.set(bytes);
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    void work.catch(() => undefined).finally(() => this.inFlight.delete(work));
    return work;
  }
}
