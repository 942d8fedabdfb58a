import { ENRICHED_V1_FIXTURES, HALT_V1_FIXTURES, type EnrichedV1Event, type HaltV1Event } from '@tickwire/contracts';
import { LastValueCache, toSymbolSnapshot } from './last-value-cache';

const tradeFixture = ENRICHED_V1_FIXTURES.map((fixture) => fixture.event).find((event) => event.payload.kind === 'trade')!;
const quoteFixture = ENRICHED_V1_FIXTURES.map((fixture) => fixture.event).find((event) => event.payload.kind === 'quote')!;

/** An enriched trade of X at `price` (USD) and `eventTime`; previous close 100 unless given (null: unknown). */
function trade(price: number, eventTime: number, previousClose: number | null = 100): EnrichedV1Event {
  const event = structuredClone(tradeFixture) as EnrichedV1Event & { payload: { kind: 'trade' } };
  event.eventTime = eventTime;
  Object.assign(event.payload, { symbol: 'X', lastPrice: price, previousClose, previousCloseDate: previousClose === null ? null : '2026-11-20' });
  Object.assign(event.payload.trade, { symbol: 'X', price });
  return event;
}

/** An enriched quote of X with bid/ask (USD) at `eventTime`; previous close 100. */
function quote(bidPrice: number, askPrice: number, eventTime: number): EnrichedV1Event {
  const event = structuredClone(quoteFixture) as EnrichedV1Event & { payload: { kind: 'quote' } };
  event.eventTime = eventTime;
  Object.assign(event.payload, { symbol: 'X', bidPrice, askPrice, previousClose: 100, previousCloseDate: '2026-11-20' });
  Object.assign(event.payload.quote, { symbol: 'X', bidPrice, askPrice, bidSize: 3, askSize: 4 });
  return event;
}

/** A customer trading status of X leaving it `halted` at `eventTime`. */
function halt(halted: boolean, eventTime: number): HaltV1Event {
  const event = structuredClone(HALT_V1_FIXTURES[0]!.event) as HaltV1Event;
  event.eventTime = eventTime;
  Object.assign(event.payload, { symbol: 'X', halted });
  return event;
}

