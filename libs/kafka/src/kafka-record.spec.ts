import { headerText, nextOffset, recordKeyText, toKafkaRecord } from './kafka-record';

describe('toKafkaRecord', () => {
  it('keeps the raw bytes and adds the coordinates', () => {
    const value = Buffer.from('{"a":1}');
    const record = toKafkaRecord('market.trades.v1', 3, {
      key: Buffer.from('AAPL'),
      value,
      headers: { schema: Buffer.from('market.trade.v1') },
      offset: '42',
      timestamp: '1763750000000',
      attributes: 0,
    });
    expect(record).toEqual({
      topic: 'market.trades.v1',
      partition: 3,
      offset: '42',
      key: Buffer.from('AAPL'),
      value,
      headers: { schema: Buffer.from('market.trade.v1') },
      timestamp: 1763750000000,
    });
    expect(recordKeyText(record)).toBe('AAPL');
  });

  it('maps absent key and value to null', () => {
    const record = toKafkaRecord('t', 0, {
      key: null,
      value: null,
      headers: {},
      offset: '0',
      timestamp: '0',
      attributes: 0,
    });
    expect(record.key).toBeNull();
    expect(record.value).toBeNull();
    expect(recordKeyText(record)).toBeNull();
  });
});

describe('headerText', () => {
  it('decodes the first value of a header', () => {
    expect(headerText({ a: Buffer.from('x') }, 'a')).toBe('x');
    expect(headerText({ a: 'y' }, 'a')).toBe('y');
    expect(headerText({ a: [Buffer.from('first'), 'second'] }, 'a')).toBe('first');
    expect(headerText({}, 'a')).toBeUndefined();
  });
});

describe('nextOffset', () => {
  it('adds one without losing int64 precision', () => {
    expect(nextOffset('0')).toBe('1');
    expect(nextOffset('9007199254740993')).toBe('9007199254740994');
  });
});
