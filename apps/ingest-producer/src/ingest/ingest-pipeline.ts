import { EventContractError } from '@tickwire/contracts';
import type { OutgoingRecord } from '@tickwire/kafka';
import type { MarketDataSource, MarketEvent, Pacing, SourceRecord } from '@tickwire/market-sources';
import { BatchingPublisher } from '../publishing/batching-publisher';
import { type RecordSink, toOutgoingRecord } from '../publishing/market-event-publisher';
import { type RefusedInput, SourceDeadLetters } from '../publishing/source-dead-letters';
import { SourceSequencer } from '../publishing/source-sequencer';
import type { IngestMetrics } from './ingest-metrics';
import type { IngestProgress } from './ingest-status';

/** A record on its way to Kafka, with what its acknowledgement must count. */
type PipelineItem =
  | { readonly kind: 'event'; readonly record: OutgoingRecord; readonly eventTime: number; readonly eventSource: string }
  | { readonly kind: 'dead-letter'; readonly record: OutgoingRecord; readonly originalTopic: string; readonly errorClass: string };

/** Options of {@link IngestPipeline}. */
export interface IngestPipelineOptions {
  readonly source: MarketDataSource;
  /** The idempotent Kafka producer. */
  readonly sink: RecordSink;
  readonly progress: IngestProgress;
  readonly metrics?: IngestMetrics;
  /** `x-dlq-service` of dead letters. */
  readonly serviceName: string;
  /** Prepended to every topic (TOPIC_PREFIX); default empty. */
  readonly topicPrefix?: string;
  readonly batchSize: number;
  /** Bytes per batch; default unlimited (see BatchingPublisherOptions.maxBatchBytes). */
  readonly maxBatchBytes?: number;
  readonly lingerMs: number;
  readonly maxInFlight: number;
  /** How long a failed batch is sent again (see BatchingPublisherOptions.retryTimeoutMs); default 0. */
  readonly retryTimeoutMs?: number;
  /** Told about each new attempt of a failed batch. */
  readonly onPublishRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /**
   * The source's pacing, for the replay-lag metric: a scaled pacing measures lag against the schedule,
   * `max` measures none, null (a live source) measures acknowledgement time minus event time.
   */
  readonly pacing: Pacing | null;
  /** Epoch ms UTC; default `Date.now`. */
  readonly wallClock?: () => number;
  /** The raw records' `tickwire-source-session`; default a random UUID (one per process start). */
  readonly session?: string;
}

/**
 * Reads a market-data source and publishes it to Kafka: each valid event, checked once more against its
 * contract, to its topic keyed by symbol; each refused input (rejected by the source, or an event that
 * fails the contract) to `<topic>.dlq` with the reason in the dead-letter headers and the raw input as
 * value. Events and dead letters travel in the same batches, in source order, through a
 * {@link BatchingPublisher}, whose backpressure paces the reading: the source is never read further
 * ahead than a few batches, whatever its size.
 *
 * Every event record carries the sequence headers of @tickwire/contracts (`tickwire-source-session`,
 * `tickwire-symbol-seq`: {@link SourceSequencer}), numbered per symbol over all raw topics in the
 * order the records go to the publisher, which is their send order; dead letters get none. The
 * enricher's merge relies on it to take a record at once when its predecessor has been seen.
 *
 * Counting happens on acknowledgement, so the progress (status endpoint) and the metrics only ever show
 * records that Kafka holds.
 */
export class IngestPipeline {
  private readonly publisher: BatchingPublisher<PipelineItem>;
  private readonly deadLetters: SourceDeadLetters;
  private readonly sequencer: SourceSequencer;
  private readonly wallClock: () => number;
  private readonly topicPrefix: string;
  private stopping = false;
  private finished: Promise<void> | undefined;
  /** Per envelope `source`, the first event read and when: the origin of a paced replay's schedule. */
  private readonly scheduleAnchors = new Map<string, { eventTime: number; wallTime: number }>();

  constructor(private readonly options: IngestPipelineOptions) {
    this.wallClock = options.wallClock ?? Date.now;
    this.topicPrefix = options.topicPrefix ?? '';
    this.deadLetters = new SourceDeadLetters(options.serviceName, this.topicPrefix, this.wallClock);
    this.sequencer = new SourceSequencer(options.session);
    this.publisher = new BatchingPublisher<PipelineItem>({
      sink: options.sink,
      batchSize: options.batchSize,
      ...(options.maxBatchBytes !== undefined ? { maxBatchBytes: options.maxBatchBytes } : {}),
      lingerMs: options.lingerMs,
      maxInFlight: options.maxInFlight,
      ...(options.retryTimeoutMs !== undefined ? { retryTimeoutMs: options.retryTimeoutMs } : {}),
      ...(options.onPublishRetry ? { onRetry: options.onPublishRetry } : {}),
      onAcknowledged: (items, durationMs) => this.acknowledged(items, durationMs),
    });
  }

