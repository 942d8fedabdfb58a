import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CUSTOMER_TOPICS, RAW_TOPICS } from '@tickwire/contracts';
import {
  type DeferredBatch,
  DeferredCommitConsumer,
  type KafkaClient,
  type KafkaMetricsSink,
  type KafkaRecord,
  NOOP_KAFKA_METRICS,
} from '@tickwire/kafka';
import { READINESS_CHECKS, type ReadinessCheck, ROOT_LOGGER, SERVICE_CONFIG } from '@tickwire/service-kit';
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

/** Nest token of the archiver's DeferredCommitConsumer (shared by ArchiveConsumer and the offset committer). */
export const ARCHIVE_KAFKA_CONSUMER = Symbol('tickwire:archive-kafka-consumer');

/**
 * The archiver's consumer (not started): @tickwire/kafka's DeferredCommitConsumer, so it shares the
 * rebalance and commit path of every other consumer (co-partitioned assignment, no auto-commit,
 * read_committed, 1 s broker waits that keep shutdown well inside 10 s, no restart once stopping),
 * with KAFKA_SESSION_TIMEOUT_MS as its session timeout.
 */
export function createArchiveKafkaConsumer(
  kafka: KafkaClient,
  config: ArchiverConfig,
  logger: Logger,
  metrics?: Pick<KafkaMetricsSink, 'consumerGroupLag'>,
): DeferredCommitConsumer {
  return new DeferredCommitConsumer(kafka, {
    // Only the broker-sampled group lag: records count as archived when their object is in S3 (ArchiverMetrics).
    metrics: { ...NOOP_KAFKA_METRICS, consumerGroupLag: (...lag) => metrics?.consumerGroupLag?.(...lag) },
    groupId: config.KAFKA_CONSUMER_GROUP ?? config.SERVICE_NAME,
    topics: archivedTopics(config),
    logger: logger.child({ component: 'archive-kafka-consumer' }),
    partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENCY,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    maxWaitTimeMs: 1_000,
  });
}

/** Commits through `consumer`: `offset` is the next offset to read (last archived + 1). */
export function consumerOffsetCommitter(consumer: DeferredCommitConsumer): OffsetCommitter {
  return { commit: (topic, partition, offset) => consumer.commit([{ topic, partition, offset }]) };
}

/**
 * The archiver's Kafka consumer (the "controller": it only moves records between the consumer and
 * ArchiveService). Firehose buffering spans many fetched batches, so the fetch position and the
 * committed offset are decoupled (DeferredCommitConsumer): every fetched record is taken over into a
 * buffer at once, while the group offset is committed only by ArchiveService after the upload. On a
 * rebalance the consumer resumes at the committed offsets, hence the buffers are dropped on every
 * group join (handed back: the next owner of a partition archives them). A flush of the interval timer
 * may still be running for a partition that moved, or land late (a paused process): objects are
 * created only if absent, so such a late flush adopts what the new owner wrote and vice versa (see
 * ArchiveService). Reads read_committed: with ARCHIVE_ENRICHED the enricher's
 * transactional topics are archived without aborted records. Several instances in one group split
 * the partitions.
 *
 * Shutdown (SIGTERM, before clients close): stop fetching, let the in-flight batch finish, flush
 * every buffer (upload + commit), then leave the group: within the 10 s budget for 5 MiB buffers.
 */
@Injectable()
export class ArchiveConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private readonly inFlight = new Set<Promise<void>>();
  readonly topics: string[];

  constructor(
    @Inject(ARCHIVE_KAFKA_CONSUMER) private readonly consumer: DeferredCommitConsumer,
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
   * Readiness of the consumer itself: connected (or rebalancing) and not crashed.
   * @throws Error when the consumer crashed for good, stopped, or has not started yet.
   */
  async probe(): Promise<Record<string, unknown>> {
    return { ...(await this.consumer.probe()), ...this.archive.buffered };
  }

  /** Partitions this instance archives since its latest group join. */
  currentAssignment(): Record<string, number[]> {
    return this.consumer.currentAssignment();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    await this.consumer.start({
      onBatch: (batch) => this.track(this.onBatch(batch)),
      onAssignmentReset: (assignment) => {
        this.archive.discardAll();
        this.updateGauges();
        this.logger.info(
          { memberAssignment: assignment },
          'Joined the consumer group; buffers reset to the committed offsets',
        );
      },
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
    if (!this.running || this.closing) return;
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    this.consumer.pause();
    await Promise.allSettled([...this.inFlight]);
    const failures = await this.archive.flushAll();
    for (const { topic, partition, error } of failures) {
      this.logger.error(
        { topic, partition, err: error },
        'Final flush failed; these records stay uncommitted and will be redelivered',
      );
    }
    await this.consumer.stop();
    this.running = false;
    this.logger.info({ failedPartitions: failures.length }, 'Archive consumer flushed and stopped');
  }

  private async onBatch(batch: DeferredBatch): Promise<void> {
    const { topic, partition, records } = batch;
    if (this.closing || !batch.isActive()) return;
    // Append up to the size hint, mark exactly what is buffered as taken, flush if due, repeat: if a
    // flush fails, kafkajs retries from the first record not yet buffered (or, after a restart,
    // from the committed offset, the buffers being reset on the group join).
    for (let next = 0; next < records.length;) {
      if (!batch.isActive()) return;
      const appended = await this.archive.append(topic, partition, records.slice(next));
      next += appended;
      if (appended > 0) batch.markTaken((records[next - 1] as KafkaRecord).offset);
      this.updateGauges();
      await batch.heartbeat();
      await this.archive.flushIfDue(topic, partition);
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
