import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type DeferredBatch,
  DeferredCommitConsumer,
  DeadLetterPublisher,
  type KafkaClient,
  type KafkaMetricsSink,
  RecordProducer,
} from '@tickwire/kafka';
import { MetricsService, READINESS_CHECKS, type ReadinessCheck, ROOT_LOGGER, SERVICE_CONFIG } from '@tickwire/service-kit';
import type { Logger } from 'pino';
import type { IndexerConfig } from '../config/indexer-env-schema';
import { BulkIndexingService } from './bulk-indexing.service';
import { PipelinedCommits } from './pipelined-commits';
import { INDEXED_TOPICS } from './search-document';

/** Nest token of the indexer's DeferredCommitConsumer. */
export const INDEXER_KAFKA_CONSUMER = Symbol('tickwire:indexer-kafka-consumer');

/** Nest token of the indexer's dead-letter producer (a plain idempotent RecordProducer). */
export const INDEXER_DLQ_PRODUCER = Symbol('tickwire:indexer-dlq-producer');

/**
 * The indexer's consumer (not started): @tickwire/kafka's DeferredCommitConsumer on the customer
 * streams (read_committed: the enricher writes them in transactions), co-partitioned assignment,
 * no auto-commit, 1 s broker waits so shutdown stays quick. `recordsConsumed` is counted by
 * {@link IndexerConsumer} when a batch is committed, not when it is taken over.
 */
export function createIndexerKafkaConsumer(
  kafka: KafkaClient,
  config: IndexerConfig,
  logger: Logger,
  metrics: KafkaMetricsSink,
): DeferredCommitConsumer {
  return new DeferredCommitConsumer(kafka, {
    groupId: config.KAFKA_CONSUMER_GROUP ?? config.SERVICE_NAME,
    topics: INDEXED_TOPICS,
    logger: logger.child({ component: 'kafka-consumer' }),
    metrics: {
      recordsConsumed: () => undefined,
      recordDeadLettered: (topic, reason) => metrics.recordDeadLettered(topic, reason),
      handlerDuration: (topic, seconds) => metrics.handlerDuration(topic, seconds),
      consumerLag: (topic, partition, lag) => metrics.consumerLag(topic, partition, lag),
      consumerGroupLag: (group, topic, partition, lag) =>
        metrics.consumerGroupLag?.(group, topic, partition, lag),
    },
    partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENCY,
    sessionTimeoutMs: 30_000,
    maxWaitTimeMs: 1_000,
  });
}

/**
 * Moves records from Kafka to {@link BulkIndexingService}, pipelined: a fetched batch is parsed and
 * its documents submitted to the shared bulk batcher, and the consumer fetches the next batch while
 * OpenSearch indexes this one (up to BULK_MAX_PENDING_BATCHES batches taken over and not committed).
 * A batch's offset is committed once its bulk responses were handled, its dead letters (contract
 * violations, documents OpenSearch rejected for good) written to `<topic>.dlq`, and every earlier
 * batch of its partition committed ({@link PipelinedCommits}). A batch that fails (OpenSearch
 * unavailable after BULK_MAX_RETRIES) is indexed again until it succeeds; nothing after it in its
 * partition is committed meanwhile. At-least-once into OpenSearch; documents have deterministic
 * `_id`s, so a redelivered record overwrites itself.
 *
 * Shutdown (SIGTERM): stop fetching, let pending batches finish and commit (retries are cut 5 s in
 * by BulkIndexingLifecycle, leaving the rest uncommitted), leave the group: within the 10 s budget.
 */
