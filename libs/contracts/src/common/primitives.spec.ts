import { epochMsSchema, priceSchema, sourceSchema, symbolSchema, tradingDateSchema } from './primitives';

describe('symbolSchema', () => {
  it.each(['AAPL', 'GOOGL', 'BF.B', 'BRK-B', 'A', 'ABCDEFGHIJ'])('accepts %s', (symbol) => {
    expect(symbolSchema.safeParse(symbol).success).toBe(true);
  });
  it.each(['aapl', '1AB', 'ABCDEFGHIJK', '', 'AA PL', '.A'])('rejects %j', (symbol) => {
    expect(symbolSchema.safeParse(symbol).success).toBe(false);
  });
});

describe('priceSchema', () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '585.74', null])('rejects %p', (value) => {
    expect(priceSchema().safeParse(value).success).toBe(false);
  });
  it('accepts sub-penny prices', () => {
    expect(priceSchema().parse(577.635)).toBe(577.635);
  });
});

describe('epochMsSchema', () => {
  it('accepts 1990..2099 integer ms and rejects wrong units', () => {
    expect(epochMsSchema().safeParse(1340285400275).success).toBe(true);
    expect(epochMsSchema().safeParse(1340285400).success).toBe(false); // seconds
    expect(epochMsSchema().safeParse(1340285400275016).success).toBe(false); // microseconds
    expect(epochMsSchema().safeParse(1340285400275.5).success).toBe(false);
  });
});

describe('tradingDateSchema and sourceSchema', () => {
  it('validates calendar dates', () => {
    expect(tradingDateSchema.safeParse('2020-02-29').success).toBe(true);
    expect(tradingDateSchema.safeParse('2021-02-29').success).toBe(false);
    expect(tradingDateSchema.safeParse('20200229').success).toBe(false);
  });
  it('validates source names', () => {
    expect(sourceSchema.safeParse('alphavantage-daily').success).toBe(true);
    expect(sourceSchema.safeParse('Alpaca').success).toBe(false);
  });
});
