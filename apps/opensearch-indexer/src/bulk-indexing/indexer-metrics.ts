import { Injectable } from '@nestjs/common';
import { LATENCY_BUCKETS_SECONDS, MetricsService } from '@tickwire/service-kit';
import type { Counter, Histogram } from 'prom-client';
import type { SearchStream } from '@tickwire/resources';
import type { IndexingObserver } from './bulk-indexing.service';
import type { BulkWriterObserver } from './opensearch-bulk-writer';

/** Documents per bulk request: where BULK_MAX_DOCS cuts, and how full the interval-triggered ones are. */
const BULK_SIZE_BUCKETS = [1, 10, 50, 100, 250, 500, 1_000, 2_000, 5_000];

/**
 * The indexer's Prometheus metrics (besides the transport's `tickwire_records_consumed_total` and
 * `tickwire_dlq_records_total{topic,reason}`):
 * - `tickwire_indexed_documents_total{stream}`: documents acknowledged by OpenSearch;
 * - `tickwire_bulk_request_duration_seconds{outcome}`: `_bulk` round trips (ok / error);
 * - `tickwire_bulk_request_records`: documents per `_bulk` attempt;
 * - `tickwire_bulk_retries_total{reason}`: retries scheduled (HTTP status, `item-<status>`, `connection`);
 * - `tickwire_bulk_item_failures_total{stream,type}`: documents rejected for good (dead-lettered).
 */
@Injectable()
export class IndexerMetrics implements IndexingObserver, BulkWriterObserver {
  private readonly indexedTotal: Counter<'stream'>;
  private readonly requestDuration: Histogram<'outcome'>;
  private readonly requestRecords: Histogram;
  private readonly retriesTotal: Counter<'reason'>;
  private readonly itemFailuresTotal: Counter<'stream' | 'type'>;

  constructor(metrics: MetricsService) {
    this.indexedTotal = metrics.counter(
      'tickwire_indexed_documents_total',
      'Documents indexed in OpenSearch.',
      ['stream'],
    );
    this.requestDuration = metrics.histogram(
      'tickwire_bulk_request_duration_seconds',
      'OpenSearch _bulk round trip.',
      ['outcome'],
      LATENCY_BUCKETS_SECONDS,
    );
    this.requestRecords = metrics.histogram(
      'tickwire_bulk_request_records',
      'Documents per OpenSearch _bulk attempt.',
      [],
      BULK_SIZE_BUCKETS,
    );
    this.retriesTotal = metrics.counter(
      'tickwire_bulk_retries_total',
      'OpenSearch _bulk retries scheduled.',
      ['reason'],
    );
    this.itemFailuresTotal = metrics.counter(
      'tickwire_bulk_item_failures_total',
      'Documents OpenSearch rejected for good.',
      ['stream', 'type'],
    );
  }

  documentsIndexed(stream: SearchStream, count: number): void {
    this.indexedTotal.inc({ stream }, count);
  }

  documentRejected(stream: SearchStream, type: string): void {
    this.itemFailuresTotal.inc({ stream, type });
  }

  bulkRequest(durationSeconds: number, outcome: 'ok' | 'error', documents: number): void {
    this.requestDuration.observe({ outcome }, durationSeconds);
    this.requestRecords.observe(documents);
  }

  bulkRetry(reason: string): void {
    this.retriesTotal.inc({ reason });
  }
}
