import { hostname } from 'node:os';
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
  buildLateHeaders,
  lateTopic,
  type QuoteV1Event,
  serializeEvent,
  type TickwireEvent,
  TOPICS,
  type TradeV1Event,
} from '@tickwire/contracts';
import type { PreviousCloseReference } from '@tickwire/indicators';
import {
  DeadLetterPublisher,
  describeError,
  type KafkaClient,
  type KafkaConsumerContext,
  type KafkaRecord,
  nextOffset,
  type OutgoingRecord,
  parseBatch,
  RecordProducer,
} from '@tickwire/kafka';
import { PreviousCloseReader } from '@tickwire/reference-data';
import {
  DYNAMODB_CLIENT,
  InjectServiceConfig,
  KAFKA_CLIENT,
  MetricsService,
  ROOT_LOGGER,
} from '@tickwire/service-kit';
import type { Counter, Histogram } from 'prom-client';
import type { Logger } from 'pino';
import { type EnricherConfig, enrichmentSettingsOf } from './enricher-env';
import {
  type EngineOutput,
  EnrichmentEngine,
  emptyOutput,
  idleFlushEventTime,
} from './enrichment-engine.service';
import { SymbolStateChangelog } from './symbol-state-changelog';
import { SymbolStateWriter } from './symbol-state-writer';

/** Input topics of the enricher. */
export const ENRICHER_INPUT_TOPICS = [TOPICS.trades, TOPICS.quotes, TOPICS.barsDaily] as const;

/** Records per produce request inside a transaction: keeps each partition's record batch well under 1 MiB. */
const SEND_CHUNK_RECORDS = 500;

/**
 * The enricher's consume-transform-produce loop around {@link EnrichmentEngine}, exactly once:
 *
 * - one Kafka transaction per fetched batch (one input topic-partition) holds every output (enriched,
 *   1-minute bars, alerts, late trades, dead letters), the changelog records of every symbol the batch
 *   changed, and the batch's input offset (`sendOffsets`); consumers downstream read_committed. Either
 *   all of it becomes visible, or none and the batch is redelivered.
 * - state: the engine's per-symbol snapshots in the compacted changelog topic, written in those same
 *   transactions, so the changelog always equals the state at the committed input offsets. The state
 *   is rebuilt from it (read_committed, to its end) before the first batch, after any failed
 *   transaction, and whenever a batch does not start at the offset this instance last committed for
 *   its partition (a restart, a rebalance, another instance's work in between).
 * - bars close in event time (each symbol's watermark); at the end of input a processing-time idle
 *   timer advances the clock (BAR_IDLE_FLUSH_MS, see enricher-env.ts) in a transaction of its own
 *   (outputs + changelog, no input offsets).
 * - DynamoDB `symbol-state` is written after the commit, once per changed symbol, conditional on
 *   lastEventTime (never older over newer); a failed write is retried with the next batch.
 */