  /**
   * Runs until the source is exhausted (then every record is acknowledged and the progress says
   * `completed`), {@link stop} is called (in-flight batches still finish), or the source or Kafka fails
   * (progress `failed` with the error; records read before the failure are still published when Kafka
   * allows). Never rejects. A second call returns the same run.
   */
  run(): Promise<void> {
    this.finished ??= this.execute();
    return this.finished;
  }

  /** Stops reading and resolves once every record already read is acknowledged (or failed). Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.options.source.close();
    await this.finished;
  }

  private async execute(): Promise<void> {
    const { source, progress } = this.options;
    progress.markRunning();
    let ordinal = 0;
    try {
      for await (const record of source) {
        await this.publisher.add(this.toItem(record, ordinal));
        ordinal += 1;
        if (this.stopping) break;
      }
      await this.publisher.flush();
      if (!this.stopping) progress.markCompleted();
    } catch (error) {
      // A source failure leaves the records already read to be sent; a Kafka failure makes this rethrow at once.
      await this.publisher.flush().catch(() => undefined);
      await source.close().catch(() => undefined);
      progress.markFailed(error);
    }
  }

  private toItem(record: SourceRecord, ordinal: number): PipelineItem {
    if (record.kind === 'rejected') {
      this.options.metrics?.recordRead('rejected');
      return this.deadLetter({ ...record, ordinal });
    }
    this.options.metrics?.recordRead('event');
    const { event } = record;
    try {
      const checked = toOutgoingRecord(event, this.topicPrefix);
      // Numbered only once it passed its contract (dead letters get no number), and here, in read
      // order: items are added to the publisher, and sent, in the order toItem makes them.
      const outgoing = this.sequencer.stamp(checked, event.payload.symbol);
      this.anchorSchedule(event);
      return { kind: 'event', record: outgoing, eventTime: event.eventTime, eventSource: event.source };
    } catch (error) {
      if (!(error instanceof EventContractError)) throw error;
      return this.deadLetter({
        topic: record.topic,
        errorClass: error.errorClass,
        reason: error.reason,
        raw: JSON.stringify(event),
        symbol: event.payload.symbol,
        source: event.source,
        origin: `${event.source} event ${event.id}`,
        receivedAt: this.wallClock(),
        ordinal,
      });
    }
  }

  private deadLetter(input: RefusedInput): PipelineItem {
    this.options.progress.countRejected();
    return {
      kind: 'dead-letter',
      record: this.deadLetters.build(input),
      originalTopic: this.deadLetters.originalTopicOf(input),
      errorClass: input.errorClass,
    };
  }

  private anchorSchedule(event: MarketEvent): void {
    if (!this.scheduleAnchors.has(event.source)) this.scheduleAnchors.set(event.source, { eventTime: event.eventTime, wallTime: this.wallClock() });
  }

  private acknowledged(items: readonly PipelineItem[], durationMs: number): void {
    const { progress, metrics } = this.options;
    const published = new Map<string, number>();
    let lastEvent: Extract<PipelineItem, { kind: 'event' }> | undefined;
    for (const item of items) {
      if (item.kind === 'event') {
        published.set(item.record.topic, (published.get(item.record.topic) ?? 0) + 1);
        lastEvent = item;
      } else {
        progress.countDeadLettered(item.record.topic, 1);
        metrics?.recordDeadLettered(item.originalTopic, item.errorClass);
      }
    }
    for (const [topic, count] of published) {
      progress.countPublished(topic, count);
      metrics?.recordsPublished(topic, count);
    }
    metrics?.batchAcknowledged(durationMs / 1000, items.length);
    if (lastEvent && metrics) {
      const lagMs = this.lagMs(lastEvent);
      if (lagMs !== undefined) metrics.replayLag(lagMs / 1000);
    }
  }

  /** Lag of an acknowledged event behind its schedule, ms (see IngestPipelineOptions.pacing). */
  private lagMs(item: Extract<PipelineItem, { kind: 'event' }>): number | undefined {
    const { pacing } = this.options;
    const now = this.wallClock();
    if (pacing === null) return now - item.eventTime;
    if (pacing.mode === 'max') return undefined;
    const anchor = this.scheduleAnchors.get(item.eventSource);
    if (!anchor) return undefined;
    return now - anchor.wallTime - (item.eventTime - anchor.eventTime) / pacing.speed;
  }
}
