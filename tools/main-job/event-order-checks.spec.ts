import {
  checkEventTimeOrder,
  checkNoLookAhead,
  type EnrichedFields,
  MarketTape,
  type RawMarketEvent,
  type TimedOutputRecord,
} from './event-order-checks';

const T = 1_340_285_400_000; // 2012-06-21T13:30:00Z
const at = (offset: number, eventTime: number, extra: Partial<TimedOutputRecord> = {}): TimedOutputRecord => ({
  partition: 0,
  offset: String(offset),
  symbol: 'AAPL',
  eventTime,
  ...extra,
});

describe('checkEventTimeOrder', () => {
  it('holds when eventTime never decreases per symbol (other symbols interleaved, equal times allowed)', () => {
    const records = [at(0, T), at(1, T + 5, { symbol: 'GOOG' }), at(2, T), at(3, T + 1), at(4, T + 6, { symbol: 'GOOG' })];
    expect(checkEventTimeOrder('market.enriched.v1', records)).toMatchObject({ held: true, offenders: 0, checked: 5, decreases: 0 });
  });

  it('counts every record earlier than the latest before it, not only the first step back', () => {
    const result = checkEventTimeOrder('market.enriched.v1', [at(0, T + 10), at(1, T + 3), at(2, T + 4), at(3, T + 11)]);
    expect(result).toMatchObject({ held: false, decreases: 2, offenders: 2 });
    expect(result.detail).toContain('2 records with an eventTime earlier than one before them');
    expect(result.detail).toContain('AAPL 0@1: 2012-06-21T13:30:00.003Z after 2012-06-21T13:30:00.010Z (7 ms back)');
    expect(result.detail).toContain('50.0 % of 4 records go back in time');
  });

  it('orders one millisecond by source sequence, where both records carry one', () => {
    const ok = [at(0, T, { sequence: 3 }), at(1, T, { sequence: 3 }), at(2, T), at(3, T, { sequence: 4 }), at(4, T + 1, { sequence: 1 })];
    expect(checkEventTimeOrder('market.enriched.v1', ok).held).toBe(true);
    const result = checkEventTimeOrder('market.enriched.v1', [at(0, T, { sequence: 5 }), at(1, T, { sequence: 4 })]);
    expect(result).toMatchObject({ held: false, decreases: 0, sequenceBreaks: 1 });
    expect(result.detail).toContain('sequence 4 after 5');
  });

  it('checks bar window starts and a symbol split over partitions', () => {
    const bars = [at(0, T + 60_000, { startTime: T }), at(1, T + 60_000, { startTime: T - 60_000 })];
    expect(checkEventTimeOrder('market.bars.1m.v1', bars).detail).toContain('1 bars whose window starts before an earlier bar');
    const split = checkEventTimeOrder('market.alerts.v1', [at(0, T), at(0, T + 1, { partition: 1 })]);
    expect(split).toMatchObject({ held: false, offenders: 1 });
    expect(split.detail).toContain('1 symbols in more than one partition');
  });
});

const trade = (id: string, eventTime: number, price: number, sequence?: number, symbol = 'AAPL'): RawMarketEvent => ({
  id,
  symbol,
  kind: 'trade',
  eventTime,
  payload: { symbol, price, size: 100, ...(sequence === undefined ? {} : { sequence }) },
});
const quote = (id: string, eventTime: number, bidPrice: number, askPrice: number, symbol = 'AAPL'): RawMarketEvent => ({
  id,
  symbol,
  kind: 'quote',
  eventTime,
  payload: { symbol, bidPrice, bidSize: 300, askPrice, askSize: 200 },
});
const PREVIOUS_CLOSE = 100;
const change = (price: number | null): number | null => (price === null ? null : ((price - PREVIOUS_CLOSE) / PREVIOUS_CLOSE) * 100);
/** The enriched event of `raw` as a correct enricher emits it, given what it knew (`lastPrice`, quote). */
const enriched = (raw: RawMarketEvent, lastPrice: number | null, bidAsk: RawMarketEvent | null, overrides: Partial<EnrichedFields> = {}): EnrichedFields => {
  const q = bidAsk?.payload ?? {};
  return {
    where: `0@${raw.id}`,
    sourceEventId: raw.id,
    symbol: raw.symbol,
    kind: raw.kind,
    eventTime: raw.eventTime,
    lastPrice,
    bidPrice: (q['bidPrice'] as number) ?? null,
    askPrice: (q['askPrice'] as number) ?? null,
    bidSize: (q['bidSize'] as number) ?? null,
    askSize: (q['askSize'] as number) ?? null,
    previousClose: PREVIOUS_CLOSE,
    changePercent: change(lastPrice),
    ...overrides,
  };
};

