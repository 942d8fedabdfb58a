import { buildMarketEventId, EVENT_ID_HEX_LENGTH, hashEventId } from './event-id';

describe('hashEventId', () => {
  it('follows the documented recipe: sha256 of parts joined by U+001F, first 32 hex digits', () => {
    // Reference computed outside the code under test:
    //   printf 'market.trade.v1\037lobster\037AAPL\0371340285400275016159\0378' | sha256sum | cut -c1-32
    expect(hashEventId(['market.trade.v1', 'lobster', 'AAPL', '1340285400275016159', 8])).toBe('dc9549a711234a9efcf6e580cc7b17e4');
    //   printf 'market.bar.daily.v1\037alphavantage-daily\037AAPL\0372020-08-31' | sha256sum | cut -c1-32
    expect(hashEventId(['market.bar.daily.v1', 'alphavantage-daily', 'AAPL', '2020-08-31'])).toBe('de3c59d308538afdbbcdb8873ba58f7a');
  });

  it('is deterministic and separator-safe', () => {
    expect(hashEventId(['a', 1])).toBe(hashEventId(['a', '1']));
    expect(hashEventId(['ab', 'c'])).not.toBe(hashEventId(['a', 'bc']));
    expect(hashEventId(['a', undefined, 'b'])).toBe(hashEventId(['a', '', 'b']));
    expect(hashEventId(['x'])).toHaveLength(EVENT_ID_HEX_LENGTH);
  });

  it('refuses non-integer numbers, whose text form is ambiguous', () => {
    expect(() => hashEventId(['a', 1.5])).toThrow(TypeError);
    expect(() => hashEventId(['a', Number.NaN])).toThrow(TypeError);
  });
});

describe('buildMarketEventId', () => {
  const firstFill = { schema: 'market.trade.v1', source: 'lobster', symbol: 'AAPL', eventTime: 1340285400275, eventTimeNs: '1340285400275016159', sequence: 8 };

  it('gives the same record the same id', () => {
    expect(buildMarketEventId({ ...firstFill })).toBe(buildMarketEventId({ ...firstFill }));
  });

  it('separates fills of one sweep (same nanosecond) by sequence', () => {
    expect(buildMarketEventId({ ...firstFill, sequence: 9 })).not.toBe(buildMarketEventId(firstFill));
  });

  it('separates the trade and the quote derived from one LOBSTER row', () => {
    expect(buildMarketEventId({ ...firstFill, schema: 'market.quote.v1' })).not.toBe(buildMarketEventId(firstFill));
  });

  it('uses eventTime ms padded to ns when the source has no nanoseconds', () => {
    const msOnly = { schema: firstFill.schema, source: firstFill.source, symbol: firstFill.symbol, eventTime: firstFill.eventTime, sequence: 8 };
    expect(buildMarketEventId(msOnly)).toBe(hashEventId(['market.trade.v1', 'lobster', 'AAPL', '1340285400275000000', 8]));
    expect(() => buildMarketEventId({ ...msOnly, eventTime: 1.5 })).toThrow(TypeError);
  });
});
