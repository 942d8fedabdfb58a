import { TOPICS, TRADE_V1_FIXTURES, TRADE_V1_INVALID_FIXTURES } from '@tickwire/contracts';
import type { KafkaRecord } from '../kafka-record';
import { parseBatch, parseRecord } from './contract-records';

function recordOf(value: string | null, offset: string): KafkaRecord {
  return {
    topic: TOPICS.trades,
    partition: 0,
    offset,
    key: Buffer.from('AAPL'),
    value: value === null ? null : Buffer.from(value),
    headers: {},
    timestamp: 0,
  };
}

describe('parseRecord', () => {
  it('returns the validated event of a golden fixture', () => {
    const fixture = TRADE_V1_FIXTURES[0]!;
    expect(parseRecord(TOPICS.trades, recordOf(JSON.stringify(fixture.event), '0'))).toEqual(fixture.event);
  });

  it('throws the contract error for a malformed value', () => {
    expect(() => parseRecord(TOPICS.trades, recordOf('{', '0'))).toThrow(
      expect.objectContaining({ errorClass: 'MalformedJson' }),
    );
  });
});

describe('parseBatch', () => {
  it('splits a batch into events and dead letters, keeping offset order', () => {
    const invalid = TRADE_V1_INVALID_FIXTURES.find(
      (fixture) => fixture.value !== undefined && fixture.expected.errorClass === 'SchemaViolation',
    )!;
    const records = [
      recordOf(JSON.stringify(TRADE_V1_FIXTURES[0]!.event), '10'),
      recordOf(JSON.stringify(invalid.value), '11'),
      recordOf(null, '12'),
      recordOf(JSON.stringify(TRADE_V1_FIXTURES[1]!.event), '13'),
    ];
    const { parsed, deadLetters } = parseBatch(records);
    expect(parsed.map(({ record }) => record.offset)).toEqual(['10', '13']);
    expect(parsed[1]!.event).toEqual(TRADE_V1_FIXTURES[1]!.event);
    expect(
      deadLetters.map(({ record, error }) => [record.offset, (error as { errorClass: string }).errorClass]),
    ).toEqual([
      ['11', 'SchemaViolation'],
      ['12', 'EmptyValue'],
    ]);
  });
});
