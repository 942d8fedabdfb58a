import type { Client } from '@opensearch-project/opensearch';
import type { Bulk_RequestBody } from '@opensearch-project/opensearch/api/_core/bulk';
import pRetry, { AbortError } from 'p-retry';
import type { Sized } from './bulk-batcher';
import {
  type BulkItemOutcome,
  type BulkItemResult,
  interpretBulkItem,
  isRetryableStatus,
} from './bulk-response';

/** One document to index: its target and its two NDJSON lines (action + source), pre-serialized. */
export interface BulkOperation extends Sized {
  index: string;
  id: string;
  /** `{"index":{"_index":...,"_id":...}}\n<document JSON>\n` */
  ndjson: string;
}

/**
 * Builds the bulk operation `index` of `document` into `index` with `_id` = `id`. With `version`, the
 * write is externally versioned (`version_type: external_gte`, OpenSearch `_bulk` / index API): it
 * replaces a stored document of a lower or equal version (a redelivery) and is refused with 409 when
 * the stored one is later, so the latest revision of a bar wins whatever the order of writes.
 * @param version non-negative integer (a bar's revision + 1), or undefined for last-write-wins
 */
export function bulkIndexOperation(
  index: string,
  id: string,
  document: Record<string, unknown>,
  version?: number,
): BulkOperation {
  const action = version === undefined ? { _index: index, _id: id } : { _index: index, _id: id, version, version_type: 'external_gte' };
  const ndjson = `${JSON.stringify({ index: action })}\n${JSON.stringify(document)}\n`;
  return { index, id, ndjson, bytes: Buffer.byteLength(ndjson) };
}

/** Retry policy of a bulk request. */
export interface BulkRetryOptions {
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff, ms (then x2 per retry, randomized x1..2 to spread synchronized clients). */
  minTimeoutMs: number;
  /** Cap of one backoff, ms. */
  maxTimeoutMs: number;
}

/** Default policy: 200 ms, 400 ms, ... capped at 5 s; 5 retries span roughly 6-12 s, below the 30 s session timeout. */
export const DEFAULT_BULK_RETRY: BulkRetryOptions = { retries: 5, minTimeoutMs: 200, maxTimeoutMs: 5_000 };

/** Where the writer reports what it does (implemented with Prometheus metrics by the service). */
export interface BulkWriterObserver {
  /** One `_bulk` round trip of `documents` documents, seconds; outcome `ok` when OpenSearch answered 200. */
  bulkRequest(durationSeconds: number, outcome: 'ok' | 'error', documents: number): void;
  /** A retry is scheduled; reason is an HTTP status (`429`, `503`), `item-429`, or `connection`. */
  bulkRetry(reason: string): void;
}

/** A bulk request could not be completed after its retries (or was aborted): nothing may be committed. */
export class BulkRequestFailedError extends Error {
  override readonly name = 'BulkRequestFailedError';
}

class RetryableBulkFailure extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/**
 * Sends `index` operations in one `_bulk` request and retries what failed transiently, with
 * exponential backoff (p-retry): the whole request on a connection error, 429 or 5xx; otherwise only
 * the items answered 429/5xx (as the OpenSearch bulk docs advise: resend only the failed items).
 * `index` rather than `create`: with a deterministic `_id`, a redelivered event overwrites its own
 * document with the same content (version +1), never duplicates it, and a corrected re-emission of a
 * bar (same `<symbol>:<startTime>`) replaces the stale one; `create` would keep the first version and
 * answer 409 for every replayed document.
 */
export class OpenSearchBulkWriter {
  /**
   * @param prepare runs at the start of every attempt, e.g. IndexTemplateInstaller.ensure (memoized):
   *   its failures are retried and classified like the bulk request's own.
   */
  constructor(
    private readonly client: Client,
    private readonly observer: BulkWriterObserver,
    private readonly retry: BulkRetryOptions = DEFAULT_BULK_RETRY,
    private readonly signal?: AbortSignal,
    private readonly prepare: () => Promise<void> = async () => undefined,
  ) {}