@Injectable()
export class EnrichmentPipeline implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly engine: EnrichmentEngine;
  private readonly references: PreviousCloseReader;
  private readonly changelog: SymbolStateChangelog;
  private readonly stateWriter: SymbolStateWriter;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly idleProducer: RecordProducer;
  private readonly log: Logger;

  /** Next input offset this instance committed, per `topic:partition`. */
  private readonly expected = new Map<string, string>();
  /** True until the state was restored, and after a failed transaction. */
  private dirty = true;
  private tail: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  /** Latest trade/quote event time seen (epoch ms) and when (wall clock) the last input arrived. */
  private streamTime: number | null = null;
  private lastInputAt = Date.now();
  private readonly pendingStateSymbols = new Set<string>();
  /** Changelog keys of an earlier life of the pipeline, deleted by the next transaction. */
  private pendingTombstones: string[] = [];
  private idleProducerConnected = false;

  private readonly metrics: {
    produced: Counter<'topic'>;
    late: Counter<'topic'>;
    alerts: Counter<'alert_type'>;
    bars: Counter<'trigger'>;
    restores: Counter<'reason'>;
    stateWrites: Counter<'outcome'>;
    commitSeconds: Histogram<'kind'>;
  };

  constructor(
    @InjectServiceConfig() private readonly config: EnricherConfig,
    @Inject(KAFKA_CLIENT) private readonly kafka: KafkaClient,
    @Inject(DYNAMODB_CLIENT) dynamoDb: DynamoDBClient,
    private readonly metricsService: MetricsService,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
  ) {
    this.log = rootLogger.child({ component: 'enrichment-pipeline' });
    this.engine = new EnrichmentEngine(enrichmentSettingsOf(config));
    this.references = new PreviousCloseReader(dynamoDb, { tableName: config.REFERENCE_DAILY_BARS_TABLE });
    const groupId = config.KAFKA_CONSUMER_GROUP ?? config.SERVICE_NAME;
    this.changelog = new SymbolStateChangelog(kafka, config.ENRICHER_CHANGELOG_TOPIC, groupId);
    this.stateWriter = new SymbolStateWriter(dynamoDb, config.SYMBOL_STATE_TABLE);
    this.deadLetters = new DeadLetterPublisher(
      { sendBatch: () => Promise.resolve() },
      config.SERVICE_NAME,
      metricsService,
      groupId,
    );
    this.idleProducer = new RecordProducer(kafka, {
      transactionalId: `${config.SERVICE_NAME}-${hostname()}-idle-flush`,
    });
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
      commitSeconds: m.histogram(
        'tickwire_enricher_transaction_seconds',
        'Duration of one Kafka transaction (produce + offsets + commit), by kind (batch, idle-flush).',
        ['kind'],
      ),
    };
  }

  /** Creates the changelog topic when missing and starts the idle-flush timer. */
  async onModuleInit(): Promise<void> {
    await this.changelog.ensureTopic(TOPICS.trades);
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

  /** Stops the idle timer and waits for running work (the Kafka transport then stops consuming). */
  async onModuleDestroy(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = undefined;
    await this.tail.catch(() => undefined);
  }

  /** Disconnects the idle-flush producer once the consumer has stopped. */
  async onApplicationShutdown(): Promise<void> {
    await this.tail.catch(() => undefined);
    if (this.idleProducerConnected) await this.idleProducer.disconnect();
    this.idleProducerConnected = false;
  }

  /**
   * Handles one fetched batch of one input topic-partition in one transaction (see the class doc).
   * Records that break their contract, or that the engine rejects, are dead-lettered inside the same
   * transaction (so a dead letter is written exactly once too).
   *
   * @throws when the transaction fails (the batch is then redelivered and the state rebuilt) or the
   *   reference data cannot be read
   */
  handleBatch(records: readonly KafkaRecord[], context: KafkaConsumerContext): Promise<void> {
    return this.serially(() => this.process(records, context));
  }

  private async process(records: readonly KafkaRecord[], context: KafkaConsumerContext): Promise<void> {
    const first = records[0];
    const last = records[records.length - 1];
    if (!first || !last) return;
    const partitionKey = `${first.topic}:${first.partition}`;
    await this.ensureConsistentState(first.topic, first.partition, first.offset);
    this.lastInputAt = Date.now();

    const { parsed, deadLetters } = parseBatch(records);
    const references = await this.referencesOf(parsed.map((p) => p.event));
    const output = emptyOutput();
    const late: OutgoingRecord[] = [];
    for (const { record, event } of parsed) {
      try {
        const result = this.apply(event, references.get(event.payload.symbol));
        merge(output, result);
        for (const { watermark } of result.late) late.push(this.lateRecord(record, watermark));
      } catch (error) {
        deadLetters.push({ record, error });
      }
    }
    if (this.config.BAR_CROSS_SYMBOL_LAG_MS > 0 && this.streamTime !== null) {
      merge(output, this.engine.advanceTo(this.streamTime - this.config.BAR_CROSS_SYMBOL_LAG_MS));
    }

    const changed = this.engine.takeChangedSymbols();
    const outgoing = [
      ...this.outputRecords(output),
      ...late,
      ...deadLetters.map(({ record, error }) => this.deadLetters.build(record, error)),
      ...this.changelogRecords(changed),
    ];
    const started = process.hrtime.bigint();
    try {
      await context.transaction(async (tx) => {
        for (let i = 0; i < outgoing.length; i += SEND_CHUNK_RECORDS)
          await tx.sendBatch(outgoing.slice(i, i + SEND_CHUNK_RECORDS));
      });
    } catch (error) {
      // The engine already applied the batch; its state is ahead of the committed changelog.
      this.dirty = true;
      throw error;
    }
    this.metrics.commitSeconds.observe({ kind: 'batch' }, Number(process.hrtime.bigint() - started) / 1e9);
    this.expected.set(partitionKey, nextOffset(last.offset));
    this.pendingTombstones = [];
    this.countProduced(outgoing);
    for (const { record, error } of deadLetters)
      this.metricsService.recordDeadLettered(record.topic, describeError(error).errorClass);
    this.metrics.late.inc({ topic: TOPICS.trades }, late.length);
    this.metrics.bars.inc({ trigger: 'event-time' }, output.bars.length);
    for (const alert of output.alerts) this.metrics.alerts.inc({ alert_type: alert.payload.alertType });
    await this.writeSymbolState(changed);
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
    if (
      this.dirty ||
      this.streamTime === null ||
      this.engine.openWindowCount === 0 ||
      Date.now() - this.lastInputAt < idleMs
    )
      return;
    await this.serially(async () => {
      const idleFor = Date.now() - this.lastInputAt;
      if (this.dirty || this.streamTime === null || this.engine.openWindowCount === 0 || idleFor < idleMs)
        return;
      const output = this.engine.advanceTo(
        idleFlushEventTime(this.streamTime, idleFor, this.engine.settings),
      );
      if (output.bars.length === 0) return;
      const changed = this.engine.takeChangedSymbols();
      const outgoing = [...this.outputRecords(output), ...this.changelogRecords(changed)];
      const started = process.hrtime.bigint();
      try {
        if (!this.idleProducerConnected) {
          await this.idleProducer.connect();
          this.idleProducerConnected = true;
        }
        await this.idleProducer.transaction(async (tx) => {
          for (let i = 0; i < outgoing.length; i += SEND_CHUNK_RECORDS)
            await tx.sendBatch(outgoing.slice(i, i + SEND_CHUNK_RECORDS));
        });
      } catch (error) {
        this.dirty = true;
        throw error;
      }
      this.metrics.commitSeconds.observe(
        { kind: 'idle-flush' },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      this.countProduced(outgoing);
      this.pendingTombstones = [];
      this.metrics.bars.inc({ trigger: 'idle-flush' }, output.bars.length);
      for (const alert of output.alerts) this.metrics.alerts.inc({ alert_type: alert.payload.alertType });
      this.log.info(
        { bars: output.bars.length, advancedTo: this.streamTime + idleFor, idleMs: idleFor },
        'Idle flush closed open bars',
      );
      await this.writeSymbolState(changed);
    });
  }

  /**
   * Rebuilds the state from the changelog when it may differ from the committed state: before the
   * first batch, after a failed transaction, or when `partitionKey`'s batch does not start where this
   * instance's last commit left it.
   */
  private async ensureConsistentState(topic: string, partition: number, firstOffset: string): Promise<void> {
    const partitionKey = `${topic}:${partition}`;
    const expected = this.expected.get(partitionKey);
    let gap = expected !== undefined && expected !== firstOffset;
    if (gap && !this.dirty && BigInt(firstOffset) > BigInt(expected as string)) {
      // Transaction markers and aborted records of a transactional producer leave forward gaps that
      // are nobody's work: if the group's committed offset is still the one we committed, nobody else
      // processed this partition in between.
      gap = (await this.committedOffset(topic, partition)) !== expected;
    }
    if (!this.dirty && !gap) return;
    let reason = this.dirty ? (this.expected.size === 0 ? 'start' : 'failed-transaction') : 'offset-gap';
    const started = Date.now();
    const snapshots = await this.changelog.readAll();
    await this.loadCommittedOffsets();
    this.engine.clear();
    this.pendingTombstones = [];
    let streamTime: number | null = null;
    if (this.expected.size === 0 && snapshots.size > 0) {
      // The group has committed nothing (new group, or its input topics were recreated): the changelog
      // belongs to an earlier life of the pipeline. Start empty and delete it in the first transaction,
      // or a replay of the same day would find its windows closed and its trades late.
      reason = 'fresh-group';
      this.pendingTombstones = [...snapshots.keys()];
    } else {
      for (const [symbol, snapshot] of snapshots) {
        this.engine.restore(symbol, snapshot);
        const { lastEventTime, lastTradeTime } = snapshot.processor.market;
        if (
          lastEventTime !== null &&
          lastTradeTime !== null &&
          (streamTime === null || lastEventTime > streamTime)
        ) {
          streamTime = lastEventTime;
        }
      }
    }
    this.engine.takeChangedSymbols();
    this.streamTime = streamTime;
    this.dirty = false;
    this.metrics.restores.inc({ reason });
    this.log.info(
      {
        reason,
        symbols: snapshots.size,
        partition: partitionKey,
        firstOffset,
        expected,
        ms: Date.now() - started,
      },
      'State restored from the changelog',
    );
  }

  /** The group's committed offset of one partition (decimal string; `-1` when none). */
  private async committedOffset(topic: string, partition: number): Promise<string> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({
        groupId: this.config.KAFKA_CONSUMER_GROUP ?? this.config.SERVICE_NAME,
        topics: [topic],
      });
      return offsets?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    } finally {
      await admin.disconnect();
    }
  }

  /** The group's committed offsets of every input partition: what the restored changelog corresponds to. */
  private async loadCommittedOffsets(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const groupId = this.config.KAFKA_CONSUMER_GROUP ?? this.config.SERVICE_NAME;
      const topics = await admin.fetchOffsets({ groupId, topics: [...ENRICHER_INPUT_TOPICS] });
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

  private outputRecords(output: EngineOutput): OutgoingRecord[] {
    const record = (topic: string, event: TickwireEvent): OutgoingRecord => ({
      topic,
      key: event.payload.symbol,
      value: serializeEvent(event),
    });
    return [
      ...output.enriched.map((event) => record(TOPICS.enriched, event)),
      ...output.bars.map((event) => record(TOPICS.bars1m, event)),
      ...output.alerts.map((event) => record(TOPICS.alerts, event)),
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
      topic: lateTopic(TOPICS.trades),
      key: record.key,
      value: record.value,
      headers: { ...original, ...(headers as Record<string, string>) },
    };
  }

  private changelogRecords(symbols: readonly string[]): OutgoingRecord[] {
    for (const symbol of symbols) this.pendingStateSymbols.add(symbol);
    const snapshots = symbols.flatMap((symbol) => {
      const snapshot = this.engine.snapshotOf(symbol);
      return snapshot ? [[symbol, snapshot] as [string, typeof snapshot]] : [];
    });
    // Tombstones first: a symbol rewritten in the same transaction keeps its new value (partition order).
    const tombstones: OutgoingRecord[] = this.pendingTombstones.map((symbol) => ({
      topic: this.changelog.topic,
      key: symbol,
      value: null,
    }));
    return [...tombstones, ...this.changelog.records(snapshots)];
  }

  private countProduced(outgoing: readonly OutgoingRecord[]): void {
    const byTopic = new Map<string, number>();
    for (const record of outgoing) byTopic.set(record.topic, (byTopic.get(record.topic) ?? 0) + 1);
    for (const [topic, count] of byTopic) this.metrics.produced.inc({ topic }, count);
  }

  /** Writes the latest view of the pending symbols; failures stay pending for the next batch. */
  private async writeSymbolState(symbols: readonly string[]): Promise<void> {
    for (const symbol of symbols) this.pendingStateSymbols.add(symbol);
    const states = [...this.pendingStateSymbols].flatMap((symbol) => this.engine.stateOf(symbol) ?? []);
    try {
      const result = await this.stateWriter.write(states);
      this.metrics.stateWrites.inc({ outcome: 'written' }, result.written);
      this.metrics.stateWrites.inc({ outcome: 'stale' }, result.stale);
      this.pendingStateSymbols.clear();
    } catch (error) {
      this.metrics.stateWrites.inc({ outcome: 'failed' }, states.length);
      this.log.warn(
        { err: error, symbols: states.length },
        'symbol-state write failed; retrying with the next batch',
      );
    }
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

function merge(into: EngineOutput, from: EngineOutput): void {
  into.enriched.push(...from.enriched);
  into.bars.push(...from.bars);
  into.alerts.push(...from.alerts);
  into.late.push(...from.late);
}