describe('MarketTape', () => {
  it('knows the last value strictly before a millisecond and every value of that millisecond', () => {
    const tape = new MarketTape([trade('t3', T + 5, 103, 9), trade('t1', T, 101, 1), trade('t2', T + 5, 102, 8), trade('g', T + 1, 7, 1, 'GOOG')]);
    expect(tape.tradePricesAt('AAPL', T - 1)).toEqual({ before: null, sameMs: [] });
    expect(tape.tradePricesAt('AAPL', T + 5)).toEqual({ before: 101, sameMs: [102, 103] });
    expect(tape.tradePricesAt('AAPL', T + 6)).toEqual({ before: 103, sameMs: [] });
    expect(tape.tradesOf('AAPL').map((t) => t.price)).toEqual([101, 102, 103]);
    expect(tape.size).toEqual({ trades: 4, quotes: 0 });
  });
});

describe('checkNoLookAhead', () => {
  // AAPL: q1 (no trade yet), t1 @ T+10, q2 @ T+10 (same ms), q3 @ T+20, t2 @ T+30, q4 @ T+40.
  const q1 = quote('q1', T, 99.9, 100.1);
  const t1 = trade('t1', T + 10, 100.1);
  const q2 = quote('q2', T + 10, 100, 100.2);
  const q3 = quote('q3', T + 20, 100.1, 100.3);
  const t2 = trade('t2', T + 30, 100.3);
  const q4 = quote('q4', T + 40, 100.2, 100.4);
  const raw = [q1, t1, q2, q3, t2, q4];
  const sources = new Map(raw.map((r) => [r.id, r]));
  const tape = new MarketTape(raw);
  const correct = [
    enriched(q1, null, q1),
    enriched(t1, 100.1, q1),
    enriched(q2, 100.1, q2),
    enriched(q3, 100.1, q3),
    enriched(t2, 100.3, q3),
    enriched(q4, 100.3, q4),
  ];

  it('holds for an enricher that saw the input in event-time order', () => {
    expect(checkNoLookAhead('market.enriched.v1', correct, sources, tape)).toMatchObject({ held: true, quotes: 4, quotesWithLookAhead: 0, offenders: 0, checked: 6 });
  });

  it('counts every event of the same millisecond as known, in either order', () => {
    const quoteBeforeTrade = [enriched(q2, null, q2), enriched(t1, 100.1, q2)];
    expect(checkNoLookAhead('market.enriched.v1', quoteBeforeTrade, sources, tape).held).toBe(true);
  });

  it('finds a quote that carries a later trade price (all trades taken before the quotes)', () => {
    const batched = [enriched(t1, 100.1, null), enriched(t2, 100.3, null), enriched(q1, 100.3, q1), enriched(q3, 100.3, q3), enriched(q4, 100.3, q4)];
    const result = checkNoLookAhead('market.enriched.v1', batched, sources, tape);
    expect(result).toMatchObject({ held: false, quotes: 3, quotesWithLookAhead: 2 });
    expect(result.detail).toContain('look-ahead in 66.7 % of 3 quotes');
    expect(result.detail).toContain('AAPL quote 2012-06-21T13:30:00.000Z (0@q1): lastPrice 100.3, expected null (last before)');
    expect(result.detail).toContain('lastPrice 100.3, expected 100.1 (last before)');
    // The trades were enriched before any quote: a null bid/ask after q1 is not the quote at or before them either.
    expect(result.detail).toContain('2 trades whose bid/ask is not a quote at or before them');
  });

  it('finds a trade that carries a later quote, a quote with a stale own bid/ask and a missing last price', () => {
    const result = checkNoLookAhead(
      'market.enriched.v1',
      [enriched(t1, 100.1, q3), enriched(q3, 100.1, q2), enriched(q4, null, q4)],
      sources,
      tape,
    );
    expect(result).toMatchObject({ held: false, quotesWithLookAhead: 1, otherFieldProblems: 2, offenders: 3 });
    expect(result.detail).toContain('1 trades whose bid/ask is not a quote at or before them');
    expect(result.detail).toContain('1 quotes whose bid/ask is not their own raw quote');
  });

  it('checks a trade’s own price, changePercent, eventTime and that every source is raw input', () => {
    const result = checkNoLookAhead(
      'OpenSearch market-enriched-*',
      [
        enriched(t1, 100.2, q1),
        enriched(q3, 100.1, q3, { changePercent: 1 }),
        enriched(q4, 100.3, q4, { eventTime: T + 41 }),
        enriched(quote('late', T + 50, 1, 2), 100.3, null),
      ],
      sources,
      tape,
    );
    expect(result).toMatchObject({ held: false, quotesWithLookAhead: 0, otherFieldProblems: 4 });
    expect(result.name).toBe('OpenSearch market-enriched-*: no look-ahead (vs raw input)');
    for (const kind of ['trades whose lastPrice is not their own price', 'events whose changePercent is not', 'events whose eventTime is not', 'events without a raw source']) {
      expect(result.detail).toContain(kind);
    }
  });

  it('accepts changePercent within the contract tolerance and null with a null previous close', () => {
    const noisy = enriched(q3, 100.1, q3, { changePercent: (change(100.1) as number) + 1e-7 });
    const unknown = enriched(q4, 100.3, q4, { previousClose: null, changePercent: null });
    expect(checkNoLookAhead('market.enriched.v1', [noisy, unknown], sources, tape).held).toBe(true);
  });
});