@Injectable()
export class IndexerConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly commits: PipelinedCommits;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private closing = false;

  constructor(
    @Inject(INDEXER_KAFKA_CONSUMER) private readonly consumer: DeferredCommitConsumer,
    @Inject(INDEXER_DLQ_PRODUCER) private readonly dlqProducer: RecordProducer,
    @Inject(SERVICE_CONFIG) private readonly config: IndexerConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly indexing: BulkIndexingService,
    metrics: MetricsService,
    @Inject(READINESS_CHECKS) readinessChecks: ReadinessCheck[],
  ) {
    const groupId = config.KAFKA_CONSUMER_GROUP ?? config.SERVICE_NAME;
    this.deadLetters = new DeadLetterPublisher(dlqProducer, config.SERVICE_NAME, metrics, groupId);
    this.commits = new PipelinedCommits(
      { commit: (topic, partition, offset) => consumer.commit([{ topic, partition, offset }]) },
      {
        batchRetry: (topic, partition, attempt, delayMs, error) =>
          logger.warn(
            { topic, partition, attempt, delayMs, err: error },
            'Batch failed; indexing it again (it and later batches of its partition stay uncommitted)',
          ),
        committed: (topic, records) => metrics.recordsConsumed(topic, records),
        commitFailed: (topic, partition, error) =>
          logger.warn(
            { topic, partition, err: error },
            'Offset commit failed; the partition is read again from its last committed offset',
          ),
      },
      {
        maxPendingBatches: config.BULK_MAX_PENDING_BATCHES,
        retryMinMs: 200,
        retryMaxMs: 5_000,
        signal: this.stopping.signal,
      },
    );
    readinessChecks.push({ name: 'kafka-consumer', probe: async () => this.probe() });
  }

  /**
   * Readiness of the consumer itself: connected (or rebalancing) and not crashed.
   * @throws Error when the consumer crashed for good, stopped, or has not started yet.
   */
  async probe(): Promise<Record<string, unknown>> {
    return { ...(await this.consumer.probe()), pendingBatches: this.commits.pendingBatches };
  }

  /** Partitions this instance indexes since its latest group join, `{ [topic]: partitions }`. */
  currentAssignment(): Record<string, number[]> {
    return this.consumer.currentAssignment();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dlqProducer.connect();
    this.running = true;
    await this.consumer.start({
      onBatch: (batch) => this.track(this.onBatch(batch)),
      // Transaction markers / aborted records alone: committed after the earlier batches, so the
      // group offset reaches the end of the enricher's transactional topics.
      onFilteredBatch: ({ topic, partition, lastOffset }) => {
        if (!this.closing) this.commits.track(topic, partition, lastOffset, 0, async () => undefined);
      },
      onAssignmentReset: (assignment) => {
        this.commits.reset();
        this.logger.info({ memberAssignment: assignment }, 'Joined the consumer group');
      },
    });
    this.logger.info({ topics: INDEXED_TOPICS, groupId: this.config.KAFKA_CONSUMER_GROUP ?? this.config.SERVICE_NAME }, 'Kafka consumer started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running || this.closing) return;
    this.closing = true;
    this.consumer.pause();
    await Promise.allSettled([...this.inFlight]);
    // Retries are cut by BulkIndexingLifecycle's abort 5 s in; stop re-indexing failed batches too.
    const cut = setTimeout(() => this.stopping.abort(), 5_000);
    await this.commits.drain();
    clearTimeout(cut);
    await this.consumer.stop();
    await this.dlqProducer.disconnect();
    this.running = false;
    this.logger.info('Kafka consumer drained and stopped');
  }

  private async onBatch(batch: DeferredBatch): Promise<void> {
    if (this.closing || !batch.isActive()) return;
    await this.commits.admit(() => batch.heartbeat());
    if (this.closing || !batch.isActive()) return;
    const { topic, partition, records } = batch;
    if (records.length === 0) return;
    // Up to the batch's last offset, so trailing transaction markers are committed with it.
    this.commits.track(topic, partition, batch.lastOffset, records.length, async () => {
      const { deadLetters } = await this.indexing.indexRecords(records);
      if (deadLetters.length > 0) {
        this.logger.warn({ topic, partition, count: deadLetters.length }, 'Batch rejected records; dead-lettering them');
        await this.deadLetters.publish(deadLetters);
      }
    });
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    void work.catch(() => undefined).finally(() => this.inFlight.delete(work));
    return work;
  }
}
