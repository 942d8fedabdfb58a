import { SubscriptionSet } from './subscription-set';

describe('SubscriptionSet', () => {
  it('is additive and acks the full subscription on every channel', () => {
    const first = SubscriptionSet.empty().with({ trades: ['AAPL'] });
    const second = first.with({ trades: ['AMZN'], bars: ['*'] });
    expect(second.toFrame()).toEqual({ type: 'subscription', trades: ['AAPL', 'AMZN'], quotes: [], enriched: [], bars: ['*'], alerts: [], corrections: [], statuses: [] });
    expect(first.toFrame().trades).toEqual(['AAPL']);
  });

  it('matches explicit symbols and the wildcard per channel only', () => {
    const set = SubscriptionSet.empty().with({ trades: ['AAPL'], bars: ['*'] });
    expect(set.matches('trades', 'AAPL')).toBe(true);
    expect(set.matches('trades', 'AMZN')).toBe(false);
    expect(set.matches('quotes', 'AAPL')).toBe(false);
    expect(set.matches('bars', 'ZZZ')).toBe(true);
  });

  it('unsubscribes symbols; removing * keeps explicit symbols; unknown symbols are a no-op', () => {
    const set = SubscriptionSet.empty().with({ bars: ['*', 'AAPL'], trades: ['AAPL'] });
    const after = set.without({ bars: ['*'], trades: ['AAPL', 'NOPE'] });
    expect(after.toFrame()).toMatchObject({ bars: ['AAPL'], trades: [] });
    expect(after.matches('bars', 'AMZN')).toBe(false);
    expect(after.without({ bars: ['AAPL'] }).isEmpty()).toBe(true);
  });

  it('counts distinct symbols across channels and reports what a subscribe added', () => {
    const before = SubscriptionSet.empty().with({ trades: ['AAPL'] });
    const after = before.with({ bars: ['AAPL', 'AMZN'], alerts: ['*'] });
    expect(after.symbolCount()).toBe(3);
    expect(after.addedSince(before)).toEqual([
      { channel: 'bars', symbol: 'AAPL' },
      { channel: 'bars', symbol: 'AMZN' },
      { channel: 'alerts', symbol: '*' },
    ]);
  });
});
