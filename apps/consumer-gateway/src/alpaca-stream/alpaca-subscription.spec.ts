import type { CustomerEntitlements } from '@tickwire/subscriptions';
import { AlpacaSubscription, checkAlpacaSubscribe, parseAlpacaClientMessage } from './alpaca-subscription';

const entitlements = (overrides: Partial<CustomerEntitlements> = {}): CustomerEntitlements => ({
  customerId: 'acme',
  channels: ['trades', 'quotes', 'bars', 'corrections', 'statuses'],
  symbols: ['*'],
  maxConnections: 1,
  maxSymbols: 3,
  ...overrides,
});

describe('parseAlpacaClientMessage', () => {
  it('reads auth and subscribe/unsubscribe of every stock channel', () => {
    expect(parseAlpacaClientMessage({ action: 'auth', key: 'k', secret: 's' })).toEqual({ ok: true, request: { action: 'auth', key: 'k', secret: 's' } });
    expect(parseAlpacaClientMessage({ action: 'subscribe', trades: ['AAPL'], updatedBars: ['*'], lulds: [] })).toEqual({
      ok: true,
      request: { action: 'subscribe', channels: { trades: ['AAPL'], updatedBars: ['*'], lulds: [] } },
    });
  });

  it('refuses other feeds’ channels with 410 and malformed messages or symbols with 400', () => {
    expect(parseAlpacaClientMessage({ action: 'subscribe', news: ['*'] })).toMatchObject({ ok: false, refusal: { code: 410 } });
    for (const bad of [null, [], 'x', { action: 'ping' }, { action: 'auth', key: 'k' }, { action: 'subscribe', trades: 'AAPL' }, { action: 'subscribe', trades: ['aapl'] }]) {
      expect(parseAlpacaClientMessage(bad)).toMatchObject({ ok: false, refusal: { code: 400 } });
    }
  });
});

describe('AlpacaSubscription', () => {
  it('subscribes corrections and cancelErrors with trades, and drops them with trades', () => {
    const subscribed = AlpacaSubscription.empty().with({ trades: ['AAPL'], bars: ['*'] }, true);
    expect(subscribed.toMessage()).toEqual({ T: 'subscription', trades: ['AAPL'], quotes: [], bars: ['*'], updatedBars: [], dailyBars: [], statuses: [], lulds: [], corrections: ['AAPL'], cancelErrors: ['AAPL'] });
    expect(subscribed.matches('bars', 'GOOG')).toBe(true);
    expect(subscribed.matches('trades', 'GOOG')).toBe(false);
    const without = subscribed.without({ trades: ['AAPL'] });
    expect(without.toMessage()).toMatchObject({ trades: [], corrections: [], cancelErrors: [], bars: ['*'] });
    expect(AlpacaSubscription.empty().with({ trades: ['AAPL'] }, false).toMessage()).toMatchObject({ corrections: [], cancelErrors: [] });
  });

  it('routes from the hub: bars for bars and updatedBars, corrections for both correction channels, nothing for dailyBars and lulds', () => {
    const routes = AlpacaSubscription.empty().with({ updatedBars: ['AAPL'], cancelErrors: ['AMZN'], dailyBars: ['*'], lulds: ['*'] }, true).hubRoutes();
    expect(routes.toFrame()).toMatchObject({ bars: ['AAPL'], corrections: ['AMZN'], trades: [], statuses: [] });
  });
});

describe('checkAlpacaSubscribe', () => {
  it('refuses channels and symbols the key is not entitled to with 409, more symbols than the limit with 405', () => {
    const empty = AlpacaSubscription.empty();
    const check = (request: Parameters<AlpacaSubscription['with']>[0], e = entitlements()) => checkAlpacaSubscribe(e, request, empty.with(request, true));
    expect(check({ trades: ['AAPL'], lulds: ['AAPL'], cancelErrors: ['AAPL'] })).toBeNull();
    expect(check({ trades: ['AAPL'] }, entitlements({ channels: ['quotes'] }))).toBe(409);
    expect(check({ updatedBars: ['AAPL'] }, entitlements({ channels: ['trades'] }))).toBe(409);
    expect(check({ quotes: ['*'] }, entitlements({ symbols: ['AAPL'] }))).toBe(409);
    expect(check({ quotes: ['AAPL', 'AMZN', 'GOOG', 'MSFT'] })).toBe(405);
  });
});
