import { compileFilter, FilterError, type FilterExpression } from './filter-expression';
import { ALERT_FILTER_FIELDS, ENRICHED_FILTER_FIELDS } from './market-messages';

const aapl = { symbol: 'AAPL', price: 577.635, changePercent: -1.38, kind: 'trade' };
const amzn = { symbol: 'AMZN', price: 220.5, changePercent: 0.4, kind: 'quote' };
const nulls = { symbol: 'GOOG', price: null, changePercent: null, kind: 'quote' };
const matches = (filter: FilterExpression, event: Record<string, string | number | null>) => compileFilter(filter, ENRICHED_FILTER_FIELDS).matches(event);

describe('compileFilter (AppSync operators)', () => {
  it.each([
    [{ symbol: { eq: 'AAPL' } }, [true, false, false]],
    [{ symbol: { ne: 'AAPL' } }, [false, true, true]],
    [{ price: { lt: 220.5 } }, [false, false, false]],
    [{ price: { le: 220.5 } }, [false, true, false]],
    [{ price: { gt: 220.5 } }, [true, false, false]],
    [{ price: { ge: 220.5 } }, [true, true, false]],
    [{ symbol: { in: ['AAPL', 'GOOG'] } }, [true, false, true]],
    [{ symbol: { notIn: ['AAPL'] } }, [false, true, true]],
    [{ changePercent: { between: [-2, 0] } }, [true, false, false]],
    [{ symbol: { beginsWith: 'AM' } }, [false, true, false]],
    [{ changePercent: { ne: 0.4 } }, [true, false, true]],
    [{ changePercent: { notIn: [0.4] } }, [true, false, true]],
  ] as [FilterExpression, boolean[]][])('%j', (filter, expected) => {
    expect([aapl, amzn, nulls].map((event) => matches(filter, event))).toEqual(expected);
  });

  it('ANDs fields and operators, ORs the "or" alternatives', () => {
    expect(matches({ symbol: { in: ['AAPL', 'AMZN'] }, price: { gt: 300 } }, aapl)).toBe(true);
    expect(matches({ symbol: { in: ['AAPL', 'AMZN'] }, price: { gt: 300 } }, amzn)).toBe(false);
    expect(matches({ price: { gt: 200, lt: 300 } }, amzn)).toBe(true);
    const either: FilterExpression = { or: [{ changePercent: { le: -1 } }, { symbol: { eq: 'AMZN' } }] };
    expect([aapl, amzn, nulls].map((event) => matches(either, event))).toEqual([true, true, false]);
  });

  it('takes more than AppSync\'s 5 values in "in"', () => {
    const symbols = Array.from({ length: 500 }, (_, i) => `S${i}`).concat('AAPL');
    expect(matches({ symbol: { in: symbols } }, aapl)).toBe(true);
    expect(matches({ symbol: { in: symbols } }, amzn)).toBe(false);
  });

  it('treats no filter as match-all', () => {
    expect(compileFilter(undefined, ENRICHED_FILTER_FIELDS).matches(aapl)).toBe(true);
  });

  it.each([
    [{ volume: { gt: 1 } }, /unknown filter field "volume"/],
    [{ price: { like: 1 } }, /unknown operator "like"/],
    [{ price: { lt: '5' } }, /price.lt: expected a number/],
    [{ symbol: { in: 'AAPL' } }, /symbol.in: expected a list/],
    [{ changePercent: { between: [1] } }, /between: expected \[low, high\]/],
    [{ price: { beginsWith: '5' } }, /beginsWith: only on string fields/],
    [{ or: [] }, /or must be a list/],
    [{ price: { eq: Number.NaN } }, /finite number/],
    // Symbols as every protocol takes them: lower case is refused, not accepted to never match.
    [{ symbol: { eq: 'aapl' } }, /symbol.eq: "aapl" is not a symbol/],
    [{ symbol: { in: ['AAPL', 'msft'] } }, /symbol.in: "msft" is not a symbol/],
    [{ symbol: { ne: '' } }, /symbol.ne: "" is not a symbol/],
    [{ symbol: { beginsWith: 'aa' } }, /symbol.beginsWith: "aa" is not a symbol/],
    [{ or: [{ symbol: { notIn: ['AAPL '] } }] }, /symbol.notIn: "AAPL " is not a symbol/],
  ] as [FilterExpression, RegExp][])('refuses %j', (filter, message) => {
    expect(() => compileFilter(filter, ENRICHED_FILTER_FIELDS)).toThrow(FilterError);
    expect(() => compileFilter(filter, ENRICHED_FILTER_FIELDS)).toThrow(message);
  });

  it('takes upper-case symbols and symbol prefixes', () => {
    expect(compileFilter({ symbol: { eq: 'AAPL' } }, ENRICHED_FILTER_FIELDS).matches(aapl)).toBe(true);
    expect(compileFilter({ symbol: { beginsWith: 'AA' } }, ENRICHED_FILTER_FIELDS).matches(aapl)).toBe(true);
    expect(compileFilter({ symbol: { in: ['BF.B', 'MSFT'] } }, ENRICHED_FILTER_FIELDS).matches(aapl)).toBe(false);
  });

  it('filters alerts by type', () => {
    const filter = compileFilter({ alertType: { in: ['ma-cross', 'volume-spike'] } }, ALERT_FILTER_FIELDS);
    expect(filter.matches({ symbol: 'AAPL', alertType: 'ma-cross' })).toBe(true);
    expect(filter.matches({ symbol: 'AAPL', alertType: 'price-change-threshold' })).toBe(false);
  });
});
