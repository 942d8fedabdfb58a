import { Inject, Injectable } from '@nestjs/common';
import type { KafkaMetricsSink } from '@tickwire/kafka';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SERVICE_CONFIG, type BaseServiceConfig } from '../config/service-config.token';

/** Metric names: `tickwire_` prefix, snake_case (Prometheus naming conventions, prometheus.io/docs/practices/naming). */
const METRIC_NAME = /^tickwire_[a-z][a-z0-9_]*[a-z0-9]$/;
/** Base units a gauge or histogram name must end with (Prometheus: "use base units", plural). */
const UNIT_SUFFIX = /_(seconds|bytes|records|messages|ratio|connections|info)$/;

/**
 * Histogram buckets (seconds) for handler and request latency: 1 ms .. 10 s, roughly x2.5 apart.
 * A market-data record should be handled in single-digit ms; a bulk request in tens to hundreds.
 */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * The service's Prometheus registry: Node/process default metrics plus Tickwire's service metrics,
 * all labelled `service=<SERVICE_NAME>`. Features register their own metrics through
 * {@link counter} / {@link histogram} / {@link gauge}, which enforce the naming rules and return the
 * existing metric when called again with the same name.
 *
 * Implements libs/kafka's KafkaMetricsSink, so the Kafka transport counts into the same registry.
 */
@Injectable()
export class MetricsService implements KafkaMetricsSink {
  readonly registry = new Registry();

  /** `tickwire_records_consumed_total{topic}`: records handled (or dead-lettered) and committed. */
  readonly recordsConsumedTotal: Counter<'topic'>;
  /** `tickwire_records_produced_total{topic}`: records acknowledged by Kafka. */
  readonly recordsProducedTotal: Counter<'topic'>;
  /** `tickwire_dlq_records_total{topic,reason}`: records written to `<topic>.dlq`, reason = error class. */
  readonly dlqRecordsTotal: Counter<'topic' | 'reason'>;
  /** `tickwire_handler_duration_seconds{topic}`: time in a Kafka handler per record or batch. */
  readonly handlerDurationSeconds: Histogram<'topic'>;
  /** `tickwire_consumer_lag_records{topic,partition}`: records behind the high watermark after the last batch. */
  readonly consumerLagRecords: Gauge<'topic' | 'partition'>;
  /** `tickwire_consumer_group_lag_records{group,topic,partition}`: uncommitted records, from the broker on a timer. */
  readonly consumerGroupLagRecords: Gauge<'group' | 'topic' | 'partition'>;

  constructor(@Inject(SERVICE_CONFIG) config: BaseServiceConfig) {
    this.registry.setDefaultLabels({ service: config.SERVICE_NAME });
    collectDefaultMetrics({ register: this.registry });
    this.recordsConsumedTotal = this.counter(
      'tickwire_records_consumed_total',
      'Kafka records handled and committed.',
      ['topic'],
    );
    this.recordsProducedTotal = this.counter(
      'tickwire_records_produced_total',
      'Kafka records produced and acknowledged.',
      ['topic'],
    );
    this.dlqRecordsTotal = this.counter(
      'tickwire_dlq_records_total',
      'Kafka records sent to the dead-letter topic.',
      ['topic', 'reason'],
    );
    this.handlerDurationSeconds = this.histogram(
      'tickwire_handler_duration_seconds',
      'Time spent in a Kafka handler per record or batch.',
      ['topic'],
      LATENCY_BUCKETS_SECONDS,
    );
    this.consumerLagRecords = this.gauge(
      'tickwire_consumer_lag_records',
      'Records behind the partition high watermark after the last handled batch.',
      ['topic', 'partition'],
    );
    this.consumerGroupLagRecords = this.gauge(
      'tickwire_consumer_group_lag_records',
      "Records from the group's committed offset (or a non-committing consumer's position) to the high watermark, sampled from the broker every 15 s.",
      ['group', 'topic', 'partition'],
    );
  }

  /**
   * The counter `name` (must match `tickwire_*_total`), created on first call.
   * @throws Error for a name breaking the conventions, or one already registered as another type.
   */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    if (!name.endsWith('_total')) throw new Error(`Counter ${name} must end with _total`);
    return this.getOrCreate(
      name,
      Counter,
      () => new Counter<L>({ name, help, labelNames, registers: [this.registry] }),
    );
  }

  /**
   * The histogram `name` (must end with a base unit such as `_seconds` or `_bytes`), created on first call.
   * @throws Error for a name breaking the conventions, or one already registered as another type.
   */
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: number[] = LATENCY_BUCKETS_SECONDS,
  ): Histogram<L> {
    if (!UNIT_SUFFIX.test(name))
      throw new Error(`Histogram ${name} must end with a unit suffix (${UNIT_SUFFIX.source})`);
    return this.getOrCreate(
      name,
      Histogram,
      () => new Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] }),
    );
  }

  /**
   * The gauge `name` (must end with a base unit such as `_records` or `_seconds`), created on first call.
   * @throws Error for a name breaking the conventions, or one already registered as another type.
   */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    if (!UNIT_SUFFIX.test(name))
      throw new Error(`Gauge ${name} must end with a unit suffix (${UNIT_SUFFIX.source})`);
    return this.getOrCreate(
      name,
      Gauge,
      () => new Gauge<L>({ name, help, labelNames, registers: [this.registry] }),
    );
  }

  /** The exposition text of every registered metric (Prometheus text format 0.0.4). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  recordsConsumed(topic: string, count: number): void {
    this.recordsConsumedTotal.inc({ topic }, count);
  }

  recordDeadLettered(topic: string, reason: string): void {
    this.dlqRecordsTotal.inc({ topic, reason });
  }

  handlerDuration(topic: string, durationSeconds: number): void {
    this.handlerDurationSeconds.observe({ topic }, durationSeconds);
  }

  consumerLag(topic: string, partition: number, lagRecords: number): void {
    this.consumerLagRecords.set({ topic, partition: String(partition) }, lagRecords);
  }

  consumerGroupLag(group: string, topic: string, partition: number, lagRecords: number): void {
    this.consumerGroupLagRecords.set({ group, topic, partition: String(partition) }, lagRecords);
  }

  /** Counts `count` records of `topic` acknowledged by Kafka. */
  recordsProduced(topic: string, count: number): void {
    this.recordsProducedTotal.inc({ topic }, count);
  }

  private getOrCreate<M>(name: string, type: abstract new (...args: never[]) => M, create: () => M): M {
    if (!METRIC_NAME.test(name))
      throw new Error(`Metric ${name} must be snake_case with the tickwire_ prefix`);
    const existing = this.registry.getSingleMetric(name);
    if (existing === undefined) return create();
    if (!(existing instanceof type))
      throw new Error(`Metric ${name} is already registered with another type`);
    return existing;
  }
}
