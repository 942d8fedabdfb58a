import { BarAggregator, type BarAggregatorSnapshot } from './bar-aggregator';
import type { OhlcvBar, TradeInput } from './market-types';
import {
  LOBSTER_MIDNIGHT_MS,
  LOBSTER_SYMBOLS,
  type LobsterSymbol,
  type LobsterTrade,
  readLobsterTrades,
  REAL_DATA_TIMEOUT_MS,
} from './testing/market-data-files';

const T0 = Date.UTC(2012, 5, 21, 13, 30); // 09:30 EDT, a minute boundary
const trade = (eventTime: number, price: number, size: number, symbol = 'AAPL'): TradeInput => ({
  symbol,
  price,
  size,
  eventTime,
});

/** Runs trades through an aggregator and returns every emitted bar plus the late trades. */
function run(
  aggregator: BarAggregator,
  trades: readonly TradeInput[],
): { bars: OhlcvBar[]; late: TradeInput[] } {
  const bars: OhlcvBar[] = [];
  const late: TradeInput[] = [];
  for (const t of trades) {
    const result = aggregator.add(t);
    bars.push(...result.bars);
    if (result.late) late.push(t);
  }
  return { bars, late };
}

describe('BarAggregator', () => {
  it('builds OHLCV, VWAP and trade count on [t, t+60 s) and emits when the watermark passes the end', () => {
    const aggregator = new BarAggregator();
    expect(aggregator.add(trade(T0 + 1_000, 10, 100)).bars).toEqual([]);
    aggregator.add(trade(T0 + 20_000, 12, 50));
    aggregator.add(trade(T0 + 40_000, 9, 30));
    expect(aggregator.add(trade(T0 + 59_999, 11, 20)).bars).toEqual([]);
    // Exactly t + 60 s belongs to the next window and closes this one.
    const { bars } = aggregator.add(trade(T0 + 60_000, 13, 10));
    expect(bars).toEqual([
      {
        symbol: 'AAPL',
        startTime: T0,
        endTime: T0 + 60_000,
        open: 10,
        high: 12,
        low: 9,
        close: 11,
        volume: 200,
        vwap: (10 * 100 + 12 * 50 + 9 * 30 + 11 * 20) / 200,
        tradeCount: 4,
      },
    ]);
    expect(aggregator.flush()).toEqual([
      expect.objectContaining({ startTime: T0 + 60_000, open: 13, close: 13, volume: 10 }),
    ]);
  });

  it('emits no bar for a minute without trades and closes several windows at once, oldest first', () => {
    const aggregator = new BarAggregator({ allowedLatenessMs: 120_000 });
    aggregator.add(trade(T0 + 5_000, 10, 1));
    aggregator.add(trade(T0 + 65_000, 11, 1));
    // No trade in minute 2; the trade in minute 4 moves the watermark past end + lateness of minutes 0 and 1.
    const { bars } = aggregator.add(trade(T0 + 4 * 60_000 + 1, 12, 1));
    expect(bars.map((b) => b.startTime)).toEqual([T0, T0 + 60_000]);
    expect(aggregator.flush().map((b) => b.startTime)).toEqual([T0 + 4 * 60_000]);
  });

  it('aggregates out-of-order trades within maxOutOfOrderness, with open/close by event time', () => {
    const aggregator = new BarAggregator({ maxOutOfOrdernessMs: 5_000 });
    aggregator.add(trade(T0 + 30_000, 20, 1));
    aggregator.add(trade(T0 + 10_000, 19, 1)); // earlier: becomes the open
    aggregator.add(trade(T0 + 62_000, 25, 1)); // next window; watermark T0 + 57 s, minute 0 still open
    const lateButInBound = aggregator.add(trade(T0 + 59_000, 21, 1)); // becomes the close of minute 0
    expect(lateButInBound.late).toBe(false);
    const { bars } = aggregator.add(trade(T0 + 65_000, 26, 1)); // watermark T0 + 60 s: closes minute 0
    expect(bars).toEqual([
      expect.objectContaining({ startTime: T0, open: 19, close: 21, high: 21, low: 19, tradeCount: 3 }),
    ]);
    expect(aggregator.watermarkOf('AAPL')).toBe(T0 + 60_000);
  });

  it('keeps a window open for allowedLateness, then reports its trades as late and does not aggregate them', () => {
    const aggregator = new BarAggregator({ allowedLatenessMs: 10_000 });
    aggregator.add(trade(T0 + 1_000, 10, 100));
    expect(aggregator.add(trade(T0 + 65_000, 11, 1)).bars).toEqual([]); // W = end + 5 s < end + 10 s
    expect(aggregator.add(trade(T0 + 2_000, 9, 50)).late).toBe(false); // still accepted
    const closing = aggregator.add(trade(T0 + 70_000, 11, 1)); // W = end + 10 s: closes
    expect(closing.bars).toEqual([
      expect.objectContaining({ startTime: T0, volume: 150, low: 9, tradeCount: 2 }),
    ]);
    const late = aggregator.add(trade(T0 + 3_000, 1, 1_000));
    expect(late).toEqual({ bars: [], late: true });
    expect(aggregator.flush()).toEqual([
      expect.objectContaining({ startTime: T0 + 60_000, volume: 2, low: 11 }),
    ]);
  });

  it('keeps one watermark per symbol, so one symbol does not close or make late another', () => {
    const aggregator = new BarAggregator();
    aggregator.add(trade(T0 + 1_000, 10, 1, 'AAPL'));
    aggregator.add(trade(T0 + 10 * 60_000, 50, 1, 'AMZN'));
    const result = aggregator.add(trade(T0 + 2_000, 11, 1, 'AAPL'));
    expect(result).toEqual({ bars: [], late: false });
    expect(aggregator.openWindowCount).toBe(2);
  });

  it('advanceTo closes the windows of idle symbols, ordered by end time then symbol', () => {
    const aggregator = new BarAggregator();
    aggregator.add(trade(T0 + 61_000, 10, 1, 'MSFT'));
    aggregator.add(trade(T0 + 1_000, 10, 1, 'AAPL'));
    aggregator.add(trade(T0 + 2_000, 10, 1, 'AMZN'));
    expect(aggregator.advanceTo(T0 + 60_000).map((b) => [b.symbol, b.startTime])).toEqual([
      ['AAPL', T0],
      ['AMZN', T0],
    ]);
    expect(aggregator.advanceTo(T0 + 120_000).map((b) => [b.symbol, b.startTime])).toEqual([
      ['MSFT', T0 + 60_000],
    ]);
    expect(aggregator.add(trade(T0 + 3_000, 10, 1, 'AAPL')).late).toBe(true);
  });

  it('flush emits open windows and makes later trades for them late', () => {
    const aggregator = new BarAggregator({ allowedLatenessMs: 60_000 });
    aggregator.add(trade(T0 + 1_000, 10, 1, 'AMZN'));
    aggregator.add(trade(T0 + 1_000, 10, 1, 'AAPL'));
    aggregator.add(trade(T0 + 61_000, 10, 1, 'AAPL'));
    expect(aggregator.flush().map((b) => [b.symbol, b.startTime])).toEqual([
      ['AAPL', T0],
      ['AMZN', T0],
      ['AAPL', T0 + 60_000],
    ]);
    expect(aggregator.openWindowCount).toBe(0);
    expect(aggregator.add(trade(T0 + 90_000, 10, 1, 'AAPL')).late).toBe(true);
    expect(aggregator.add(trade(T0 + 120_000, 10, 1, 'AAPL')).late).toBe(false);
  });

  it('computes VWAP exactly and independent of arrival order (integer micro-dollar notional)', () => {
    // 200,001 trades whose exact VWAP is 100.0002: a naive double sum of price * size drifts and
    // depends on the order; the exact integer sum does not.
    const trades: TradeInput[] = [];
    for (let i = 0; i < 100_000; i++) {
      trades.push(trade(T0 + (i % 50_000), 100.0001, 37 + (i % 5)));
      trades.push(trade(T0 + (i % 50_000), 100.0003, 37 + (i % 5)));
    }
    trades.push(trade(T0 + 7, 100.0002, 1_234_567));
    const forward = new BarAggregator({ maxOutOfOrdernessMs: 60_000 });
    run(forward, trades);
    const [bar] = forward.flush();
    expect(Math.abs((bar?.vwap ?? 0) - 100.0002) / 100.0002).toBeLessThan(1e-15);

    const backward = new BarAggregator({ maxOutOfOrdernessMs: 60_000 });
    run(backward, [...trades].reverse());
    const [reversed] = backward.flush();
    expect(reversed?.vwap).toBe(bar?.vwap);
    expect(reversed?.volume).toBe(bar?.volume);
  });

  it('rejects invalid trades with a RangeError and leaves the state unchanged', () => {
    const aggregator = new BarAggregator();
    expect(() => aggregator.add(trade(T0, Number.NaN, 1))).toThrow(RangeError);
    expect(() => aggregator.add(trade(T0, 0, 1))).toThrow(RangeError);
    expect(() => aggregator.add(trade(T0, 10, 1.5))).toThrow(RangeError);
    expect(() => aggregator.add(trade(T0, 10, 0))).toThrow(RangeError);
    expect(() => aggregator.add(trade(Number.POSITIVE_INFINITY, 10, 1))).toThrow(RangeError);
    expect(() => aggregator.add(trade(T0, 10, 1, ''))).toThrow(RangeError);
    expect(aggregator.openWindowCount).toBe(0);
    expect(() => new BarAggregator({ intervalMs: 0 })).toThrow(RangeError);
    expect(() => new BarAggregator({ allowedLatenessMs: -1 })).toThrow(RangeError);
  });

  it('restores from a JSON snapshot and rejects an incompatible one', () => {
    const aggregator = new BarAggregator({ allowedLatenessMs: 1_000 });
    aggregator.add(trade(T0 + 1_000, 585.7401, 100));
    const snapshot = JSON.parse(JSON.stringify(aggregator.snapshot())) as BarAggregatorSnapshot;
    expect(snapshot.symbols[0]?.windows[0]?.notionalMicros).toBe('58574010000');
    expect(() => BarAggregator.restore({ ...snapshot, version: 2 as 1 })).toThrow(RangeError);
    expect(() => BarAggregator.restore(snapshot, { intervalMs: 1_000 })).toThrow(RangeError);
    const restored = BarAggregator.restore(snapshot);
    expect(restored.allowedLatenessMs).toBe(1_000);
    expect(restored.flush()).toEqual(aggregator.flush());
  });
});