describe('LastValueCache', () => {
  it('carries the halted flag of the latest market.halt.v1: false before any, kept for a symbol without state until its first event', () => {
    const cache = new LastValueCache();
    cache.apply(trade(101, 1_000));
    expect(cache.get('X')).toMatchObject({ halted: false, lastEventTime: 1_000 });
    cache.applyHalt(halt(true, 1_500));
    expect(cache.get('X')).toMatchObject({ halted: true, lastEventTime: 1_000 }); // lastEventTime reflects enriched events only
    cache.apply(trade(102, 1_600));
    expect(cache.get('X')).toMatchObject({ halted: true, lastPrice: 102 });
    cache.applyHalt(halt(false, 1_700));
    expect(cache.get('X')?.halted).toBe(false);

    const fresh = new LastValueCache();
    fresh.applyHalt(halt(true, 500));
    expect(fresh.get('X')).toBeNull();
    fresh.apply(quote(99.5, 99.7, 1_000));
    expect(fresh.get('X')).toMatchObject({ halted: true, bidPrice: 99.5 });
  });

  it('warms halted from the stored state (absent on items written before the flag)', () => {
    const cache = new LastValueCache();
    cache.warm({ symbol: 'X', lastEventTime: 1_000, lastPrice: 101, halted: true });
    cache.warm({ symbol: 'Y', lastEventTime: 1_000, lastPrice: 50 });
    expect(cache.get('X')).toEqual({ symbol: 'X', lastEventTime: 1_000, lastPrice: 101, halted: true });
    expect(cache.get('Y')).toEqual({ symbol: 'Y', lastEventTime: 1_000, lastPrice: 50 });
    cache.applyHalt(halt(false, 2_000));
    expect(cache.get('X')?.halted).toBe(false);
  });

  it('has no state for a symbol it has not seen', () => {
    const cache = new LastValueCache();
    expect(cache.get('X')).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('keeps the state after the last event: last trade price, last quote, change versus the previous close', () => {
    const cache = new LastValueCache();
    cache.apply(quote(99.5, 99.7, 1_000));
    expect(cache.get('X')).toEqual({ symbol: 'X', lastEventTime: 1_000, previousClose: 100, previousCloseDate: '2026-11-20', bidPrice: 99.5, askPrice: 99.7, bidSize: 3, askSize: 4, halted: false });
    cache.apply(trade(101, 1_001));
    cache.apply(trade(102, 1_002));
    expect(cache.get('X')).toEqual({
      symbol: 'X',
      lastEventTime: 1_002,
      lastPrice: 102,
      previousClose: 100,
      previousCloseDate: '2026-11-20',
      changePercent: 2,
      bidPrice: 99.5,
      askPrice: 99.7,
      bidSize: 3,
      askSize: 4,
      halted: false,
    });
    expect(cache.size).toBe(1);
  });

  it('follows the enricher when eventTimes go backwards: an older trade or quote does not replace a newer one, equal times do', () => {
    const cache = new LastValueCache();
    cache.apply(trade(101, 2_000));
    cache.apply(quote(100.9, 101.1, 2_000));
    cache.apply(trade(90, 1_500)); // older in event time, later in the stream
    cache.apply(quote(89.9, 90.1, 1_999));
    expect(cache.get('X')).toMatchObject({ lastEventTime: 2_000, lastPrice: 101, bidPrice: 100.9, askPrice: 101.1 });
    cache.apply(trade(103, 2_000)); // same millisecond: the later one wins
    cache.apply(quote(102.9, 103.1, 2_000));
    expect(cache.get('X')).toMatchObject({ lastEventTime: 2_000, lastPrice: 103, changePercent: 3, bidPrice: 102.9 });
  });

  it('keeps the previous close of the last event that carried one', () => {
    const cache = new LastValueCache();
    cache.apply(trade(101, 1_000, 100));
    cache.apply(trade(102, 1_001, null));
    expect(cache.get('X')).toMatchObject({ lastPrice: 102, previousClose: 100, changePercent: 2 });
    cache.apply(trade(103, 1_002, 50));
    expect(cache.get('X')).toMatchObject({ previousClose: 50, changePercent: 106 });
    const unknown = new LastValueCache();
    unknown.apply(trade(101, 1_000, null));
    expect(unknown.get('X')).toEqual({ symbol: 'X', lastEventTime: 1_000, lastPrice: 101, halted: false });
  });

  it('warms a symbol it has not seen from a stored item (its own fields only), never one it has', () => {
    const cache = new LastValueCache();
    const item = { symbol: 'X', lastEventTime: 5_000, lastPrice: 120, previousClose: 100, changePercent: 20, bidPrice: 119, askPrice: 121, updatedAt: 9_999 };
    expect(cache.warm(item)).toBe(true);
    expect(cache.get('X')).toEqual({ symbol: 'X', lastEventTime: 5_000, lastPrice: 120, previousClose: 100, changePercent: 20, bidPrice: 119, askPrice: 121 });
    expect(cache.warm({ ...item, lastPrice: 1 })).toBe(false);
    expect(cache.get('X')).toMatchObject({ lastPrice: 120 });

    // Consumed after the item was read, so later in the stream: it replaces the warmed price even
    // with an older eventTime; the quote fields stay until a quote comes.
    cache.apply(trade(110, 4_000));
    expect(cache.get('X')).toMatchObject({ lastEventTime: 5_000, lastPrice: 110, changePercent: 10, bidPrice: 119 });

    const seen = new LastValueCache();
    seen.apply(trade(101, 1_000));
    expect(seen.warm(item)).toBe(false);
    expect(seen.get('X')).toMatchObject({ lastPrice: 101, lastEventTime: 1_000 });
  });

  it('hands out copies', () => {
    const cache = new LastValueCache();
    cache.apply(trade(101, 1_000));
    const snapshot = cache.get('X')!;
    snapshot.lastPrice = 1;
    expect(cache.get('X')).toMatchObject({ lastPrice: 101 });
  });
});

describe('toSymbolSnapshot', () => {
  it('keeps the snapshot fields in their order and drops the rest, and nulls', () => {
    const item = { askPrice: 2, updatedAt: 3, symbol: 'X', bidPrice: null, lastEventTime: 1 } as unknown as Parameters<typeof toSymbolSnapshot>[0];
    expect(JSON.stringify(toSymbolSnapshot(item))).toBe('{"symbol":"X","lastEventTime":1,"askPrice":2}');
  });
});
