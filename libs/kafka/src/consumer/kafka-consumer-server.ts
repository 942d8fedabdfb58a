import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { createKafkaClient, type KafkaConnectionOptions } from '../client/kafka-client-factory';
import type { StructuredLogger } from '../client/structured-logger';
import { DeadLetterPublisher, describeError } from '../dead-letter/dead-letter-publisher';
import { type KafkaRecord, nextOffset, toKafkaRecord } from '../kafka-record';
import { type KafkaMetricsSink, NOOP_KAFKA_METRICS } from '../kafka-metrics-sink';
import { ConsumerLagMonitor } from './consumer-lag-monitor';
import { RecordProducer } from '../producer/record-producer';
import { coPartitionedAssigner, tasksOf, type TopicPartitionAssignment } from './co-partitioned-assigner';
import { type ConsumerTasks, KafkaConsumerContext } from './kafka-consumer-context';
import { PartitionTaskProducers } from './partition-task-producers';
import type { BatchHandlingResult, KafkaHandlerExtras } from './kafka-handler-options';

/** Identifies this transport in Nest (e.g. for `@EventPattern(topic, TICKWIRE_KAFKA_TRANSPORT)`). */
export const TICKWIRE_KAFKA_TRANSPORT = Symbol('tickwire-kafka');

/**
 * Event pattern of a lifecycle handler, never a topic (':' is not legal in a Kafka topic name): a
 * transactional server (one with `transactionalIdPrefix`) calls `@EventPattern(KAFKA_TASKS_ASSIGNED)`
 * with a {@link TasksAssigned} after every group join, so that a handler can restore per-task state
 * before any batch arrives, or when none ever does (a finished replay). The server does not wait for
 * it; a rejection is logged as a warning.
 */
export const KAFKA_TASKS_ASSIGNED = 'tickwire:tasks-assigned';

/** The payload of {@link KAFKA_TASKS_ASSIGNED}: the group and its transactional tasks after a join. */
export interface TasksAssigned {
  readonly groupId: string;
  readonly tasks: ConsumerTasks;
}

export interface KafkaConsumerServerOptions {
  connection: KafkaConnectionOptions;
  /** Consumer group; by convention the service name. */
  groupId: string;
  /** Written into dead letters' `service` header. */
  serviceName: string;
  logger: StructuredLogger;
  metrics?: KafkaMetricsSink;
  /** Where a group without committed offsets starts: true = earliest retained record (default). */
  fromBeginning?: boolean;
  /** Partitions handled in parallel (each partition stays strictly ordered). Default 1. */
  partitionsConsumedConcurrently?: number;
  /**
   * Enables `KafkaConsumerContext.transaction()` with one transactional producer per owned task
   * (partition number), id `<transactionalIdPrefix>-<groupId>-<partition>` (see
   * PartitionTaskProducers). The same on every instance of a service, never a host name: the next
   * owner of a task must reuse the id to fence the previous one.
   */
  transactionalIdPrefix?: string;
  /**
   * Transactional producers per task with `transactionalIdPrefix` (default 1; see
   * PartitionTaskProducers `producersPerTask`): 2 lets a handler send into a task's next transaction
   * while the previous one commits.
   */
  transactionalProducersPerTask?: number;
  /** Group session timeout in ms; default 30000 (kafkajs default). Heartbeats go every third of it. */
  sessionTimeoutMs?: number;
  /** Upper bound of bytes fetched per partition per request; default 1 MiB (kafkajs default). */
  maxBytesPerPartition?: number;
  /**
   * How long a fetch waits on the broker for data, ms. Default 1000 (kafkajs: 5000): shutdown waits
   * for the pending fetch, and 1 s keeps SIGTERM-to-exit well inside the 10 s budget.
   */
  maxWaitTimeMs?: number;
}

/** The consumer's state as its kafkajs events report it; `idle` before listen(). */
export type KafkaConsumerStatus =
  'idle' | 'connected' | 'disconnected' | 'rebalancing' | 'stopped' | 'crashed';

