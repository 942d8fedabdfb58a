import { BulkItemRejectedError, interpretBulkItem, isRetryableStatus } from './bulk-response';

describe('interpretBulkItem', () => {
  it('treats created and overwritten documents as indexed', () => {
    expect(interpretBulkItem({ status: 201 })).toEqual({ kind: 'indexed' });
    expect(interpretBulkItem({ status: 200 })).toEqual({ kind: 'indexed' });
  });

  it('retries back-pressure and server errors', () => {
    expect(interpretBulkItem({ status: 429, error: { type: 'es_rejected_execution_exception' } })).toEqual({
      kind: 'retry',
      status: 429,
      type: 'es_rejected_execution_exception',
    });
    expect(interpretBulkItem({ status: 503 })).toMatchObject({ kind: 'retry', status: 503, type: 'unknown' });
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 404, 409, 413].some(isRetryableStatus)).toBe(false);
  });

  it('rejects other client errors for good, with the item error as reason', () => {
    const outcome = interpretBulkItem({
      status: 400,
      error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [price]' },
    });
    expect(outcome.kind).toBe('rejected');
    const error = (outcome as { error: BulkItemRejectedError }).error;
    expect(error).toBeInstanceOf(BulkItemRejectedError);
    expect(error.message).toBe(
      'OpenSearch rejected the document (400 mapper_parsing_exception): failed to parse field [price]',
    );
    expect(error.errorClass).toBe('ProcessingFailed');
    expect(error.type).toBe('mapper_parsing_exception');
  });

  it('counts a version conflict (an older bar revision than the stored one) as indexed, any other 409 as rejected', () => {
    expect(interpretBulkItem({ status: 409, error: { type: 'version_conflict_engine_exception', reason: 'current version [3] is higher' } })).toEqual({ kind: 'indexed' });
    expect(interpretBulkItem({ status: 409, error: { type: 'resource_already_exists_exception' } }).kind).toBe('rejected');
  });
});
