import { Injectable } from '@nestjs/common';
import { MetricsService } from '@tickwire/service-kit';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { ArchiveObserver } from './archive.service';

/** Upload latency buckets, seconds: a local PutObject takes ms, a 5 MiB one to S3 up to seconds. */
const UPLOAD_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The archiver's Prometheus metrics (with service-kit's `tickwire_records_consumed_total{topic}`,
 * counted when a flush is committed):
 * - `tickwire_archived_records_total{topic}`: valid records archived and committed;
 * - `tickwire_archive_error_records_total{topic,reason}`: records written under the error prefix;
 * - `tickwire_archive_objects_uploaded_total{topic,kind}` and `tickwire_archive_uploaded_bytes_total{topic,kind}`;
 * - `tickwire_archive_upload_duration_seconds{kind}`: one PutObject including retries;
 * - `tickwire_archive_objects_existing_total{topic,kind}`: creates refused because the key existed
 *   (If-None-Match: * answered 412): another owner or an earlier attempt had archived those records;
 * - `tickwire_archive_flush_failures_total{topic}`: flushes whose upload or commit failed;
 * - `tickwire_archive_buffered_bytes` / `tickwire_archive_buffered_records`: waiting in buffers.
 */
@Injectable()
export class ArchiverMetrics implements ArchiveObserver {
  private readonly archivedTotal: Counter<'topic'>;
  private readonly errorRecordsTotal: Counter<'topic' | 'reason'>;
  private readonly objectsTotal: Counter<'topic' | 'kind'>;
  private readonly bytesTotal: Counter<'topic' | 'kind'>;
  private readonly uploadDuration: Histogram<'kind'>;
  private readonly flushFailuresTotal: Counter<'topic'>;
  private readonly existingTotal: Counter<'topic' | 'kind'>;
  readonly bufferedBytes: Gauge;
  readonly bufferedRecords: Gauge;

  constructor(private readonly metrics: MetricsService) {
    this.archivedTotal = metrics.counter(
      'tickwire_archived_records_total',
      'Records archived to S3 and committed.',
      ['topic'],
    );
    this.errorRecordsTotal = metrics.counter(
      'tickwire_archive_error_records_total',
      'Records archived under the error prefix.',
      ['topic', 'reason'],
    );
    this.objectsTotal = metrics.counter(
      'tickwire_archive_objects_uploaded_total',
      'Archive objects uploaded.',
      ['topic', 'kind'],
    );
    this.bytesTotal = metrics.counter('tickwire_archive_uploaded_bytes_total', 'Compressed bytes uploaded.', [
      'topic',
      'kind',
    ]);
    this.uploadDuration = metrics.histogram(
      'tickwire_archive_upload_duration_seconds',
      'PutObject of one archive object, with retries.',
      ['kind'],
      UPLOAD_BUCKETS_SECONDS,
    );
    this.flushFailuresTotal = metrics.counter(
      'tickwire_archive_flush_failures_total',
      'Buffer flushes whose upload or commit failed.',
      ['topic'],
    );
    this.existingTotal = metrics.counter(
      'tickwire_archive_objects_existing_total',
      'Archive object creates refused because the key existed (records already archived).',
      ['topic', 'kind'],
    );
    this.bufferedBytes = metrics.gauge('tickwire_archive_buffered_bytes', 'NDJSON bytes waiting in buffers.');
    this.bufferedRecords = metrics.gauge('tickwire_archive_buffered_records', 'Records waiting in buffers.');
  }

  recordsArchived(topic: string, count: number): void {
    this.archivedTotal.inc({ topic }, count);
    this.metrics.recordsConsumed(topic, count);
  }

  errorRecordsArchived(topic: string, errorClass: string, count: number): void {
    this.errorRecordsTotal.inc({ topic, reason: errorClass }, count);
    this.metrics.recordsConsumed(topic, count);
  }

  objectUploaded(topic: string, kind: 'data' | 'error', bytes: number, seconds: number): void {
    this.objectsTotal.inc({ topic, kind });
    this.bytesTotal.inc({ topic, kind }, bytes);
    this.uploadDuration.observe({ kind }, seconds);
  }

  objectExisted(topic: string, kind: 'data' | 'error'): void {
    this.existingTotal.inc({ topic, kind });
  }

  flushFailed(topic: string): void {
    this.flushFailuresTotal.inc({ topic });
  }
}
