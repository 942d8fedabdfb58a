import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import {
  type BarDailyV1Event,
  buildFeedSequenceHeaders,
  buildLateHeaders,
  lateTopic,
  type QuoteV1Event,
  serializeEvent,
  type TickwireEvent,
  TOPICS,
  type TopicName,
  type TradeV1Event,
} from '@tickwire/contracts';
import type { PreviousCloseReference } from '@tickwire/indicators';
import {
  type ConsumerTasks,
  DeadLetterPublisher,
  describeError,
  type KafkaClient,
  type KafkaConsumerContext,
  type KafkaRecord,
  type OutgoingRecord,
  PartitionGroup,
  type ProducerTransaction,
  parseBatch,
  type TakeReason,
  type TasksAssigned,
} from '@tickwire/kafka';
import { PreviousCloseReader } from '@tickwire/reference-data';
import {
  DYNAMODB_CLIENT,
  InjectServiceConfig,
  KAFKA_CLIENT,
  MetricsService,
  READINESS_CHECKS,
  type ReadinessCheck,
  ROOT_LOGGER,
} from '@tickwire/service-kit';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { Logger } from 'pino';
import { ENRICHER_PRODUCERS_PER_TASK } from '../service-definition';
import { type EnricherConfig, enrichmentSettingsOf } from './enricher-env';
import {
  type EngineOutput,
  EnrichmentEngine,
  emptyOutput,
  idleFlushEventTime,
  type SymbolStateView,
} from './enrichment-engine.service';
import { SourceSequenceTracker } from './source-sequence-tracker';
import { SymbolStateChangelog } from './symbol-state-changelog';
import { CoalescingSymbolStateWriter, SymbolStateWriter } from './symbol-state-writer';
import { TaskTransactionLanes } from './task-transaction-lanes';
import { compareTaskInputs, type TaskInput, taskInputsOf } from './task-input';

/** What one round of the task loop enqueued: its transaction, and the clock advance it triggered. */
interface ProcessedRound {
  committed: Promise<void>;
  advanced: Promise<void>[];
}

/** Buckets (s) of the enricher's delay histograms: 1 ms to 10 s, finer where the latency targets lie (25-50 ms). */
const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** After a failed transaction, the merge timer rebuilds the state and retries after this long (ms). */
const FAILED_TRANSACTION_RETRY_MS = 200;

/**
 * Input topics of the enricher: trades, quotes and daily bars, then the amendments (trade corrections,
 * trade cancels/errors, trading statuses), all co-partitioned by symbol and merged in event time.
 */
export const ENRICHER_INPUT_TOPICS = [
  TOPICS.trades,
  TOPICS.quotes,
  TOPICS.barsDaily,
  TOPICS.tradeCorrections,
  TOPICS.tradeCancels,
  TOPICS.tradingStatus,
] as const;

/**
 * The enricher's consume-transform-produce loop around {@link EnrichmentEngine}, exactly once, on
 * one or many instances of one consumer group:
 *
 * - tasks: the transport assigns the inputs co-partitioned (partition p of trades, quotes and daily
 *   bars to one instance: "task p"; all keyed by symbol, so a symbol's events meet in one task), and
 *   runs transactions on one producer per task, transactional id `<SERVICE_NAME>-<group>-<p>`, which
 *   the next owner of p fences before it reads anything (see @tickwire/kafka PartitionTaskProducers).
 * - event-time order (Kafka Streams' timestamp synchronisation, KIP-353/KIP-695): a fetched batch is
 *   not processed as it comes; it joins its task's {@link PartitionGroup}, one queue per input
 *   partition, and the task loop ({@link processTask}) always takes the head with the smallest event
 *   time (ns, then source sequence, then trade before quote), so each symbol's trades and quotes are
 *   applied, and their outputs emitted, in the order they happened: every enriched event, bar and
 *   alert is computed from inputs at or before its own event time. A record whose predecessors of its
 *   symbol have all reached the merge (ingest-producer's `tickwire-source-session` /
 *   `tickwire-symbol-seq` headers, tracked per task by {@link SourceSequenceTracker}: sequence 1, or
 *   every number since the base added) goes as soon as it is the smallest head: whatever an empty
 *   input brings later is of other symbols, so each symbol stays in event-time order. Otherwise (a
 *   gap, the first record seen of a session, records without the headers) an input with nothing
 *   buffered is waited for: without limit while it lags (its records are on the broker); while it
 *   is caught up, each record waits ENRICHER_MAX_TASK_IDLE_MS after its arrival (a timer then runs
 *   the loop) and the broker confirms the idle partition's end offset (daily bars never hold others
 *   back); a record taken so becomes its symbol's new base, so one lost predecessor costs one wait.
 *   `tickwire_enricher_merge_takes_total{reason}` counts ready / complete / enforced / untimed takes.
 *   What arrives later than that with an earlier event time than its symbol's last event is late
 *   (`<topic>.late`, the engine's `out-of-order` rule), never reordered. A full queue pauses its partition
 *   (ENRICHER_BUFFERED_RECORDS_PER_PARTITION). Records wait uncommitted: the transport moves its
 *   fetch position past them but commits nothing (`deferOffsetCommit`); their offsets commit with the
 *   transaction holding their outputs, and the merge keeps them until then, so a failed transaction
 *   rewinds the task to its committed positions without a new fetch. A group join empties the
 *   merges and their sequence trackers (kafkajs fetches from the committed offsets again).
 * - one open Kafka transaction per task ({@link TaskTransactionLanes}, Kafka Streams' exactly-once
 *   processing with `commit.interval.ms` = ENRICHER_COMMIT_INTERVAL_MS): each round's outputs
 *   (enriched, 1-minute bars, alerts, late trades, dead letters) are sent inside the task's open
 *   transaction as soon as the round is processed, and when the interval has passed the changelog
 *   records of every symbol they changed (the latest per symbol), their input offsets (`sendOffsets`)
 *   and the commit marker follow. Either all of it becomes visible to read_committed consumers
 *   (indexer, archiver, Kafka customers), or none and the batches are redelivered. The gateway's live
 *   path reads uncommitted: every customer-topic output carries `tickwire-feed-seq` (its symbol's
 *   output counter, kept in the symbol's state, see EnrichmentEngine.nextFeedSequence), so after an
 *   abort the same outputs come again with the same numbers and the gateway forwards each once. The
 *   tasks' transactions run concurrently, each task's in order. Processing (the engine, one thread)
 *   stays serial and runs ahead of the commits: a batch's handler resolves once its round is
 *   enqueued (it waits for the commit only while its task holds more than
 *   ENRICHER_BUFFERED_RECORDS_PER_PARTITION uncommitted records), so kafkajs fetches on while
 *   transactions run; before the transport closes the task producers at shutdown, the open
 *   transactions commit (`ConsumerTasks.beforeClose`). A failed transaction fails every later one
 *   of its task (built on its uncommitted state) until the state is rebuilt and its records taken
 *   again (by the next batch, or the merge timer the failure schedules).
 * - state: the engine's per-symbol snapshots in the compacted changelog topic, partition = task,
 *   written in those same transactions, so changelog partition p always equals task p's state at its
 *   committed input offsets. The state of the owned tasks only is rebuilt from it (read_committed, to
 *   the end of the owned partitions) after every group join (a new generation: tasks may have moved
 *   in or out) and after any failed transaction.
 * - bars close in event time (each symbol's watermark); at the end of input a processing-time idle
 *   timer advances the clock (BAR_IDLE_FLUSH_MS, see enricher-env.ts) and commits each task's outputs
 *   and changelog in a transaction of that task's producer (no input offsets), so a fenced instance
 *   flushes nothing. The cross-symbol advance (BAR_CROSS_SYMBOL_LAG_MS) commits the same way.
 * - DynamoDB `symbol-state` is written after the commit, off the batch's critical path: the views of
 *   the changed symbols are taken when the batch is processed (its state is what the transaction
 *   commits) and, once it committed, handed to one coalescing background
 *   writer ({@link CoalescingSymbolStateWriter}: one write in flight, latest view per symbol, UpdateItem
 *   conditional on lastEventTime, so never older over newer), and the next batch starts at once. A
 *   failed write is logged and retried (its views stay pending); the pending count is the gauge
 *   `tickwire_enricher_symbol_state_pending_records` and the readiness check `symbol-state`. Shutdown
 *   waits for the pending views (at most half of SHUTDOWN_TIMEOUT_MS) and logs any it gives up.
 */
