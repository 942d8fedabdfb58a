/** The status and error of one item of a `_bulk` response (`items[i].create`). */
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

/** OpenSearch could not take some documents right now (429 or 5xx); the whole batch is retried. */
export class BulkRetryableError extends Error {
  override readonly name = 'BulkRetryableError';
}

/**
 * Decides the fate of each item of a bulk `create` response:
 * - 2xx: indexed;
 * - 409 (version conflict): a document with this `_id` exists already: the event was indexed by an
 *   earlier delivery, which is success for an idempotent create (the daytona model);
 * - 429 / 5xx: transient: throws {@link BulkRetryableError} so the batch is not committed;
 * - other 4xx: permanent: returned as a rejection, to be dead-lettered.
 *
 * @returns per item: null when done, or the rejection error.
 * @throws BulkRetryableError when any item failed transiently.
 */
export function interpretBulkItems(items: readonly BulkItemResult[]): (BulkItemRejectedError | null)[] {
  const transient = items.filter((item) => item.status === 429 || item.status >= 500);
  if (transient.length > 0) {
    const first = transient[0];
    throw new BulkRetryableError(
      `${transient.length} of ${items.length} bulk items failed transiently (first: ${first?.status} ${first?.error?.type ?? ''})`,
    );
  }
  return items.map((item) => {
    if ((item.status >= 200 && item.status < 300) || item.status === 409) return null;
    return new BulkItemRejectedError(item.status, item.error?.type ?? 'unknown', item.error?.reason ?? 'no reason given');
  });
}
