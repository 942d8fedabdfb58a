import type { MetricsService } from '@tickwire/service-kit';
import type { Counter, Gauge, Histogram } from 'prom-client';

/** What the ingest pipeline reports; implemented over Prometheus by {@link PrometheusIngestMetrics}. */
export interface IngestMetrics {
  /** One record read from the source: a valid event, or an input the source rejected. */
  recordRead(kind: 'event' | 'rejected'): void;
  /** `count` records of `topic` acknowledged by Kafka. */
  recordsPublished(topic: string, count: number): void;
  /** One dead letter of `originalTopic` acknowledged; `reason` = its dead-letter error class. */
  recordDeadLettered(originalTopic: string, reason: string): void;
  /** One `sendBatch` acknowledged after `durationSeconds`. */
  batchAcknowledged(durationSeconds: number, records: number): void;
  /** How far publishing runs behind the source's schedule, seconds (see IngestPipeline). */
  replayLag(seconds: number): void;
}

/** Batch sizes (records) for `tickwire_ingest_publish_batch_size_records`: 1 .. 100,000, x~3 apart. */
export const BATCH_SIZE_BUCKETS_RECORDS = [1, 10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000];

/**
 * The ingest metrics in the service's Prometheus registry:
 * - `tickwire_records_produced_total{topic}` (service-kit): records acknowledged per topic;
 * - `tickwire_dlq_records_total{topic,reason}` (service-kit): dead letters per original topic and error class;
 * - `tickwire_ingest_source_records_total{kind}`: records read from the source (`event` / `rejected`);
 * - `tickwire_ingest_publish_batch_duration_seconds`: `sendBatch` latency until acknowledged (acks=all);
 * - `tickwire_ingest_publish_batch_size_records`: records per acknowledged batch;
 * - `tickwire_ingest_replay_lag_seconds`: lag behind the schedule (paced replay: wall time elapsed minus
 *   event time elapsed / speed; live Alpaca: acknowledgement time minus event time). Not set at `max`.
 */
export class PrometheusIngestMetrics implements IngestMetrics {
  private readonly sourceRecords: Counter<'kind'>;
  private readonly batchDuration: Histogram;
  private readonly batchSize: Histogram;
  private readonly lag: Gauge;

  constructor(private readonly metrics: MetricsService) {
    this.sourceRecords = metrics.counter('tickwire_ingest_source_records_total', 'Records read from the market-data source, by kind (event or rejected).', ['kind']);
    this.batchDuration = metrics.histogram('tickwire_ingest_publish_batch_duration_seconds', 'Time from sendBatch to acknowledgement by all in-sync replicas.');
    this.batchSize = metrics.histogram('tickwire_ingest_publish_batch_size_records', 'Records per acknowledged publish batch.', [], BATCH_SIZE_BUCKETS_RECORDS);
    this.lag = metrics.gauge('tickwire_ingest_replay_lag_seconds', 'How far publishing runs behind the source schedule (paced replay) or behind event time (live source).');
  }

  recordRead(kind: 'event' | 'rejected'): void {
    this.sourceRecords.inc({ kind });
  }

  recordsPublished(topic: string, count: number): void {
    this.metrics.recordsProduced(topic, count);
  }

  recordDeadLettered(originalTopic: string, reason: string): void {
    this.metrics.recordDeadLettered(originalTopic, reason);
  }

  batchAcknowledged(durationSeconds: number, records: number): void {
    this.batchDuration.observe(durationSeconds);
    this.batchSize.observe(records);
  }

  replayLag(seconds: number): void {
    this.lag.set(seconds);
  }
}
