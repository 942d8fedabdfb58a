import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { KafkaClient } from '../client/kafka-client-factory';
import type { StructuredLogger } from '../client/structured-logger';
import { type KafkaRecord, toKafkaRecord } from '../kafka-record';
import { type KafkaMetricsSink, NOOP_KAFKA_METRICS } from '../kafka-metrics-sink';
import { coPartitionedAssigner } from './co-partitioned-assigner';
import { ConsumerLagMonitor } from './consumer-lag-monitor';
import type { KafkaConsumerStatus } from './kafka-consumer-server';

export interface DeferredCommitConsumerOptions {
  groupId: string;
  topics: readonly string[];
  logger: StructuredLogger;
  metrics?: KafkaMetricsSink;
  /** Where a group without committed offsets starts: true = earliest retained record (default). */
  fromBeginning?: boolean;
  /** Partitions handled in parallel (each partition stays ordered). Default 1. */
  partitionsConsumedConcurrently?: number;
  /** Group session timeout in ms; default 30000. Heartbeats go every third of it. */
  sessionTimeoutMs?: number;
  /** Broker fetch wait in ms; default 1000, so stop() (which waits for the pending fetch) stays quick. */
  maxWaitTimeMs?: number;
}

/** One fetched batch of one partition, handed to {@link DeferredCommitHandlers.onBatch}. */
export interface DeferredBatch {
  topic: string;
  partition: number;
  records: KafkaRecord[];
  /**
   * The batch's last offset, including transaction markers and aborted records after its last record
   * that read_committed filtered out: commit `lastOffset + 1` once the batch is durable, so the group
   * offset reaches the partition's end on a transactional topic.
   */
  lastOffset: string;
  /** Keeps the group membership alive during long work. */
  heartbeat(): Promise<void>;
  /**
   * Marks the records up to `offset` (inclusive) as taken over before onBatch returns: if onBatch then
   * throws, kafkajs fetches again from the next one instead of the batch start (e.g. a sink that
   * buffered part of the batch and failed to flush). Returning normally takes the whole batch.
   */
  markTaken(offset: string): void;
  /** False once the consumer stops, or when a rebalance / seek made the rest of this batch stale. */
  isActive(): boolean;
}

export interface DeferredCommitHandlers {
  /**
   * Takes the records over (typically into a buffer). Their offsets are NOT committed by this; commit
   * with {@link DeferredCommitConsumer.commit} once they are durable. If it throws, kafkajs restarts
   * the consumer, which resumes at the committed offsets ({@link onAssignmentReset} follows).
   */
  onBatch(batch: DeferredBatch): Promise<void>;
  /**
   * The consumer (re)joined its group: every assigned partition resumes at its committed offset, so
   * whatever was taken over but not committed will be delivered again and must be dropped now.
   * `assignment` maps topic -> partitions now owned.
   */
  onAssignmentReset(assignment: Record<string, number[]>): void;
  /**
   * Optional: a fetched batch held only records read_committed filters out (transaction markers,
   * aborted records), up to `lastOffset`; kafkajs moved the fetch position past it without calling
   * onBatch. An owner that commits per batch commits `lastOffset + 1` after its earlier batches of the
   * partition, or the group offset stays behind the end of a transactional topic. Called synchronously
   * from kafkajs' batch events: it must not block.
   */
  onFilteredBatch?(position: { topic: string; partition: number; lastOffset: string }): void;
}

/**
 * A consumer for sinks that buffer across many fetched batches (e.g. Firehose-style archiving):
 * the fetch position and the committed offset are decoupled. Every fetched record is resolved at once
 * (kafkajs moves on), while the group offset moves only through {@link commit}, called by the owner
 * after the buffered records became durable. No auto-commit, read_committed. Use
 * KafkaConsumerServer instead when records are durable by the end of each batch.
 *
 * Metrics: `recordsConsumed` counts records when taken over (their commit is the owner's), plus
 * handler duration and consumer lag per batch.
 *
 * Several instances in one group split the partitions co-partitioned (as KafkaConsumerServer). On a
 * rebalance, kafkajs rejoins only after the in-flight onBatch returned, then resumes every owned
 * partition at its committed offset; {@link DeferredCommitHandlers.onAssignmentReset} drops what was
 * buffered but not committed: handed back, the next owner reads it again. kafkajs' OffsetCommit
 * carries the generation and member id, so the coordinator rejects a commit of an older generation;
 * but it does not check which partitions the member owns, so a late commit of a member that rejoined
 * meanwhile is accepted, and nothing fences the owner's own side effects (an upload still running for
 * a partition that moved, or one of a paused process that lands late). The sink must make those
 * harmless itself: rewriting an object named by its first offset is NOT enough when object boundaries
 * depend on wall-clock timing (two owners cut different ranges under one key: the last writer wins,
 * records are lost or archived twice). firehose-archiver creates its objects only if absent and
 * adopts an existing object's range instead (S3 conditional writes; issue 17).
 */
export class DeferredCommitConsumer {
  private readonly consumer: Consumer;
  private readonly metrics: KafkaMetricsSink;
  /** Samples the group's lag from the broker every 15 s (offsets commit only once the owner made the records durable). */
  private readonly lagMonitor: ConsumerLagMonitor;
  private status: KafkaConsumerStatus = 'idle';
  private started = false;
  private closing = false;
  private assignment: Record<string, number[]> = {};