/** Per fetched batch, transactional mode: how far the handler's own transactions committed. */
interface BatchProgress {
  /** Next offset (last covered + 1) committed for the group by a handler transaction, if any. */
  committedNext: string | undefined;
  /** The handler buffered the batch and commits its positions itself (deferOffsetCommit). */
  deferred: boolean;
}

/**
 * A NestJS custom transport on kafkajs with Tickwire's consumer discipline:
 *
 * - delivers each fetched batch to the `@EventPattern(topic)` handler of its topic, record by record
 *   (default) or as a whole (`{ batch: true }`, see {@link KafkaHandlerExtras});
 * - no auto-commit: an offset is resolved only after its handler resolved (or the record's dead letter
 *   was acknowledged), and the resolved offsets (`offset + 1`) are committed at the end of each batch;
 * - a record whose handler throws goes to `<topic>.dlq` (original bytes + headers, see
 *   DeadLetterPublisher) and the partition keeps going; if the DLQ write itself fails, the batch
 *   throws and kafkajs redelivers from the last committed offset;
 * - reads only committed transactional data (`readUncommitted: false`);
 * - co-partitioned assignment ({@link coPartitionedAssigner}): partition p of every subscribed topic
 *   goes to one member, so several instances in one group split the work by key (symbol);
 * - with `transactionalIdPrefix`, exactly-once across instances: one transactional producer per
 *   owned partition number, initialized (fencing the previous owner) on every group join before the
 *   first batch runs; the first batch of each partition in a generation re-reads the group's
 *   committed offset after that fence and skips records a fenced owner committed meanwhile;
 * - in that mode the group's offsets move only inside transactions of the task producers (the
 *   handler's `context.transaction()`, or an offsets-only transaction for what was handled without
 *   one, e.g. a dead-lettered record), never by a plain OffsetCommit: the coordinator keeps whichever
 *   offset commit was appended to `__consumer_offsets` last, so a plain commit of an older position
 *   that lands while a transaction's offset commit is pending replaces it when that transaction
 *   commits (the group falls behind its committed outputs: redelivery, duplicates; both shown in
 *   kafka-consumer-server.int-spec.ts);
 * - a handler that buffers records instead of handling them (an event-time merge of several inputs)
 *   calls `context.deferOffsetCommit()`: the fetch position moves past the batch, nothing is
 *   committed for it, and the handler's own task transactions commit the positions it processed;
 *   `getFetchEnd()` tells it whether the fetch reached the high watermark and `pause()` gives it
 *   back-pressure;
 * - rebalance: kafkajs rejoins only after every in-flight batch returned (its fetcher awaits all
 *   pushed batches), and a record handler stops between records when the heartbeat reports the
 *   rebalance, so handled offsets are committed before the partitions move; the rest is redelivered
 *   to the next owner;
 * - on close (SIGTERM via service-kit), stops fetching, lets the in-flight batch finish and commit,
 *   then disconnects; a crash during or after close does not restart the consumer.
 *
 * Unlike @nestjs/microservices' ServerKafka (request-reply oriented, commits as kafkajs auto-commits),
 * handlers must be `@EventPattern`s, one per topic.
 */
export class KafkaConsumerServer extends Server implements CustomTransportStrategy {
  override readonly transportId = TICKWIRE_KAFKA_TRANSPORT;

  private kafka: Kafka | null = null;
  private consumer: Consumer | null = null;
  private deadLetterProducer: RecordProducer | null = null;
  /** Samples the group's lag from the broker every 15 s (tickwire_consumer_group_lag_records). */
  private lagMonitor: ConsumerLagMonitor | null = null;
  private tasks: PartitionTaskProducers | null = null;
  private admin: Admin | null = null;
  private deadLetters: DeadLetterPublisher | null = null;
  private closing = false;
  private assignment: TopicPartitionAssignment = {};
  /** `topic:partition` whose committed offset was re-read after the fence, in the current generation. */
  private readonly verified = new Set<string>();
  private readonly metrics: KafkaMetricsSink;
  private readonly log: StructuredLogger;
  private consumerStatus: KafkaConsumerStatus = 'idle';

