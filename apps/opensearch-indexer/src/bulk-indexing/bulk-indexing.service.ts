import type { TickwireEvent } from '@tickwire/contracts';
import { type BatchHandlingResult, type KafkaRecord, parseBatch } from '@tickwire/kafka';
import type { SearchStream } from '@tickwire/resources';
import type { BulkBatcher } from './bulk-batcher';
import type { BulkItemOutcome } from './bulk-response';
import { type BulkOperation, bulkIndexOperation } from './opensearch-bulk-writer';
import { indexTarget, searchDocument, searchStreamOf } from './search-document';

/** What the service counts (Prometheus in production, a recorder in tests). */
export interface IndexingObserver {
  /** `count` documents of `stream` were indexed (acknowledged 2xx). */
  documentsIndexed(stream: SearchStream, count: number): void;
  /** One document of `stream` was rejected for good with OpenSearch error `type` (dead-lettered). */
  documentRejected(stream: SearchStream, type: string): void;
}

/**
 * The indexer's logic for one Kafka batch (one topic-partition): validate every record against its
 * topic's contract (@tickwire/contracts, via libs/kafka's parseBatch), map valid events to flat
 * documents in their daily index with a deterministic `_id` (see indexTarget), hand them to the
 * shared bulk batcher, and return what must be dead-lettered: contract violations (errorClass
 * `SchemaViolation` / `MalformedJson` / `EmptyValue`, reason = the contract's message) and documents
 * OpenSearch rejected permanently (`ProcessingFailed`, reason = the item's error).
 *
 * Plain TypeScript; the batcher (and its sender) is the port to OpenSearch.
 */
export class BulkIndexingService {
  constructor(
    private readonly batcher: BulkBatcher<BulkOperation, BulkItemOutcome>,
    private readonly observer: IndexingObserver,
  ) {}

  /**
   * Indexes one batch; resolves once OpenSearch acknowledged or rejected every valid record. The
   * batch's documents go out in full requests as they fill, and its trailing partial request at once
   * (a flush after submitting; with it go whatever other partitions' documents are waiting), so the
   * batch commits without waiting out BULK_FLUSH_INTERVAL_MS.
   * @throws BulkRequestFailedError (from the writer) when OpenSearch stayed unavailable: the caller must
   *   not commit the batch (IndexerConsumer indexes it again; `index` with the same `_id` overwrites
   *   what was already written).
   */
  async indexRecords(records: readonly KafkaRecord[]): Promise<Required<BatchHandlingResult>> {
    const { parsed, deadLetters } = parseBatch(records);
    if (parsed.length === 0) return { deadLetters };
    const operations = parsed.map(({ record, event }) => toOperation(record.topic, event));
    const submitted = this.batcher.submit(operations);
    // Nothing more of this batch will come: waiting for company only delayed its commit by the flush
    // interval, once per batch (found by `npm run bench`: the indexer was idle 77% of its profile).
    void this.batcher.flush();
    const outcomes = await submitted;
    const indexed = new Map<SearchStream, number>();
    outcomes.forEach((outcome, position) => {
      const { record } = parsed[position] as (typeof parsed)[number];
      const stream = searchStreamOf(record.topic);
      if (outcome.kind === 'rejected') {
        this.observer.documentRejected(stream, outcome.error.type);
        deadLetters.push({ record, error: outcome.error });
      } else {
        indexed.set(stream, (indexed.get(stream) ?? 0) + 1);
      }
    });
    indexed.forEach((count, stream) => this.observer.documentsIndexed(stream, count));
    return { deadLetters };
  }
}

/**
 * The bulk `index` operation of an event consumed from `topic`. A 1-minute bar is externally versioned
 * by its revision (first publication 1, restatement n: n + 1), so OpenSearch keeps the latest revision
 * of each `_id` even when an older one is written after it (a redelivery, a replay).
 */
export function toOperation(topic: string, event: TickwireEvent): BulkOperation {
  const { index, id } = indexTarget(topic, event);
  const version = event.schema === 'market.bar.1m.v1' ? (event.payload.revision ?? 0) + 1 : undefined;
  return bulkIndexOperation(index, id, searchDocument(event), version);
}
