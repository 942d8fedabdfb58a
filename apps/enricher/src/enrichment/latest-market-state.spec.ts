import { QUOTE_V1_FIXTURES, TRADE_V1_FIXTURES, type QuoteV1Event, type TradeV1Event } from '@tickwire/contracts';
import { LatestMarketState } from './latest-market-state';

const trade = TRADE_V1_FIXTURES[0]!.event as TradeV1Event;
const quote = QUOTE_V1_FIXTURES[0]!.event as QuoteV1Event;

const later = <E extends { eventTime: number; payload: object }>(event: E, ms: number, payload: Partial<E['payload']>): E =>
  ({ ...event, eventTime: event.eventTime + ms, payload: { ...event.payload, ...payload } }) as E;

describe('LatestMarketState', () => {
  it('keeps the latest trade and quote per symbol', () => {
    const state = new LatestMarketState();
    expect(state.applyTrade(trade)).toBe(true);
    expect(state.applyQuote(quote)).toBe(true);
    expect(state.applyTrade(later(trade, 5, { price: trade.payload.price + 0.01 }))).toBe(true);
    const symbol = trade.payload.symbol;
    expect(state.get(symbol)?.lastTrade).toEqual({ price: trade.payload.price + 0.01, size: trade.payload.size, eventTime: trade.eventTime + 5 });
    expect(state.get(quote.payload.symbol)?.lastQuote?.bidPrice).toBe(quote.payload.bidPrice);
  });

  it('ignores an event older than the state it would replace', () => {
    const state = new LatestMarketState();
    state.applyTrade(later(trade, 1_000, { price: 600 }));
    expect(state.applyTrade(trade)).toBe(false);
    expect(state.get(trade.payload.symbol)?.lastTrade?.price).toBe(600);
    state.applyQuote(later(quote, 1_000, { bidPrice: 1, askPrice: 2 }));
    expect(state.applyQuote(quote)).toBe(false);
    expect(state.get(quote.payload.symbol)?.lastQuote?.askPrice).toBe(2);
  });

  it('tracks symbols separately', () => {
    const state = new LatestMarketState();
    for (const fixture of TRADE_V1_FIXTURES) state.applyTrade(fixture.event);
    expect(state.size).toBe(new Set(TRADE_V1_FIXTURES.map((fixture) => fixture.event.payload.symbol)).size);
    expect(state.get('NOPE')).toBeUndefined();
  });
});
