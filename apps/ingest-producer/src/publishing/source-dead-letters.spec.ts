import { DLQ_HEADERS, MAX_EVENT_RECORD_BYTES, parseDlqHeaders, TOPICS } from '@tickwire/contracts';
import { SOURCE_DLQ_HEADERS, SourceDeadLetters, type RefusedInput } from './source-dead-letters';

const FAILED_AT = 1_795_284_000_000;

const malformedRow: RefusedInput = {
  topic: TOPICS.barsDaily,
  errorClass: 'SchemaViolation',
  reason: 'payload.symbol: symbol must be an upper-case ticker',
  raw: 'T-2021-04-21.csv,2020-01-02,238.75,239.91,236.72,239.91,239.431438468,5941969,0.0,1.0',
  symbol: 'T-2021-04-21.csv',
  source: 'alphavantage-daily',
  origin: 'daily/sp500_daily_2020-01-02_2021-04-21.csv.gz line 426',
  receivedAt: 1_795_283_999_000,
  ordinal: 424,
};

describe('SourceDeadLetters', () => {
  it('builds a dead letter of the raw input with the contract headers and the input location', () => {
    const deadLetter = new SourceDeadLetters('ingest-producer', '', () => FAILED_AT).build(malformedRow);
    expect(deadLetter.topic).toBe('market.bars.daily.v1.dlq');
    expect(deadLetter.key).toEqual(Buffer.from('T-2021-04-21.csv'));
    expect(Buffer.from(deadLetter.value as Buffer).toString('utf8')).toBe(malformedRow.raw);
    expect(deadLetter.timestamp).toBe(malformedRow.receivedAt);
    const headers = parseDlqHeaders(deadLetter.headers!);
    expect(headers.success).toBe(true);
    expect(headers.data).toEqual({
      [DLQ_HEADERS.originalTopic]: 'market.bars.daily.v1',
      [DLQ_HEADERS.originalPartition]: '0',
      [DLQ_HEADERS.originalOffset]: '424',
      [DLQ_HEADERS.originalTimestamp]: String(malformedRow.receivedAt),
      [DLQ_HEADERS.errorClass]: 'SchemaViolation',
      [DLQ_HEADERS.errorMessage]: malformedRow.reason,
      [DLQ_HEADERS.service]: 'ingest-producer',
      [DLQ_HEADERS.failedAt]: String(FAILED_AT),
      [SOURCE_DLQ_HEADERS.origin]: malformedRow.origin,
      [SOURCE_DLQ_HEADERS.source]: 'alphavantage-daily',
    });
  });

  it('sends input of unknown topic and symbol to the trades DLQ without a key, honouring the prefix', () => {
    const letters = new SourceDeadLetters('ingest-producer', 'it-7.', () => FAILED_AT);
    const frame: RefusedInput = { ...malformedRow, topic: null, symbol: undefined, errorClass: 'MalformedJson', reason: 'frame is not valid JSON', raw: '[{"T":"t",' };
    const deadLetter = letters.build(frame);
    expect(letters.originalTopicOf(frame)).toBe('it-7.market.trades.v1');
    expect(deadLetter.topic).toBe('it-7.market.trades.v1.dlq');
    expect(deadLetter.key).toBeNull();
    expect(deadLetter.headers![DLQ_HEADERS.errorClass]).toBe('MalformedJson');
  });

  it('keeps the first MAX_EVENT_RECORD_BYTES of an oversized input and records its size, so the dead letter fits the broker', () => {
    const raw = `[${'x'.repeat(3 * MAX_EVENT_RECORD_BYTES)}]`;
    const deadLetter = new SourceDeadLetters('ingest-producer', '', () => FAILED_AT).build({ ...malformedRow, errorClass: 'MalformedJson', raw });
    expect((deadLetter.value as Buffer).byteLength).toBe(MAX_EVENT_RECORD_BYTES);
    expect((deadLetter.value as Buffer).toString('utf8')).toBe(raw.slice(0, MAX_EVENT_RECORD_BYTES));
    expect(deadLetter.headers?.[SOURCE_DLQ_HEADERS.originalBytes]).toBe(String(raw.length));
    expect(new SourceDeadLetters('ingest-producer').build(malformedRow).headers).not.toHaveProperty(SOURCE_DLQ_HEADERS.originalBytes);
  });
});
