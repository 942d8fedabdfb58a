import { checkSubscribe, type CustomerEntitlements, isEntitled } from './entitlements';
import { SubscriptionSet } from './subscription-set';

const acme: CustomerEntitlements = { customerId: 'acme', channels: ['trades', 'bars'], symbols: ['AAPL', 'AMZN'], maxConnections: 2, maxSymbols: 2 };

describe('entitlements', () => {
  it('allows entitled channels and symbols; the wildcard needs symbols ["*"]', () => {
    expect(isEntitled(acme, 'trades', 'AAPL')).toBe(true);
    expect(isEntitled(acme, 'quotes', 'AAPL')).toBe(false);
    expect(isEntitled(acme, 'trades', 'GOOG')).toBe(false);
    expect(isEntitled(acme, 'trades', '*')).toBe(false);
    expect(isEntitled({ ...acme, symbols: ['*'] }, 'trades', '*')).toBe(true);
  });

  it('refuses an unentitled request naming what was refused, before the symbol limit', () => {
    const request = { trades: ['AAPL', 'GOOG'], quotes: ['AAPL'] };
    expect(checkSubscribe(acme, request, SubscriptionSet.empty().with(request))).toEqual({ error: 'notEntitled', detail: 'trades:GOOG, quotes:AAPL' });
  });

  it('refuses a subscription beyond maxSymbols and accepts one within', () => {
    const current = SubscriptionSet.empty().with({ trades: ['AAPL'] });
    expect(checkSubscribe(acme, { bars: ['AMZN'] }, current.with({ bars: ['AMZN'] }))).toBeNull();
    const tooMany = { ...acme, symbols: ['*'], maxSymbols: 1 };
    expect(checkSubscribe(tooMany, { bars: ['AMZN'] }, current.with({ bars: ['AMZN'] }))).toEqual({
      error: 'symbolLimitExceeded',
      detail: '2 symbols requested, limit 1',
    });
  });
});