  constructor(private readonly options: KafkaConsumerServerOptions) {
    super();
    this.metrics = options.metrics ?? NOOP_KAFKA_METRICS;
    this.log = options.logger;
  }

  /** Topics with a registered handler: what the consumer subscribes to. */
  subscribedTopics(): string[] {
    return [...this.messageHandlers.keys()].filter((pattern) => pattern !== KAFKA_TASKS_ASSIGNED);
  }

  /** Partitions owned since the latest group join, `{ [topic]: partitions }` (empty before and after). */
  currentAssignment(): TopicPartitionAssignment {
    return structuredClone(this.assignment);
  }

  /** The latest consumer status (kafkajs CONNECT / REBALANCING / STOP / CRASH / DISCONNECT events). */
  get currentStatus(): KafkaConsumerStatus {
    return this.consumerStatus;
  }

  /**
   * Readiness probe of the consumer itself (the cluster may answer while this consumer crashed):
   * resolves while the consumer is connected or rebalancing.
   *
   * @throws Error naming the status otherwise (idle, crashed, stopped, disconnected).
   */
  async probe(): Promise<{ consumerStatus: KafkaConsumerStatus; topics: string[] }> {
    const consumerStatus = this.consumerStatus;
    if (consumerStatus !== 'connected' && consumerStatus !== 'rebalancing') {
      throw new Error(`Kafka consumer is ${consumerStatus}`);
    }
    return { consumerStatus, topics: this.subscribedTopics() };
  }

  /** Connects, subscribes to every handled topic and starts the fetch loop; then calls `callback`. */
  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /**
   * Stops fetching, waits for the in-flight batch (which commits its own offsets), then disconnects
   * the consumer and producers. Idempotent.
   */
  async close(): Promise<void> {
    // Before anything else: a crash from here on must not restart the consumer (restartOnFailure).
    this.closing = true;
    // The lag sampler stops beside the consumer: a sample in flight must not delay leaving the group.
    const monitorStopped = this.lagMonitor?.stop();
    this.lagMonitor = null;
    const consumer = this.consumer;
    this.consumer = null;
    if (consumer) {
      // disconnect() stops the runner first, and the runner waits for the running eachBatch.
      await consumer.disconnect();
    }
    this.assignment = {};
    await monitorStopped;
    await this.deadLetterProducer?.disconnect();
    await this.tasks?.close();
    await this.admin?.disconnect().catch(() => undefined);
    this.deadLetterProducer = null;
    this.tasks = null;
    this.admin = null;
    this.deadLetters = null;
    this.kafka = null;
  }

  /** `[kafka client, consumer]`. @throws Error before listen(). */
  unwrap<T>(): T {
    if (!this.kafka || !this.consumer) {
      throw new Error('KafkaConsumerServer is not listening yet');
    }
    return [this.kafka, this.consumer] as T;
  }

