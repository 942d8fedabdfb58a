import { buildDlqHeaders, buildLateHeaders, DLQ_ERROR_MESSAGE_MAX_LENGTH, DLQ_HEADERS, LATE_HEADERS, parseDlqHeaders } from './dead-letter-headers';

const info = {
  originalTopic: 'market.trades.v1',
  originalPartition: 2,
  originalOffset: '9007199254740993',
  errorClass: 'SchemaViolation' as const,
  errorMessage: 'payload.price: price must be > 0 (USD)',
  service: 'enricher',
  failedAt: 1795284000000,
};

describe('dead-letter headers', () => {
  it('builds the header set as strings, keeping offsets beyond 2^53 exact', () => {
    expect(buildDlqHeaders({ ...info, attempts: 3, consumerGroup: 'enricher', originalTimestamp: '1795283999000' })).toEqual({
      'x-dlq-original-topic': 'market.trades.v1',
      'x-dlq-original-partition': '2',
      'x-dlq-original-offset': '9007199254740993',
      'x-dlq-original-timestamp': '1795283999000',
      'x-dlq-error-class': 'SchemaViolation',
      'x-dlq-error-message': 'payload.price: price must be > 0 (USD)',
      'x-dlq-service': 'enricher',
      'x-dlq-consumer-group': 'enricher',
      'x-dlq-failed-at': '1795284000000',
      'x-dlq-attempts': '3',
    });
    expect(Object.keys(buildDlqHeaders(info))).not.toContain(DLQ_HEADERS.attempts);
  });

  it('truncates long messages', () => {
    const headers = buildDlqHeaders({ ...info, errorMessage: 'x'.repeat(5000) });
    expect(headers[DLQ_HEADERS.errorMessage]).toHaveLength(DLQ_ERROR_MESSAGE_MAX_LENGTH);
    expect(headers[DLQ_HEADERS.errorMessage].endsWith('…')).toBe(true);
  });

  it('rejects out-of-range coordinates and unknown error classes', () => {
    expect(() => buildDlqHeaders({ ...info, originalPartition: -1 })).toThrow();
    expect(() => buildDlqHeaders({ ...info, originalOffset: 1.5 })).toThrow();
    expect(() => buildDlqHeaders({ ...info, errorClass: 'Oops' as never })).toThrow();
  });

  it('parses headers as kafkajs delivers them (Buffers, arrays)', () => {
    const built = buildDlqHeaders(info);
    const wire = Object.fromEntries(Object.entries(built).map(([name, value]) => [name, Buffer.from(String(value))]));
    const parsed = parseDlqHeaders({ ...wire, [DLQ_HEADERS.service]: [Buffer.from('enricher'), Buffer.from('other')], traceparent: 'x' });
    expect(parsed.success).toBe(true);
    expect(parsed.data?.[DLQ_HEADERS.service]).toBe('enricher');
    expect(parsed.data?.['traceparent']).toBe('x');
    expect(parseDlqHeaders({ [DLQ_HEADERS.originalTopic]: 'market.trades.v1' }).success).toBe(false);
  });

  it('builds late-event headers', () => {
    expect(
      buildLateHeaders({ originalTopic: 'market.trades.v1', originalPartition: 0, originalOffset: 41, watermark: 1340285460000, allowedLatenessMs: 5000, service: 'enricher' }),
    ).toEqual({
      [LATE_HEADERS.originalTopic]: 'market.trades.v1',
      [LATE_HEADERS.originalPartition]: '0',
      [LATE_HEADERS.originalOffset]: '41',
      [LATE_HEADERS.watermark]: '1340285460000',
      [LATE_HEADERS.allowedLatenessMs]: '5000',
      [LATE_HEADERS.service]: 'enricher',
    });
  });
});