describe('BarAggregator on the LOBSTER 2012-06-21 session (data/market/README.md reference values)', () => {
  const trades = new Map<LobsterSymbol, LobsterTrade[]>();
  beforeAll(async () => {
    for (const symbol of LOBSTER_SYMBOLS) trades.set(symbol, await readLobsterTrades(symbol));
  }, REAL_DATA_TIMEOUT_MS);

  const reference = {
    AAPL: {
      trades: 34_990,
      shares: 2_850_140,
      vwap: 582.7244,
      high: 588.21,
      low: 577.45,
      minutes: 390,
      first: [585.74, 585.93, 585.3, 585.63, 16_390],
    },
    AMZN: {
      trades: 11_419,
      shares: 810_755,
      vwap: 222.6348,
      high: 226.03,
      low: 220.51,
      minutes: 387,
      first: [223.82, 224.45, 223.75, 224.33, 10_821],
    },
    GOOG: {
      trades: 11_678,
      shares: 706_125,
      vwap: 569.4399,
      high: 579.73,
      low: 563.73,
      minutes: 385,
      first: [579.4, 579.73, 577.28, 578.06, 8_519],
    },
  } as const;

  it.each(LOBSTER_SYMBOLS)('%s: trade count, 1-minute bars, the 09:30 bar and the session VWAP', (symbol) => {
    const expected = reference[symbol];
    const all = trades.get(symbol) ?? [];
    expect(all).toHaveLength(expected.trades);

    const aggregator = new BarAggregator();
    const { bars, late } = run(aggregator, all);
    bars.push(...aggregator.flush());
    expect(late).toEqual([]);
    expect(bars).toHaveLength(expected.minutes);
    expect(
      bars.every(
        (b) =>
          b.startTime >= LOBSTER_MIDNIGHT_MS + 34_200_000 && b.endTime <= LOBSTER_MIDNIGHT_MS + 57_600_000,
      ),
    ).toBe(true);
    const [first] = bars;
    expect(first?.startTime).toBe(LOBSTER_MIDNIGHT_MS + 34_200_000);
    expect([first?.open, first?.high, first?.low, first?.close, first?.volume]).toEqual(expected.first);
    expect(bars.reduce((n, b) => n + b.tradeCount, 0)).toBe(expected.trades);
    expect(bars.reduce((n, b) => n + b.volume, 0)).toBe(expected.shares);

    // Session VWAP: one window per UTC day (the session lies inside 2012-06-21 UTC).
    const session = new BarAggregator({ intervalMs: 86_400_000 });
    run(session, all);
    const [day] = session.flush();
    expect(day?.vwap.toFixed(4)).toBe(expected.vwap.toFixed(4));
    expect([day?.high, day?.low, day?.tradeCount, day?.volume]).toEqual([
      expected.high,
      expected.low,
      expected.trades,
      expected.shares,
    ]);
    // The minute VWAPs weighted by volume give back the session VWAP.
    const weighted = bars.reduce((sum, b) => sum + b.vwap * b.volume, 0) / expected.shares;
    expect(Math.abs(weighted - (day?.vwap ?? 0)) / weighted).toBeLessThan(1e-12);
  });

  it('gives the same bars when stopped, snapshotted as JSON and restored mid-session', () => {
    const all = trades.get('AAPL') ?? [];
    const uninterrupted = new BarAggregator({ maxOutOfOrdernessMs: 2_000, allowedLatenessMs: 3_000 });
    const expected = run(uninterrupted, all).bars.concat(uninterrupted.flush());

    const half = Math.floor(all.length / 2) + 17;
    const before = new BarAggregator({ maxOutOfOrdernessMs: 2_000, allowedLatenessMs: 3_000 });
    const firstPart = run(before, all.slice(0, half)).bars;
    const restored = BarAggregator.restore(
      JSON.parse(JSON.stringify(before.snapshot())) as BarAggregatorSnapshot,
    );
    const secondPart = run(restored, all.slice(half)).bars.concat(restored.flush());
    expect(firstPart.concat(secondPart)).toEqual(expected);
  });
});