@Injectable()
export class EnrichmentPipeline implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly engine: EnrichmentEngine;
  private readonly references: PreviousCloseReader;
  private readonly changelog: SymbolStateChangelog;
  private readonly stateWriter: CoalescingSymbolStateWriter;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly log: Logger;
  private readonly groupId: string;

  /** The group's committed input offsets read at the last state restore, per `topic:partition`. */
  private readonly expected = new Map<string, string>();
  /** Per task: its inputs merged in event-time order (records wait here until the merge takes them). */
  private readonly groups = new Map<number, PartitionGroup<TaskInput>>();
  /** Per task: which of its merge's records have nothing earlier of their symbol left to fetch. */
  private readonly sequences = new Map<number, SourceSequenceTracker>();
  /** Input partitions paused because their merge queue is full (`topic:partition` -> resume). */
  private readonly paused = new Map<string, () => void>();
  private mergeTimer: NodeJS.Timeout | undefined;
  /** Asks the broker for end offsets when a merge's wait passed (see confirmEnds). */
  private offsetsAdmin: ReturnType<KafkaClient['admin']> | undefined;
  private offsetsAdminConnected = false;
  private mergeAt = Number.POSITIVE_INFINITY;
  private stopping = false;
  /** True until the state was restored, and after a failed transaction. */
  private dirty = true;
  private tail: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  /** Latest trade/quote event time seen (epoch ms) and when (wall clock) the last input arrived. */
  private streamTime: number | null = null;
  private lastInputAt = Date.now();
  private readonly lanes: TaskTransactionLanes;
  /** The consumer group the input offsets are committed for (the transport's, from the batch context). */
  private consumerGroupId: string;
  /** Per task: changelog keys of an earlier life of the pipeline, deleted by the task's next transaction. */
  private pendingTombstones = new Map<number, string[]>();
  /** The task (input partition number) of every symbol in the engine. */
  private readonly taskOfSymbol = new Map<string, number>();
  /** The transport's tasks (from the first batch's context) and the generation the state belongs to. */
  private tasks: ConsumerTasks | null = null;
  private stateGeneration = -1;
  private prepared: Promise<void> | null = null;
  /**
   * Set while a round of the task loop runs (it may await the broker between applying records and
   * enqueueing them): a transaction's seal waits for it, so its snapshots match the work it covers.
   */
  private roundInProgress: Promise<void> | null = null;

  private readonly metrics: {
    produced: Counter<'topic'>;
    late: Counter<'topic'>;
    alerts: Counter<'alert_type'>;
    bars: Counter<'trigger'>;
    restores: Counter<'reason'>;
    enforced: Counter<'idle_input'>;
    takes: Counter<'reason'>;
    stateWrites: Counter<'outcome'>;
    statePending: Gauge;
    commitSeconds: Histogram<'kind'>;
    recordsPerTransaction: Histogram;
    inputAge: Histogram;
    outputDelay: Histogram<'phase'>;
  };

  constructor(
    @InjectServiceConfig() private readonly config: EnricherConfig,
    @Inject(KAFKA_CLIENT) private readonly kafka: KafkaClient,
    @Inject(DYNAMODB_CLIENT) dynamoDb: DynamoDBClient,
    private readonly metricsService: MetricsService,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    @Inject(READINESS_CHECKS) readinessChecks: ReadinessCheck[],
  ) {
    this.log = rootLogger.child({ component: 'enrichment-pipeline' });
    this.engine = new EnrichmentEngine(enrichmentSettingsOf(config));
    this.references = new PreviousCloseReader(dynamoDb, { tableName: config.REFERENCE_DAILY_BARS_TABLE });
    const groupId = config.KAFKA_CONSUMER_GROUP ?? config.SERVICE_NAME;
    this.groupId = groupId;
    this.consumerGroupId = groupId;
    this.lanes = new TaskTransactionLanes(
      (task, slot, body) => this.runTransaction(task, slot, body),
      {
        commitIntervalMs: config.ENRICHER_COMMIT_INTERVAL_MS,
        consumerGroupId: () => this.consumerGroupId,
        slots: ENRICHER_PRODUCERS_PER_TASK,
        seal: (task, detach) => this.seal(task, detach),
      },
      {
        failed: (task, error) => {
          // The engine already applied the work; its state is ahead of the committed changelog.
          this.dirty = true;
          this.log.warn(
            { task, err: error },
            'Transaction failed; the state is rebuilt before the next round',
          );
          // Rebuild and process the uncommitted records again even if no batch comes.
          this.scheduleMerge(Date.now() + FAILED_TRANSACTION_RETRY_MS);
        },
        sent: ({ queuedMs, sendMs }) => {
          for (const ms of queuedMs) this.metrics.outputDelay.observe({ phase: 'queued' }, ms / 1000);
          this.metrics.outputDelay.observe({ phase: 'send' }, sendMs / 1000);
        },
        committed: ({ records, withOffsets, commitMs }) => {
          this.metrics.commitSeconds.observe({ kind: withOffsets ? 'batch' : 'clock-advance' }, commitMs / 1000);
          this.metrics.recordsPerTransaction.observe(records);
        },
      },
    );
    this.changelog = new SymbolStateChangelog(kafka, config.ENRICHER_CHANGELOG_TOPIC, groupId);
    this.deadLetters = new DeadLetterPublisher(
      { sendBatch: () => Promise.resolve() },
      config.SERVICE_NAME,
      metricsService,
      groupId,
    );
    const m = metricsService;
    this.metrics = {
      produced: m.recordsProducedTotal,
      late: m.counter(
        'tickwire_late_records_total',
        'Records behind the watermark by more than the allowed lateness, sent to <topic>.late.',
        ['topic'],
      ),
      alerts: m.counter('tickwire_alerts_total', 'Alerts produced, by type.', ['alert_type']),
      bars: m.counter(
        'tickwire_bars_emitted_total',
        '1-minute bars produced; trigger event-time (a trade advanced the watermark) or idle-flush.',
        ['trigger'],
      ),
      enforced: m.counter(
        'tickwire_enricher_enforced_processing_total',
        'Records processed without idle_input (trades or quotes of their task, empty and confirmed caught up by the broker after the record waited ENRICHER_MAX_TASK_IDLE_MS): Kafka Streams enforced processing; a later record of that input with an earlier event time goes to <topic>.late.',
        ['idle_input'],
      ),
      takes: m.counter(
        'tickwire_enricher_merge_takes_total',
        'Records the event-time merge took, by reason: ready (every blocking input had a head), complete (one was empty, but the source sequence headers showed nothing earlier of the symbol missing: no wait), enforced (taken after ENRICHER_MAX_TASK_IDLE_MS and the broker\'s end offsets), untimed (failed its contract: dead-lettered at once).',
        ['reason'],
      ),
      restores: m.counter(
        'tickwire_enricher_state_restores_total',
        'State rebuilds from the changelog topic, by reason.',
        ['reason'],
      ),
      stateWrites: m.counter(
        'tickwire_symbol_state_writes_total',
        'symbol-state UpdateItems by outcome (written, stale = a newer event was there, failed).',
        ['outcome'],
      ),
      statePending: m.gauge(
        'tickwire_enricher_symbol_state_pending_records',
        'symbol-state views taken after a commit and not yet written to DynamoDB (queued or in flight).',
      ),
      commitSeconds: m.histogram(
        'tickwire_enricher_transaction_seconds',
        'Duration of one Kafka transaction commit (changelog + input offsets + EndTxn, after its outputs were sent while it was open), by kind (batch: with input offsets; clock-advance: idle flush or cross-symbol advance alone).',
        ['kind'],
      ),
      inputAge: m.histogram(
        'tickwire_enricher_input_age_seconds',
        'Age of each input record when the engine applies it: now - its Kafka CreateTime (ingest-producer\'s send), so fetch, the event-time merge and the wait behind earlier rounds.',
        [],
        LATENCY_BUCKETS_SECONDS,
      ),
      outputDelay: m.histogram(
        'tickwire_enricher_output_send_seconds',
        'Outputs of a round on their way out, by phase: queued (from the round to the start of its send inside the open transaction: waiting for the previous send or a transaction to start) and send (one produce of the queued rounds, acknowledged).',
        ['phase'],
        LATENCY_BUCKETS_SECONDS,
      ),
      recordsPerTransaction: m.histogram(
        'tickwire_enricher_transaction_records',
        'Records (outputs, dead letters, changelog) one transaction writes; grows with group commit.',
        [],
        [1, 10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000],
      ),
    };
    this.stateWriter = new CoalescingSymbolStateWriter(
      new SymbolStateWriter(dynamoDb, config.SYMBOL_STATE_TABLE),
      {
        written: ({ written, stale }) => {
          this.metrics.stateWrites.inc({ outcome: 'written' }, written);
          this.metrics.stateWrites.inc({ outcome: 'stale' }, stale);
        },
        failed: (error, views, retryInMs) => {
          this.metrics.stateWrites.inc({ outcome: 'failed' }, views);
          this.log.warn({ err: error, symbols: views, retryInMs }, 'symbol-state write failed; retrying');
        },
        pendingChanged: (count) => this.metrics.statePending.set(count),
      },
      undefined,
      config.SYMBOL_STATE_WRITE_INTERVAL_MS,
    );
    // Informational (never fails readiness): DynamoDB's own check says whether the table answers.
    readinessChecks.push({
      name: 'symbol-state',
      probe: () => Promise.resolve({ pending: this.stateWriter.pendingCount }),
    });
  }

  /** Creates (or checks the co-partitioning of) the changelog topic and starts the idle-flush timer. */
  async onModuleInit(): Promise<void> {
    await this.prepare();
    const idleMs = this.config.BAR_IDLE_FLUSH_MS;
    if (idleMs > 0) {
      this.idleTimer = setInterval(
        () =>
          void this.idleFlush().catch((error: unknown) =>
            this.log.error({ err: error }, 'Idle flush failed'),
          ),
        Math.max(100, Math.floor(idleMs / 4)),
      );
      this.idleTimer.unref();
    }
  }

  /**
   * Stops the idle timer, waits for running work (the Kafka consumer has stopped by now: see
   * @tickwire/service-kit bootstrapService), then for the pending symbol-state writes, for at most half
   * of SHUTDOWN_TIMEOUT_MS (the rest is for the other hooks; the DynamoDB client closes in
   * onApplicationShutdown, after every onModuleDestroy). Views still unwritten then are logged as an
   * error: the next owner of their task rewrites a symbol's state after its next commit of it.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopMerging();
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = undefined;
    await this.tail.catch(() => undefined);
    await this.lanes.drain();
    await this.offsetsAdmin?.disconnect().catch(() => undefined);
    const unwritten = await this.stateWriter.drain(this.config.SHUTDOWN_TIMEOUT_MS / 2);
    if (unwritten.length > 0)
      this.log.error(
        { symbols: unwritten.slice(0, 100), count: unwritten.length },
        'symbol-state: views not written at shutdown (DynamoDB unavailable)',
      );
  }

  /**
   * The consumer stopped and its task producers are about to close: no merge rounds any more, and the
   * rounds already processed commit first (handlers do not wait for their transactions).
   */
  private readonly finishBeforeClose = async (): Promise<void> => {
    this.stopMerging();
    await this.tail.catch(() => undefined);
    await this.lanes.drain();
  };

  /** No merge round starts any more (shutdown): the merge timer is cleared and not set again. */
  private stopMerging(): void {
    this.stopping = true;
    if (this.mergeTimer) clearTimeout(this.mergeTimer);
    this.mergeTimer = undefined;
  }

  /** Waits for running work once the consumer has stopped (the transport closes the task producers). */
  async onApplicationShutdown(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.lanes.drain();
  }

  /**
   * Once per process: the changelog exists and is co-partitioned with the inputs. The Kafka transport
   * starts before Nest's onModuleInit, so the first batch may get here first.
   *
   * @throws ChangelogPartitioningError (start-up fails) when the partition counts differ
   */
  private prepare(): Promise<void> {
    this.prepared ??= this.changelog.ensureTopic(ENRICHER_INPUT_TOPICS).then(() => undefined);
    this.prepared.catch(() => (this.prepared = null));
    return this.prepared;
  }

  /**
   * Handles one fetched batch of one input topic-partition: validates it, loads the previous-close
   * references of its symbols, adds it to its task's {@link PartitionGroup} and runs the task's merge
   * ({@link processTask}, serially with every other batch, timer and clock advance). The records'
   * offsets are committed by the transaction that holds their outputs, never by the transport
   * (`deferOffsetCommit`): a record still waiting in the merge when the group rebalances or the
   * process stops is fetched again by the next owner.
   *
   * Resolves once the round is processed and enqueued, without waiting for its transaction, so
   * kafkajs fetches on at once: records waiting in the merge for another input get it a commit
   * round trip sooner. Back-pressure: while the task holds more than
   * ENRICHER_BUFFERED_RECORDS_PER_PARTITION processed records not yet committed, it waits for the
   * round's transaction (and a full queue pauses its partition). A failed transaction is not this
   * batch's error: it marks the state for a rebuild, and the next round (a batch, or the merge timer
   * the failure schedules) rebuilds it and processes the uncommitted records again.
   *
   * @throws when the reference data cannot be read (the batch is then redelivered)
   */
  async handleBatch(records: readonly KafkaRecord[], context: KafkaConsumerContext): Promise<void> {
    const first = records[0];
    if (first === undefined) return;
    context.deferOffsetCommit();
    const task = first.partition;
    const { committed, advanced } = await this.serially(() => this.bufferAndProcess(records, context));
    const group = this.groups.get(task);
    if (group !== undefined && group.uncommittedTotal > this.config.ENRICHER_BUFFERED_RECORDS_PER_PARTITION)
      await Promise.allSettled([committed, ...advanced]);
  }

  /**
   * After a group join (`KAFKA_TASKS_ASSIGNED`): restores the owned tasks' state from the
   * changelog at once instead of at the first batch, so that symbol-state is rewritten and the idle
   * flush can close the taken-over tasks' open bars even when no input ever arrives (a finished
   * replay). Runs serially with the batches; a batch of the same generation then finds the state
   * consistent. @throws the restore's error (the state stays marked for a rebuild at the next batch)
   */
  async tasksAssigned({ groupId, tasks }: TasksAssigned): Promise<void> {
    await this.serially(async () => {
      if (this.stopping) return;
      if (this.tasks !== tasks) tasks.beforeClose(this.finishBeforeClose);
      this.tasks = tasks;
      this.consumerGroupId = groupId;
      await this.ensureConsistentState();
    });
  }

  /** Adds one batch to its task's merge and processes what the merge releases (see handleBatch). */
  private async bufferAndProcess(
    records: readonly KafkaRecord[],
    context: KafkaConsumerContext,
  ): Promise<ProcessedRound> {
    const first = records[0] as KafkaRecord;
    const tasks = context.getTasks();
    if (this.tasks !== tasks) tasks.beforeClose(this.finishBeforeClose);
    this.tasks = tasks;
    this.consumerGroupId = context.getGroupId();
    await this.ensureConsistentState();
    this.lastInputAt = Date.now();
    const { parsed, deadLetters } = parseBatch(records);
    const references = await this.referencesOf(parsed.map((p) => p.event));
    const group = this.groupOf(first.partition);
    const inputs = taskInputsOf({ parsed, deadLetters }, references);
    this.sequences.get(first.partition)?.added(inputs.map((input) => input.value));
    group.add(first.topic, inputs, context.getFetchEnd(), Date.now());
    const key = `${first.topic}:${first.partition}`;
    if (
      group.buffered(first.topic) >= this.config.ENRICHER_BUFFERED_RECORDS_PER_PARTITION &&
      !this.paused.has(key)
    )
      this.paused.set(key, context.pause());
    return this.processTask(first.partition);
  }

  /**
   * The task loop of `task` (Kafka Streams' StreamTask: merge -> process -> emit): takes records from
   * its {@link PartitionGroup} in event-time order while the merge allows, applies each to the engine,
   * and adds everything they produced (outputs, late records, dead letters, the changelog of the
   * changed symbols) with the input positions of the records taken to the task's next transaction.
   * A record with nothing of its symbol missing before it needs no wait (SourceSequenceTracker).
   * When the merge has to wait for a caught-up input, a timer runs the loop again at its deadline;
   * once it passed, the broker is asked whether the input is really caught up ({@link confirmEnds}).
   * `committed` settles with that transaction.
   *
   * @throws Error (and marks the state for a rebuild) when building the transaction's records fails
   */
  private async processTask(task: number): Promise<ProcessedRound> {
    let done!: () => void;
    const guard = new Promise<void>((resolve) => (done = resolve));
    this.roundInProgress = guard;
    try {
      return await this.processTaskRound(task);
    } finally {
      if (this.roundInProgress === guard) this.roundInProgress = null;
      done();
    }
  }

  /** {@link processTask}'s round, while {@link roundInProgress} is set. */
  private async processTaskRound(task: number): Promise<ProcessedRound> {
    const group = this.groups.get(task);
    const sequences = this.sequences.get(task);
    const nothing: ProcessedRound = { committed: Promise.resolve(), advanced: [] };
    if (group === undefined) return nothing;
    const output = emptyOutput();
    const late: OutgoingRecord[] = [];
    const deadLetters: { record: KafkaRecord; error: unknown }[] = [];
    let taken = 0;
    const enforced = new Map<string, number>();
    const reasons = new Map<TakeReason, number>();
    for (;;) {
      const next = group.next(Date.now());
      if (next.kind === 'check') {
        if (await this.confirmEnds(task, group, next.inputs)) continue;
        break;
      }
      if (next.kind === 'wait') {
        if (next.until !== null) this.scheduleMerge(next.until);
        break;
      }
      taken += 1;
      for (const input of next.idleInputs) enforced.set(input, (enforced.get(input) ?? 0) + 1);
      reasons.set(next.reason, (reasons.get(next.reason) ?? 0) + 1);
      sequences?.taken(next.record.value);
      const { record, event, error, reference } = next.record.value;
      this.metrics.inputAge.observe((Date.now() - record.timestamp) / 1000);
      if (event === null) {
        deadLetters.push({ record, error });
        continue;
      }
      this.taskOfSymbol.set(event.payload.symbol, task);
      try {
        const result = this.apply(event, reference);
        merge(output, result);
        for (const { watermark } of result.late) late.push(this.lateRecord(record, watermark));
      } catch (rejected) {
        deadLetters.push({ record, error: rejected });
      }
    }
    this.resumeDrained(task, group);
    if (taken === 0) return nothing;
    for (const [input, count] of enforced) this.metrics.enforced.inc({ idle_input: input }, count);
    for (const [reason, count] of reasons) this.metrics.takes.inc({ reason }, count);
    try {
      return this.enqueueRound(task, group, output, late, deadLetters);
    } catch (error) {
      // The engine applied the records and nothing of them will commit: rebuild before the next round.
      this.dirty = true;
      throw error;
    }
  }

  /** The transaction work of one round of {@link processTask}, and the cross-symbol advance after it. */
  private enqueueRound(
    task: number,
    group: PartitionGroup<TaskInput>,
    output: EngineOutput,
    late: OutgoingRecord[],
    deadLetters: { record: KafkaRecord; error: unknown }[],
  ): ProcessedRound {
    // Outputs first: numbering them (tickwire-feed-seq) changes their symbols' state.
    const outputs = this.outputRecords(output);
    const changed = this.engine.takeChangedSymbols();
    const outgoing = [
      ...outputs,
      ...late,
      ...deadLetters.map(({ record, error }) => this.deadLetters.build(record, error)),
    ];
    const offsets = ENRICHER_INPUT_TOPICS.flatMap((topic) => {
      const offset = group.processedPosition(topic);
      return offset === undefined ? [] : [{ topic, partition: task, offset }];
    });
    const views = this.viewsOf(changed);
    const produced = producedByTopic(outgoing);
    const deadLettered = deadLetters.map(
      ({ record, error }) => [record.topic, describeError(error).errorClass] as const,
    );
    const lateCounts = [TOPICS.trades, TOPICS.quotes].map(
      (topic) => [topic, late.filter((record) => record.topic === lateTopic(topic)).length] as const,
    );
    const barCount = output.bars.length;
    const alertTypes = output.alerts.map((alert) => alert.payload.alertType);
    const committed = this.lanes.enqueue(task, {
      records: outgoing,
      changed,
      offsets,
      // Only counts and views are kept until the commit (the transaction stays open up to
      // ENRICHER_COMMIT_INTERVAL_MS): the events and records themselves are released once sent.
      onCommitted: () => {
        for (const { topic, offset } of offsets) group.committed(topic, offset);
        for (const [topic, count] of produced) this.metrics.produced.inc({ topic }, count);
        for (const [topic, errorClass] of deadLettered) this.metricsService.recordDeadLettered(topic, errorClass);
        for (const [topic, count] of lateCounts) this.metrics.late.inc({ topic }, count);
        this.metrics.bars.inc({ trigger: 'event-time' }, barCount);
        for (const alertType of alertTypes) this.metrics.alerts.inc({ alert_type: alertType });
        this.stateWriter.enqueue(views);
      },
    });
    let advanced: Promise<void>[] = [];
    if (this.config.BAR_CROSS_SYMBOL_LAG_MS > 0 && this.streamTime !== null) {
      const advance = this.engine.advanceTo(this.streamTime - this.config.BAR_CROSS_SYMBOL_LAG_MS);
      advanced = this.commitPerTask(advance, 'cross-symbol');
    }
    return { committed, advanced };
  }

  /**
   * Answers a merge's `check` (see PartitionGroup): the end offsets of `task`'s idle `inputs` from the
   * broker (ListOffsets), so that a wait that passed while the consumer could not fetch (behind a
   * long round, or at start-up) does not let the other inputs run ahead of records already appended.
   * Returns false (and schedules another look) when the broker does not answer: an input that cannot
   * be asked may be stalled, not finished.
   */
  private async confirmEnds(
    task: number,
    group: PartitionGroup<TaskInput>,
    inputs: readonly string[],
  ): Promise<boolean> {
    try {
      this.offsetsAdmin ??= this.kafka.admin();
      if (!this.offsetsAdminConnected) {
        await this.offsetsAdmin.connect();
        this.offsetsAdminConnected = true;
      }
      for (const topic of inputs) {
        const partition = (await this.offsetsAdmin.fetchTopicOffsets(topic)).find(
          (p) => p.partition === task,
        );
        const start = this.expected.get(`${topic}:${task}`) ?? partition?.low ?? '0';
        group.confirm(topic, partition?.high ?? '0', start, Date.now());
      }
      return true;
    } catch (error) {
      this.offsetsAdminConnected = false;
      this.log.warn({ task, inputs, err: error }, 'End offsets unavailable; the merge waits and asks again');
      this.scheduleMerge(Date.now() + Math.max(100, this.config.ENRICHER_MAX_TASK_IDLE_MS));
      return false;
    }
  }

  /** The merge of `task`, created on its first batch. */
  private groupOf(task: number): PartitionGroup<TaskInput> {
    let group = this.groups.get(task);
    if (group === undefined) {
      const sequences = new SourceSequenceTracker();
      group = new PartitionGroup<TaskInput>(ENRICHER_INPUT_TOPICS, {
        maxTaskIdleMs: this.config.ENRICHER_MAX_TASK_IDLE_MS,
        compare: compareTaskInputs,
        isUntimed: (input) => input.event === null,
        // Everything before it of its symbol was added to this merge: no empty input can hold an
        // earlier record of that symbol (see SourceSequenceTracker).
        isComplete: (input) => sequences.isComplete(input),
        // Daily bars come once a session, corrections, cancels and trading statuses rarely: their empty
        // queues hold nothing back (their records still wait their turn by event time; an amendment
        // stamped at its trade's time goes right after that trade, see compareTaskInputs).
        blocking: [TOPICS.trades, TOPICS.quotes],
      });
      this.groups.set(task, group);
      this.sequences.set(task, sequences);
    }
    return group;
  }

  /** Resumes the task's paused input partitions whose queue fell to half the buffer bound. */
  private resumeDrained(task: number, group: PartitionGroup<TaskInput>): void {
    for (const topic of ENRICHER_INPUT_TOPICS) {
      const key = `${topic}:${task}`;
      const resume = this.paused.get(key);
      if (resume && group.buffered(topic) < this.config.ENRICHER_BUFFERED_RECORDS_PER_PARTITION / 2) {
        this.paused.delete(key);
        resume();
      }
    }
  }

  /** Runs every task's merge again at `at` (epoch ms) unless an earlier run is already scheduled. */
  private scheduleMerge(at: number): void {
    if (this.stopping || (this.mergeTimer !== undefined && this.mergeAt <= at)) return;
    if (this.mergeTimer !== undefined) clearTimeout(this.mergeTimer);
    this.mergeAt = at;
    this.mergeTimer = setTimeout(
      () => {
        this.mergeTimer = undefined;
        this.mergeAt = Number.POSITIVE_INFINITY;
        void this.timedMerge().catch((error: unknown) =>
          this.log.error({ err: error }, 'Timed merge failed'),
        );
      },
      Math.max(0, at - Date.now()) + 1,
    );
    this.mergeTimer.unref();
  }

  /**
   * The merge's deadline passed without new input (a caught-up input stayed empty for
   * ENRICHER_MAX_TASK_IDLE_MS): process every task's waiting records. Transactions commit through the
   * lanes; a failure marks the state for a rebuild, done here first on the next run.
   */
  private async timedMerge(): Promise<void> {
    await this.serially(async () => {
      if (this.tasks === null || this.stopping) return; // stopped while the timer was due
      await this.ensureConsistentState();
      for (const task of [...this.groups.keys()]) await this.processTask(task);
    });
  }

  /**
   * One transaction of `task` on its producer `slot`, running `body` (the lanes' sends, then the
   * changelog and the input offsets). @throws whatever the transaction throws (TaskNotOwnedError,
   * fencing, timeouts).
   */
  private async runTransaction(
    task: number,
    slot: number,
    body: (tx: ProducerTransaction) => Promise<void>,
  ): Promise<void> {
    const tasks = this.tasks;
    if (tasks === null) throw new Error('enricher: a transaction before the first batch');
    await tasks.transaction(task, body, slot);
  }

  /**
   * The lanes' seal of a `task` transaction (see TaskTransactionLanes): once no round is half applied
   * (a round awaits the broker in its merge check), detaches the transaction and returns the
   * changelog records of the symbols its works changed (and the task's pending tombstones), their
   * snapshots taken now: the engine then holds exactly the work the transaction covers. Snapshots are
   * built once per symbol and commit, not per round.
   */
  private async seal(task: number, detach: () => ReadonlySet<string>): Promise<OutgoingRecord[]> {
    while (this.roundInProgress !== null) await this.roundInProgress;
    const symbols = [...detach()];
    const records = this.changelogRecords(task, symbols);
    this.pendingTombstones.delete(task);
    return records;
  }

  private apply(event: TickwireEvent, reference: PreviousCloseReference | undefined): EngineOutput {
    switch (event.schema) {
      case 'market.trade.v1':
        this.advanceStreamTime(event.eventTime);
        return this.engine.processTrade(event as TradeV1Event, reference);
      case 'market.quote.v1':
        this.advanceStreamTime(event.eventTime);
        return this.engine.processQuote(event as QuoteV1Event, reference);
      case 'market.bar.daily.v1':
        return this.engine.processDailyBar(event as BarDailyV1Event, reference);
      // Amendments refer to earlier trades (or set a flag): they do not move the stream's clock.
      case 'market.trade-correction.v1':
        return this.engine.processCorrection(event);
      case 'market.trade-cancel.v1':
        return this.engine.processCancel(event);
      case 'market.trading-status.v1':
        return this.engine.processTradingStatus(event);
      default:
        throw new TypeError(`the enricher does not consume ${event.schema}`);
    }
  }

  /**
   * Processing-time idle flush: when no input arrived for BAR_IDLE_FLUSH_MS, the input is taken as
   * complete up to the latest event time seen, and every symbol's clock advances far enough to close
   * the window holding that event time (see {@link idleFlushEventTime}); at the end of a replay this emits
   * the last minute of the day. Own transaction (outputs + changelog); on failure the state is
   * rebuilt before the next batch.
   */
  private async idleFlush(): Promise<void> {
    const idleMs = this.config.BAR_IDLE_FLUSH_MS;
    const rebalanced = this.tasks !== null && this.tasks.generation !== this.stateGeneration;
    if (this.tasks === null || Date.now() - this.lastInputAt < idleMs) return;
    if (!rebalanced && (this.dirty || this.streamTime === null || this.engine.openWindowCount === 0)) return;
    // Silence is not idleness: while the broker is down or paused, or the group rebalances, no input
    // arrives either, and flushing then closed windows whose trades were still unread (they went to
    // market.trades.v1.late: found by `npm run chaos`, broker SIGKILL/SIGSTOP). Flush only when every
    // owned input partition is read to its end; otherwise the idle clock starts again.
    if (!(await this.inputDrained(this.tasks.ownedTasks()))) {
      this.lastInputAt = Date.now();
      return;
    }
    await this.serially(async () => {
      // After a rebalance without further input (e.g. the end of a replay), tasks taken over from a
      // stopped instance still have their last minute open: restore them first, then flush.
      if (this.tasks !== null && (this.dirty || this.tasks.generation !== this.stateGeneration))
        await this.restoreOwnedState(this.dirty ? 'failed-transaction' : 'rebalance');
      const idleFor = Date.now() - this.lastInputAt;
      if (this.streamTime === null || this.engine.openWindowCount === 0 || idleFor < idleMs) return;
      const output = this.engine.advanceTo(
        idleFlushEventTime(this.streamTime, idleFor, this.engine.settings),
      );
      if (output.bars.length === 0) return;
      this.commitPerTask(output, 'idle-flush');
      this.log.info(
        { bars: output.bars.length, advancedTo: this.streamTime + idleFor, idleMs: idleFor },
        'Idle flush closed open bars',
      );
    });
  }

  /**
   * Adds what a clock advance produced (`output` plus the changelog of every changed symbol) to the
   * next transaction of each task concerned, on that task's producer (no input offsets): a task this
   * instance lost is fenced, and its outputs never appear. A failure marks the state for a rebuild.
   * Returns each task's commit (never awaited by the serial work; see handleBatch).
   *
   * @throws Error (and marks the state for a rebuild) when a changed symbol has no known task
   */
  private commitPerTask(output: EngineOutput, kind: 'idle-flush' | 'cross-symbol'): Promise<void>[] {
    if (this.tasks === null) {
      this.engine.takeChangedSymbols();
      return [];
    }
    // Outputs first: numbering them (tickwire-feed-seq) changes their symbols' state.
    const outputs = this.outputRecords(output);
    const changed = this.engine.takeChangedSymbols();
    if (changed.length === 0 && output.bars.length === 0 && output.alerts.length === 0) return [];
    const symbolsByTask = new Map<number, Set<string>>();
    for (const symbol of [...changed, ...outputs.map((record) => String(record.key))]) {
      const task = this.taskOfSymbol.get(symbol);
      if (task === undefined) {
        // Every symbol in the engine came from a batch or a restore of a known task.
        this.dirty = true;
        throw new Error(`clock advance: no task known for symbol ${symbol}`);
      }
      symbolsByTask.set(task, (symbolsByTask.get(task) ?? new Set()).add(symbol));
    }
    const committed: Promise<void>[] = [];
    for (const [task, symbols] of symbolsByTask) {
      const taskChanged = changed.filter((symbol) => symbols.has(symbol));
      const outgoing = outputs.filter((record) => symbols.has(String(record.key)));
      const bars = output.bars.filter((bar) => symbols.has(bar.payload.symbol)).length;
      const alerts = output.alerts.filter((alert) => symbols.has(alert.payload.symbol));
      const views = this.viewsOf(taskChanged);
      const produced = producedByTopic(outgoing);
      const alertTypes = alerts.map((alert) => alert.payload.alertType);
      // A failure is logged and rebuilt through the lanes' failed hook.
      committed.push(
        this.lanes.enqueue(task, {
          records: outgoing,
          changed: taskChanged,
          offsets: [],
          onCommitted: () => {
            for (const [topic, count] of produced) this.metrics.produced.inc({ topic }, count);
            this.metrics.bars.inc({ trigger: kind === 'idle-flush' ? 'idle-flush' : 'event-time' }, bars);
            for (const alertType of alertTypes) this.metrics.alerts.inc({ alert_type: alertType });
            this.stateWriter.enqueue(views);
          },
        }),
      );
    }
    return committed;
  }

  /**
   * Rebuilds the state from the changelog when it may differ from the committed state: before the
   * first batch, after a failed transaction, and after a group join (tasks may have moved).
   */
  private async ensureConsistentState(): Promise<void> {
    const rebalanced = this.tasks !== null && this.tasks.generation !== this.stateGeneration;
    if (!this.dirty && !rebalanced) return;
    const reason = this.dirty ? (this.stateGeneration < 0 ? 'start' : 'failed-transaction') : 'rebalance';
    await this.restoreOwnedState(reason);
  }

  /**
   * Rebuilds the engine from the changelog partitions of the tasks owned now (after the transport
   * fenced their previous owners), and reloads the group's committed offsets. A task whose input
   * partitions have no committed offset at all belongs to a new group (or recreated inputs): its
   * changelog is an earlier life of the pipeline, so it starts empty and its keys are deleted in the
   * task's next transaction, or a replay of the same day would find its windows closed and its
   * trades late.
   *
   * The merges follow: after a group join every owned task's merge is emptied (the consumer fetches
   * from the committed offsets again) and paused partitions resume; otherwise (a failed transaction,
   * same generation) the records taken since the last committed position are put back in front of
   * their queues, to be processed again on the rebuilt state.
   *
   * Every restored symbol's view is queued for symbol-state (conditional writes: never older than the
   * table's), so that the table converges to the committed state after a crash lost pending writes.
   */
  private async restoreOwnedState(reason: string): Promise<void> {
    const tasks = this.tasks;
    if (tasks === null) return;
    await this.prepare();
    // Every transaction started or queued so far settles first: the changelog and the offsets read
    // below then hold all of it that committed, and nothing commits behind their backs.
    await this.lanes.drain();
    // A failed transaction's outcome may be unknown (a commit whose answer was lost while the broker
    // was away): fence our own producers, so the coordinator settles it before the reads below (found
    // by `npm run chaos`: a commit landing after the restore duplicated outputs).
    if (reason === 'failed-transaction') await tasks.refence();
    await tasks.ready();
    const generation = tasks.generation;
    const owned = tasks.ownedTasks();
    const started = Date.now();
    const restored = await this.changelog.readAll(owned);
    await this.loadCommittedOffsets();
    this.engine.clear();
    this.taskOfSymbol.clear();
    this.pendingTombstones = new Map();
    const fresh = new Set(
      owned.filter((task) => ENRICHER_INPUT_TOPICS.every((topic) => !this.expected.has(`${topic}:${task}`))),
    );
    let streamTime: number | null = null;
    for (const [symbol, { snapshot, partition }] of restored) {
      if (fresh.has(partition)) {
        this.pendingTombstones.set(partition, [...(this.pendingTombstones.get(partition) ?? []), symbol]);
        continue;
      }
      this.engine.restore(symbol, snapshot);
      this.taskOfSymbol.set(symbol, partition);
      const { lastEventTime, lastTradeTime } = snapshot.processor.market;
      if (
        lastEventTime !== null &&
        lastTradeTime !== null &&
        (streamTime === null || lastEventTime > streamTime)
      ) {
        streamTime = lastEventTime;
      }
    }
    this.engine.takeChangedSymbols();
    // symbol-state converges to the restored (committed) state: a view taken but not written before a
    // crash (DynamoDB down, then SIGKILL) would otherwise stay missing until the symbol's next event,
    // which on a finished replay or a halted symbol never comes. The writes are conditional on
    // lastEventTime, so a view older than the table's changes nothing.
    this.stateWriter.enqueue(this.viewsOf([...this.taskOfSymbol.keys()]));
    this.streamTime = streamTime;
    this.restoreMerges(owned, generation !== this.stateGeneration);
    this.dirty = false;
    this.lanes.reset();
    this.stateGeneration = generation;
    const tombstones = [...this.pendingTombstones.values()].reduce((sum, keys) => sum + keys.length, 0);
    this.metrics.restores.inc({ reason: tombstones > 0 ? 'fresh-group' : reason });
    this.log.info(
      {
        reason,
        tasks: owned,
        generation,
        symbols: restored.size - tombstones,
        tombstones,
        ms: Date.now() - started,
      },
      'State restored from the changelog',
    );
  }

  /** The merge side of {@link restoreOwnedState}: see its doc. */
  private restoreMerges(owned: readonly number[], newGeneration: boolean): void {
    for (const [task, group] of this.groups) {
      if (newGeneration || !owned.includes(task)) {
        group.clear();
        // Its records are fetched again: what was added before proves nothing any more.
        this.sequences.get(task)?.clear();
        if (!owned.includes(task)) {
          this.groups.delete(task);
          this.sequences.delete(task);
        }
        continue;
      }
      for (const topic of ENRICHER_INPUT_TOPICS) {
        const committed = this.expected.get(`${topic}:${task}`);
        if (committed !== undefined) group.committed(topic, committed);
      }
      group.rewind();
    }
    if (newGeneration) {
      for (const resume of this.paused.values()) resume();
      this.paused.clear();
    }
  }

  /**
   * True when the group has committed every owned input partition up to its end offset (nothing is
   * left to read); false when something is unread or the broker cannot be asked (then the input may
   * be stalled, not finished).
   */
  private async inputDrained(tasks: readonly number[]): Promise<boolean> {
    const owned = new Set(tasks);
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const committed = await admin.fetchOffsets({
        groupId: this.groupId,
        topics: [...ENRICHER_INPUT_TOPICS],
      });
      for (const topic of ENRICHER_INPUT_TOPICS) {
        const mine = committed.find((t) => t.topic === topic)?.partitions ?? [];
        for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
          if (!owned.has(partition) || BigInt(high) === BigInt(low)) continue;
          const offset = BigInt(mine.find((p) => p.partition === partition)?.offset ?? '-1');
          if (offset < BigInt(high)) return false;
        }
      }
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** The group's committed offsets of every input partition: what the restored changelog corresponds to. */
  private async loadCommittedOffsets(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.fetchOffsets({ groupId: this.groupId, topics: [...ENRICHER_INPUT_TOPICS] });
      this.expected.clear();
      for (const { topic, partitions } of topics) {
        for (const { partition, offset } of partitions)
          if (BigInt(offset) >= 0n) this.expected.set(`${topic}:${partition}`, offset);
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async referencesOf(events: readonly TickwireEvent[]): Promise<Map<string, PreviousCloseReference>> {
    const symbols = [...new Set(events.map((event) => event.payload.symbol))];
    const loaded = await Promise.all(symbols.map((symbol) => this.references.referenceFor(symbol)));
    return new Map(symbols.map((symbol, i) => [symbol, loaded[i] as PreviousCloseReference]));
  }

  /**
   * The customer-topic records of `output`, each numbered in its symbol's feed (`tickwire-feed-seq`,
   * see EnrichmentEngine.nextFeedSequence) in the order they are sent.
   */
  private outputRecords(output: EngineOutput): OutgoingRecord[] {
    const record = (topic: string, event: TickwireEvent): OutgoingRecord => ({
      topic,
      key: event.payload.symbol,
      value: serializeEvent(event),
      headers: buildFeedSequenceHeaders(this.engine.nextFeedSequence(event.payload.symbol, topic, event)),
    });
    return [
      ...output.enriched.map((event) => record(TOPICS.enriched, event)),
      ...output.bars.map((event) => record(TOPICS.bars1m, event)),
      ...output.alerts.map((event) => record(TOPICS.alerts, event)),
      ...output.corrections.map((event) => record(TOPICS.corrections, event)),
      ...output.halts.map((event) => record(TOPICS.halts, event)),
    ];
  }

  private lateRecord(record: KafkaRecord, watermark: number): OutgoingRecord {
    const original: Record<string, string | Buffer> = {};
    for (const [name, value] of Object.entries(record.headers)) {
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) original[name] = first;
    }
    const headers = buildLateHeaders({
      originalTopic: record.topic,
      originalPartition: record.partition,
      originalOffset: record.offset,
      watermark,
      allowedLatenessMs: this.config.BAR_ALLOWED_LATENESS_MS,
      service: this.config.SERVICE_NAME,
    });
    return {
      topic: lateTopic(record.topic as TopicName),
      key: record.key,
      value: record.value,
      headers: { ...original, ...(headers as Record<string, string>) },
    };
  }

  /** Task `task`'s changelog records: its pending tombstones, then the snapshots of `symbols`. */
  private changelogRecords(task: number, symbols: readonly string[]): OutgoingRecord[] {
    const snapshots = symbols.flatMap((symbol) => {
      const snapshot = this.engine.snapshotOf(symbol);
      return snapshot ? [[symbol, snapshot] as [string, typeof snapshot]] : [];
    });
    // Tombstones first: a symbol rewritten in the same transaction keeps its new value (partition order).
    const tombstones = (this.pendingTombstones.get(task) ?? []).map(
      (symbol) => [symbol, null] as [string, null],
    );
    return this.changelog.records(task, [...tombstones, ...snapshots]);
  }

  /**
   * The symbol-state views of `symbols` now, i.e. at the state their transaction commits; handed to the
   * background writer once it committed (the batch does not wait for DynamoDB).
   */
  private viewsOf(symbols: readonly string[]): SymbolStateView[] {
    return symbols.flatMap((symbol) => this.engine.stateOf(symbol) ?? []);
  }

  private advanceStreamTime(eventTime: number): void {
    if (this.streamTime === null || eventTime > this.streamTime) this.streamTime = eventTime;
  }

  /** Runs `work` after every earlier batch / flush (batches and the idle timer never interleave). */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/** Records per topic of `outgoing`. */
function producedByTopic(outgoing: readonly OutgoingRecord[]): Map<string, number> {
  const byTopic = new Map<string, number>();
  for (const record of outgoing) byTopic.set(record.topic, (byTopic.get(record.topic) ?? 0) + 1);
  return byTopic;
}

function merge(into: EngineOutput, from: EngineOutput): void {
  into.enriched.push(...from.enriched);
  into.bars.push(...from.bars);
  into.alerts.push(...from.alerts);
  into.late.push(...from.late);
  into.corrections.push(...from.corrections);
  into.halts.push(...from.halts);
}