  /** Registers a kafkajs consumer event listener (e.g. `consumer.crash`). @throws Error before listen(). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Server's abstract signature
  on<EventKey extends string = string, EventCallback extends Function = Function>(
    event: EventKey,
    callback: EventCallback,
  ): void {
    if (!this.consumer) {
      throw new Error('KafkaConsumerServer.on() is available after listen()');
    }
    this.consumer.on(event as Parameters<Consumer['on']>[0], callback as never);
  }

  private async start(): Promise<void> {
    const topics = this.subscribedTopics();
    for (const topic of topics) {
      const handler = this.messageHandlers.get(topic);
      if (!handler?.isEventHandler) {
        throw new Error(
          `KafkaConsumerServer: ${topic} needs an @EventPattern handler (no request-reply on this transport)`,
        );
      }
      if (handler.next) {
        // Two handlers for one record would need two commit decisions; keep one owner per topic.
        throw new Error(`KafkaConsumerServer: more than one @EventPattern handler for ${topic}`);
      }
    }
    const { options } = this;
    this.kafka = createKafkaClient(options.connection, this.log);
    this.deadLetterProducer = new RecordProducer(this.kafka);
    this.deadLetters = new DeadLetterPublisher(
      this.deadLetterProducer,
      options.serviceName,
      this.metrics,
      options.groupId,
    );
    const prefix = options.transactionalIdPrefix;
    if (prefix !== undefined) {
      this.tasks = new PartitionTaskProducers(this.kafka, {
        transactionalIdPrefix: prefix,
        groupId: options.groupId,
        logger: this.log,
        ...(options.transactionalProducersPerTask !== undefined
          ? { producersPerTask: options.transactionalProducersPerTask }
          : {}),
      });
      this.admin = this.kafka.admin();
    }
    this.closing = false;
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      partitionAssigners: [coPartitionedAssigner],
      // kafkajs restarts a crashed consumer by default, even one that is being closed.
      retry: { retries: 5, restartOnFailure: () => Promise.resolve(!this.closing) },
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.floor((options.sessionTimeoutMs ?? 30_000) / 3),
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
    });
    this.consumer = consumer;
    this.registerStatusEvents(consumer);

    await this.deadLetterProducer.connect();
    await this.admin?.connect();
    await consumer.connect();
    if (topics.length > 0) {
      await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
    }
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.lagMonitor = new ConsumerLagMonitor(this.kafka, {
      groupId: options.groupId,
      topics,
      metrics: this.metrics,
      logger: this.log,
    });
    this.lagMonitor.start();
    this.log.info({ groupId: options.groupId, topics }, 'Kafka consumer started');
  }

  /**
   * One fetched batch of one partition: hand it to the topic's handler, dead-letter what failed,
   * resolve handled offsets, commit. Exposed (protected) as the extension point for subclasses that
   * need e.g. per-batch tracing.
   */
  protected async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, isRunning, isStale } = payload;
    const handler = this.getHandlerByPattern(batch.topic);
    if (!handler) {
      // Cannot happen for subscribed topics; never commit past records nobody handled.
      throw new Error(`KafkaConsumerServer: no handler for ${batch.topic}`);
    }
    let records = batch.messages.map((message) => toKafkaRecord(batch.topic, batch.partition, message));
    if (records.length === 0) return;
    if (this.tasks) {
      records = await this.skipCommittedByEarlierOwner(records, payload);
      if (records.length === 0) return;
    }
    const extras = (handler.extras ?? {}) as KafkaHandlerExtras;
    let handled = 0;
    let lastHandledOffset: string | undefined;
    // Transactional mode: the next offset the handler's own transactions committed for the group.
    const progress: BatchProgress = { committedNext: undefined, deferred: false };
    try {
      if (extras.batch) {
        if (!isRunning() || isStale()) return;
        await this.runBatchHandler(handler, records, payload, progress);
        lastHandledOffset = records[records.length - 1]?.offset;
        if (lastHandledOffset !== undefined) resolveOffset(lastHandledOffset);
        handled = records.length;
      } else {
        for (const record of records) {
          // Stop between records on shutdown or after a seek/rebalance made the rest of the batch stale.
          if (!isRunning() || isStale()) break;
          await this.runRecordHandler(handler, record, payload, progress);
          resolveOffset(record.offset);
          lastHandledOffset = record.offset;
          handled += 1;
          await payload.heartbeat();
        }
      }
    } finally {
      // Commit what was handled even when a later record's DLQ write failed, so it is not redone.
      if (handled > 0 && lastHandledOffset !== undefined) {
        if (this.tasks) {
          if (!progress.deferred)
            await this.commitInTransaction(
              this.tasks,
              batch.topic,
              batch.partition,
              lastHandledOffset,
              progress,
            );
        } else await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
        this.metrics.recordsConsumed(batch.topic, handled);
      }
      if (lastHandledOffset !== undefined) {
        const lag = BigInt(batch.highWatermark) - BigInt(lastHandledOffset) - 1n;
        this.metrics.consumerLag(batch.topic, batch.partition, Number(lag > 0n ? lag : 0n));
      }
    }
  }

  /**
   * Transactional mode: waits until this generation's task producers are initialized (earlier owners
   * fenced); then, once per partition and generation, re-reads the group's committed offset (stable
   * now) and drops records below it: a fenced owner may have committed them after kafkajs fetched
   * the offset this batch started from. Dropped records are resolved (they are committed already).
   */
  private async skipCommittedByEarlierOwner(
    records: KafkaRecord[],
    payload: EachBatchPayload,
  ): Promise<KafkaRecord[]> {
    const { batch } = payload;
    await this.tasks?.ready();
    const key = `${batch.topic}:${batch.partition}`;
    if (this.verified.has(key) || !this.admin) return records;
    const [offsets] = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [batch.topic] });
    const committed = BigInt(
      offsets?.partitions.find((p) => p.partition === batch.partition)?.offset ?? '-1',
    );
    this.verified.add(key);
    const kept = records.filter((record) => BigInt(record.offset) >= committed);
    if (kept.length < records.length) {
      const skipped = records.length - kept.length;
      this.log.warn(
        { topic: batch.topic, partition: batch.partition, committed: committed.toString(), skipped },
        'Skipping records an earlier owner committed after this member fetched its offsets',
      );
      // The group's committed offset is already `committed`: only kafkajs' position moves.
      payload.resolveOffset((committed - 1n).toString());
    }
    return kept;
  }

  private async runRecordHandler(
    handler: MessageHandler,
    record: KafkaRecord,
    payload: EachBatchPayload,
    progress: BatchProgress,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await this.invoke(handler, record, this.contextFor([record], payload, progress));
    } catch (error) {
      const { errorClass, message } = describeError(error);
      this.log.warn(
        {
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          errorClass,
          error: message,
        },
        'Record handler failed; dead-lettering the record',
      );
      await this.deadLetterPublisher().publish([{ record, error }]);
    } finally {
      this.metrics.handlerDuration(record.topic, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async runBatchHandler(
    handler: MessageHandler,
    records: KafkaRecord[],
    payload: EachBatchPayload,
    progress: BatchProgress,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      const result = (await this.invoke(handler, records, this.contextFor(records, payload, progress))) as
        BatchHandlingResult | undefined;
      const deadLetters = result?.deadLetters ?? [];
      if (deadLetters.length > 0) {
        this.log.warn(
          { topic: payload.batch.topic, partition: payload.batch.partition, count: deadLetters.length },
          'Batch handler rejected records; dead-lettering them',
        );
        await this.deadLetterPublisher().publish(deadLetters);
      }
    } catch (error) {
      const { errorClass, message } = describeError(error);
      this.log.error(
        {
          topic: payload.batch.topic,
          partition: payload.batch.partition,
          firstOffset: records[0]?.offset,
          errorClass,
          error: message,
        },
        'Batch handler failed; the batch is not committed and will be redelivered',
      );
      throw error;
    } finally {
      this.metrics.handlerDuration(payload.batch.topic, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /** Calls the {@link KAFKA_TASKS_ASSIGNED} handler, if any, without waiting for it. */
  private notifyTasksAssigned(): void {
    const handler = this.getHandlerByPattern(KAFKA_TASKS_ASSIGNED);
    const tasks = this.tasks;
    if (!handler || tasks === null) return;
    const event: TasksAssigned = { groupId: this.options.groupId, tasks };
    void (async () => {
      const result: unknown = await handler(event);
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    })().catch((error: unknown) =>
      this.log.warn({ error: String(error), generation: tasks.generation }, 'Tasks-assigned handler failed'),
    );
  }

  /** Calls a Nest handler and waits for its result, whether a value, a promise or an observable. */
  private async invoke(
    handler: MessageHandler,
    data: unknown,
    context: KafkaConsumerContext,
  ): Promise<unknown> {
    const result: unknown = await handler(data, context);
    return lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  private deadLetterPublisher(): DeadLetterPublisher {
    if (!this.deadLetters) throw new Error('KafkaConsumerServer: dead-letter producer is not connected');
    return this.deadLetters;
  }

  private contextFor(
    records: readonly KafkaRecord[],
    payload: EachBatchPayload,
    progress: BatchProgress,
  ): KafkaConsumerContext {
    return new KafkaConsumerContext({
      groupId: this.options.groupId,
      topic: payload.batch.topic,
      partition: payload.batch.partition,
      records,
      heartbeat: () => payload.heartbeat(),
      tasks: this.tasks,
      onOffsetsCommitted: (next) => {
        progress.committedNext = next;
      },
      onOffsetCommitDeferred: () => {
        progress.deferred = true;
      },
      fetchEnd: fetchEndOf(payload.batch),
      pause: () => payload.pause(),
    });
  }

  /**
   * Transactional mode: makes the group's committed offset of `topic`/`partition` reach past
   * `lastHandledOffset`. Nothing to do when the handler's own transaction committed that position
   * (the enricher's case: every batch); otherwise (records handled without a transaction, e.g.
   * dead-lettered) one offsets-only transaction on the partition's task producer, so this commit is
   * ordered with the task's other transactions instead of racing them as a plain OffsetCommit would.
   *
   * @throws TaskNotOwnedError / a fencing error when the task moved to another member meanwhile (the
   *   records are then redelivered to it), or the transaction's error.
   */
  private async commitInTransaction(
    tasks: PartitionTaskProducers,
    topic: string,
    partition: number,
    lastHandledOffset: string,
    progress: BatchProgress,
  ): Promise<void> {
    const next = nextOffset(lastHandledOffset);
    if (progress.committedNext === next) return;
    await tasks.transaction(partition, (tx) =>
      tx.sendOffsets({
        consumerGroupId: this.options.groupId,
        offsets: [{ topic, partition, offset: next }],
      }),
    );
  }

  private registerStatusEvents(consumer: Consumer): void {
    const set = (status: KafkaConsumerStatus) => {
      this.consumerStatus = status;
      this._status$.next(status);
    };
    const emit = (status: KafkaConsumerStatus) => () => set(status);
    consumer.on(consumer.events.CONNECT, emit('connected'));
    // A group join ends a rebalance (and follows a restart after a crash): a new generation.
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.assignment = event.payload.memberAssignment;
      this.verified.clear();
      this.tasks?.assign(tasksOf(this.assignment));
      set('connected');
      this.log.info({ assignment: this.assignment }, 'Joined the consumer group');
      this.notifyTasksAssigned();
    });
    consumer.on(consumer.events.DISCONNECT, emit('disconnected'));
    consumer.on(consumer.events.REBALANCING, emit('rebalancing'));
    consumer.on(consumer.events.STOP, emit('stopped'));
    consumer.on(consumer.events.CRASH, (event) => {
      set('crashed');
      this.log.error(
        { error: String(event.payload.error), restart: event.payload.restart },
        'Kafka consumer crashed',
      );
    });
  }
}

/** Where a fetched batch ended: the next offset to fetch (trailing markers included) and whether that is the high watermark. */
function fetchEndOf(batch: EachBatchPayload['batch']): { nextOffset: string; caughtUp: boolean } {
  const next = BigInt(batch.lastOffset()) + 1n;
  return { nextOffset: next.toString(), caughtUp: next >= BigInt(batch.highWatermark) };
}