  /**
   * Indexes `operations`; resolves with one outcome per operation, `indexed` or `rejected` (a
   * permanent per-item failure to dead-letter).
   *
   * @throws BulkRequestFailedError when items still fail transiently after the retries, OpenSearch
   *   answers the whole request with a non-retryable status (e.g. 401, 413), or the writer was aborted.
   */
  async write(operations: readonly BulkOperation[]): Promise<BulkItemOutcome[]> {
    const outcomes: (BulkItemOutcome | undefined)[] = new Array(operations.length);
    let pending = operations.map((_, position) => position);
    try {
      await pRetry(
        async () => {
          const answered = await this.send(pending.map((position) => operations[position] as BulkOperation));
          const stillPending: number[] = [];
          let firstRetry: BulkItemOutcome | undefined;
          answered.forEach((outcome, i) => {
            const position = pending[i] as number;
            if (outcome.kind === 'retry') {
              stillPending.push(position);
              firstRetry ??= outcome;
            } else {
              outcomes[position] = outcome;
            }
          });
          pending = stillPending;
          if (firstRetry?.kind === 'retry') {
            throw new RetryableBulkFailure(
              `${stillPending.length} of ${answered.length} bulk items failed transiently (first: ${firstRetry.status} ${firstRetry.type})`,
              `item-${firstRetry.status}`,
            );
          }
        },
        {
          retries: this.retry.retries,
          minTimeout: this.retry.minTimeoutMs,
          maxTimeout: this.retry.maxTimeoutMs,
          factor: 2,
          randomize: true,
          ...(this.signal ? { signal: this.signal } : {}),
          shouldRetry: ({ error }) => error instanceof RetryableBulkFailure,
          onFailedAttempt: ({ error, retriesLeft }) => {
            if (error instanceof RetryableBulkFailure && retriesLeft > 0)
              this.observer.bulkRetry(error.reason);
          },
        },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new BulkRequestFailedError(
        `OpenSearch bulk of ${operations.length} documents failed: ${message}`,
        { cause: error },
      );
    }
    return outcomes.map((outcome) => outcome ?? { kind: 'indexed' });
  }

  /** One round trip; classifies a whole-request failure as retryable or not. */
  private async send(operations: readonly BulkOperation[]): Promise<BulkItemOutcome[]> {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    let items: Record<string, BulkItemResult>[];
    try {
      await this.prepare();
      // Pre-serialized NDJSON: sizes were counted on exactly these bytes, and the transport sends a
      // string body as is (its typings only list the array form it would serialize itself).
      const body = operations.map((operation) => operation.ndjson).join('') as unknown as Bulk_RequestBody;
      const response = await this.client.bulk({ body });
      items = (response.body as { items: Record<string, BulkItemResult>[] }).items;
    } catch (error) {
      this.observer.bulkRequest(elapsed(), 'error', operations.length);
      // ConnectionError / TimeoutError carry `meta.statusCode: null`: there was no HTTP answer.
      const status = (error as { meta?: { statusCode?: number | null } }).meta?.statusCode;
      const message = error instanceof Error ? error.message : String(error);
      if (typeof status !== 'number')
        throw new RetryableBulkFailure(`OpenSearch unreachable: ${message}`, 'connection');
      if (isRetryableStatus(status))
        throw new RetryableBulkFailure(`OpenSearch answered ${status}: ${message}`, String(status));
      throw new AbortError(`OpenSearch refused the bulk request (${status}): ${message}`);
    }
    this.observer.bulkRequest(elapsed(), 'ok', operations.length);
    if (items.length !== operations.length) {
      throw new AbortError(
        `OpenSearch answered ${items.length} bulk items for ${operations.length} documents`,
      );
    }
    return items.map((item) =>
      interpretBulkItem(item['index'] ?? { status: 500, error: { type: 'missing_index_item' } }),
    );
  }
}
