/** The status and error of one item of a `_bulk` response (`items[i].index`). */
export interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string };
}

/** OpenSearch rejected a document for good (mapping conflict, invalid value); dead-lettered. */
export class BulkItemRejectedError extends Error {
  override readonly name = 'BulkItemRejectedError';
  /** contracts' dead-letter vocabulary: the record is valid by contract, the sink refused it. */
  readonly errorClass = 'ProcessingFailed';

  constructor(
    readonly status: number,
    readonly type: string,
    reason: string,
  ) {
    super(`OpenSearch rejected the document (${status} ${type}): ${reason}`);
  }
}

/** The fate of one bulk item: indexed, to retry (429 / 5xx), or rejected for good. */
export type BulkItemOutcome =
  | { kind: 'indexed' }
  | { kind: 'retry'; status: number; type: string }
  | { kind: 'rejected'; error: BulkItemRejectedError };

/** True for an HTTP status worth retrying: 429 Too Many Requests (back-pressure) and any 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Decides the fate of one item of a bulk `index` response (OpenSearch `_bulk` API, per-item status):
 * - 2xx: indexed (201 created, 200 overwritten by a redelivery);
 * - 409 `version_conflict_engine_exception`: an external-version write (a bar revision) older than
 *   the stored one: superseded, counted as indexed;
 * - 429 / 5xx: transient (`es_rejected_execution_exception` when the write queue is full, shard not
 *   available): retried;
 * - other 4xx: permanent (`mapper_parsing_exception`, `illegal_argument_exception`): the record is
 *   dead-lettered with the item's error as reason.
 */
export function interpretBulkItem(item: BulkItemResult): BulkItemOutcome {
  if (item.status >= 200 && item.status < 300) return { kind: 'indexed' };
  // Externally versioned (a 1-minute bar's revision): the index already holds a later revision of
  // this document, so this one is superseded: done, not an error.
  if (item.status === 409 && item.error?.type === 'version_conflict_engine_exception') return { kind: 'indexed' };
  const type = item.error?.type ?? 'unknown';
  if (isRetryableStatus(item.status)) return { kind: 'retry', status: item.status, type };
  return {
    kind: 'rejected',
    error: new BulkItemRejectedError(item.status, type, item.error?.reason ?? 'no reason given'),
  };
}
