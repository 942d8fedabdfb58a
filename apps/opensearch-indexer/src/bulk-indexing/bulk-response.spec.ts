import { BulkItemRejectedError, BulkRetryableError, interpretBulkItems } from './bulk-response';

describe('interpretBulkItems', () => {
  it('treats created and already-existing documents as done', () => {
    expect(interpretBulkItems([{ status: 201 }, { status: 409, error: { type: 'version_conflict_engine_exception' } }])).toEqual([null, null]);
  });

  it('rejects permanent failures individually', () => {
    const [ok, rejected] = interpretBulkItems([{ status: 201 }, { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [price]' } }]);
    expect(ok).toBeNull();
    expect(rejected).toBeInstanceOf(BulkItemRejectedError);
    expect(rejected?.message).toBe('OpenSearch rejected the document (400 mapper_parsing_exception): failed to parse field [price]');
    expect(rejected?.errorClass).toBe('ProcessingFailed');
  });

  it('throws for the whole batch when any item failed transiently', () => {
    expect(() => interpretBulkItems([{ status: 201 }, { status: 400 }, { status: 429, error: { type: 'es_rejected_execution_exception' } }])).toThrow(
      BulkRetryableError,
    );
    expect(() => interpretBulkItems([{ status: 503 }])).toThrow(/1 of 1 bulk items failed transiently/);
  });
});