  constructor(
    kafka: KafkaClient,
    private readonly options: DeferredCommitConsumerOptions,
  ) {
    this.metrics = options.metrics ?? NOOP_KAFKA_METRICS;
    this.lagMonitor = new ConsumerLagMonitor(kafka, {
      groupId: options.groupId,
      topics: options.topics,
      metrics: this.metrics,
      logger: options.logger,
    });
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      // The same assignment as KafkaConsumerServer: instances of a service split partitions alike.
      partitionAssigners: [coPartitionedAssigner],
      // kafkajs restarts a crashed consumer by default, even one that is being stopped.
      retry: { retries: 5, restartOnFailure: () => Promise.resolve(!this.closing) },
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout,
      heartbeatInterval: Math.floor(sessionTimeout / 3),
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
    });
  }

  /** The latest consumer status (kafkajs events). */
  get currentStatus(): KafkaConsumerStatus {
    return this.status;
  }

  /**
   * Readiness: resolves while the consumer is connected or rebalancing.
   * @throws Error naming the status otherwise.
   */
  async probe(): Promise<{ consumerStatus: KafkaConsumerStatus; topics: string[] }> {
    if (this.status !== 'connected' && this.status !== 'rebalancing') {
      throw new Error(`Kafka consumer is ${this.status}`);
    }
    return { consumerStatus: this.status, topics: [...this.options.topics] };
  }

  /** Connects, subscribes and starts fetching into `handlers`. */
  async start(handlers: DeferredCommitHandlers): Promise<void> {
    const { consumer, options } = this;
    consumer.on(consumer.events.CONNECT, () => (this.status = 'connected'));
    consumer.on(consumer.events.REBALANCING, () => (this.status = 'rebalancing'));
    consumer.on(consumer.events.STOP, () => (this.status = 'stopped'));
    consumer.on(consumer.events.DISCONNECT, () => (this.status = 'disconnected'));
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.status = 'connected';
      this.assignment = event.payload.memberAssignment;
      handlers.onAssignmentReset(event.payload.memberAssignment);
    });
    // kafkajs emits the batch events for a batch of filtered records only ("to allow any listeners
    // keeping track of offsets to know about the latest point of consumption", kafkajs #1256), with
    // batchSize 0; onBatch is not called for it.
    const onFilteredBatch = handlers.onFilteredBatch?.bind(handlers);
    if (onFilteredBatch) {
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
        const { topic, partition, batchSize, lastOffset } = event.payload;
        if (batchSize === 0 && lastOffset !== null && lastOffset !== undefined)
          onFilteredBatch({ topic, partition, lastOffset: String(lastOffset) });
      });
    }
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) this.status = 'crashed';
      options.logger.error(
        { error: String(event.payload.error), restart: event.payload.restart },
        'Kafka consumer crashed',
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload, handlers),
    });
    this.started = true;
    this.lagMonitor.start();
  }

  /**
   * Commits `offsets` for the group: each `offset` is the NEXT offset to read (last durable + 1).
   * @throws a KafkaJS error when the commit fails (e.g. the partition was reassigned meanwhile).
   */
  async commit(offsets: readonly { topic: string; partition: number; offset: string }[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(
      offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
    );
  }

  /** Partitions owned since the latest group join, `{ [topic]: partitions }`. */
  currentAssignment(): Record<string, number[]> {
    return structuredClone(this.assignment);
  }

  /** Stops fetching from every topic (before a final flush); a no-op before start(). */
  pause(): void {
    if (!this.started) return;
    this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
  }

  /** Waits for the in-flight onBatch, leaves the group and disconnects. Idempotent. */
  async stop(): Promise<void> {
    this.closing = true;
    this.started = false;
    // The lag sampler stops beside the consumer: a sample in flight must not delay leaving the group.
    const monitorStopped = this.lagMonitor.stop();
    await this.consumer.disconnect();
    await monitorStopped;
    this.assignment = {};
  }

  private async handleBatch(payload: EachBatchPayload, handlers: DeferredCommitHandlers): Promise<void> {
    const { batch, resolveOffset, isRunning, isStale } = payload;
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const records = batch.messages.map((message) => toKafkaRecord(batch.topic, batch.partition, message));
    const started = process.hrtime.bigint();
    await handlers.onBatch({
      topic: batch.topic,
      partition: batch.partition,
      records,
      lastOffset: batch.lastOffset(),
      heartbeat: () => payload.heartbeat(),
      markTaken: (offset) => resolveOffset(offset),
      isActive: () => isRunning() && !isStale(),
    });
    this.metrics.handlerDuration(batch.topic, Number(process.hrtime.bigint() - started) / 1e9);
    // Resolve (not commit): the fetch position moves on; the committed offset waits for commit().
    // Not for a batch gone stale meanwhile: after a rebalance its partition resumes where committed.
    if (isRunning() && !isStale()) resolveOffset(batch.lastOffset());
    this.metrics.recordsConsumed(batch.topic, records.length);
    const lag = BigInt(batch.highWatermark) - BigInt(batch.lastOffset()) - 1n;
    this.metrics.consumerLag(batch.topic, batch.partition, Number(lag > 0n ? lag : 0n));
  }
}
