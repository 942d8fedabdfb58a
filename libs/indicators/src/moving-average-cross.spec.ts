import { BarAggregator } from './bar-aggregator';
import type { OhlcvBar } from './market-types';
import {
  type MovingAverageCrossSignal,
  MovingAverageCrossDetector,
  type MovingAverageCrossSnapshot,
  type MovingAverageKind,
} from './moving-average-cross';
import { LOBSTER_SYMBOLS, readLobsterTrades, REAL_DATA_TIMEOUT_MS } from './testing/market-data-files';

const bars = (closes: number[], symbol = 'XYZ') =>
  closes.map((close, i) => ({ symbol, startTime: i * 60_000, close }));

function signals(
  detector: MovingAverageCrossDetector,
  input: { symbol: string; startTime: number; close: number }[],
) {
  return input.flatMap((bar) => {
    const signal = detector.update(bar);
    return signal === undefined ? [] : [signal];
  });
}

/** Independent textbook averages: SMA = mean of the last n; EMA seeded with the first close, alpha = 2 / (n + 1). */
function naiveAverage(kind: MovingAverageKind, closes: number[], n: number): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  let ema: number | undefined;
  closes.forEach((close, i) => {
    if (kind === 'sma') {
      out.push(i + 1 >= n ? closes.slice(i + 1 - n, i + 1).reduce((a, b) => a + b, 0) / n : undefined);
    } else {
      const alpha = 2 / (n + 1);
      ema = ema === undefined ? close : close * alpha + ema * (1 - alpha);
      out.push(i + 1 >= n ? ema : undefined);
    }
  });
  return out;
}

describe('MovingAverageCrossDetector (unit)', () => {
  it('emits a death cross and a golden cross when the fast SMA changes side', () => {
    const detector = new MovingAverageCrossDetector({ fastPeriod: 2, slowPeriod: 3 });
    // Stable from the 3rd bar: fast 11.5 > slow 11 establishes "above" without a signal.
    const found = signals(detector, bars([10, 11, 12, 9, 9, 12]));
    const common = {
      alertType: 'ma-cross',
      symbol: 'XYZ',
      movingAverage: 'sma',
      fastPeriod: 2,
      slowPeriod: 3,
    } as const;
    expect(found).toEqual<MovingAverageCrossSignal[]>([
      {
        ...common,
        cross: 'death',
        fastValue: 10.5,
        slowValue: 32 / 3,
        previousFastValue: 11.5,
        previousSlowValue: 11,
        barStartTime: 180_000,
      },
      {
        ...common,
        cross: 'golden',
        fastValue: 10.5,
        slowValue: 10,
        previousFastValue: 9,
        previousSlowValue: 10,
        barStartTime: 300_000,
      },
    ]);
    expect(detector.averagesOf('XYZ')).toEqual({ fast: 10.5, slow: 10 });
  });

  it('does not signal when the averages only touch and part again on the same side', () => {
    const detector = new MovingAverageCrossDetector({ fastPeriod: 1, slowPeriod: 2 });
    // above (11 > 10.5), tie (11 = 11), above (12 > 11.5): no cross happened.
    expect(signals(detector, bars([10, 11, 11, 12]))).toEqual([]);
    expect(signals(detector, [{ symbol: 'XYZ', startTime: 240_000, close: 5 }]).map((s) => s.cross)).toEqual([
      'death',
    ]);
  });

  it('uses the EMA when asked (trading-signals EMA: seeded with the first close)', () => {
    const detector = new MovingAverageCrossDetector({ kind: 'ema', fastPeriod: 2, slowPeriod: 3 });
    const closes = [10, 11, 12, 9, 8, 12, 13];
    const found = signals(detector, bars(closes));
    expect(found.map((s) => [s.cross, s.barStartTime])).toEqual([
      ['death', 180_000],
      ['golden', 300_000],
    ]);
    const [fast, slow] = [naiveAverage('ema', closes, 2).at(-1), naiveAverage('ema', closes, 3).at(-1)];
    expect(detector.averagesOf('XYZ')?.fast).toBeCloseTo(fast ?? Number.NaN, 12);
    expect(detector.averagesOf('XYZ')?.slow).toBeCloseTo(slow ?? Number.NaN, 12);
  });

  it('ignores a redelivered or older bar and keeps symbols apart', () => {
    const detector = new MovingAverageCrossDetector({ fastPeriod: 1, slowPeriod: 2 });
    signals(detector, bars([10, 11]));
    expect(detector.update({ symbol: 'XYZ', startTime: 60_000, close: 1 })).toBeUndefined();
    expect(detector.averagesOf('XYZ')).toEqual({ fast: 11, slow: 10.5 });
    expect(signals(detector, bars([10, 9], 'ABC'))).toEqual([]);
    expect(detector.averagesOf('ABC')).toEqual({ fast: 9, slow: 9.5 });
  });

  it('validates its options and input', () => {
    expect(() => new MovingAverageCrossDetector({ fastPeriod: 20, slowPeriod: 5 })).toThrow(RangeError);
    expect(() => new MovingAverageCrossDetector({ fastPeriod: 0 })).toThrow(RangeError);
    expect(() => new MovingAverageCrossDetector({ kind: 'wma' as MovingAverageKind })).toThrow(RangeError);
    expect(() =>
      new MovingAverageCrossDetector().update({ symbol: 'X', startTime: 0, close: Number.NaN }),
    ).toThrow(RangeError);
  });
});

describe('MovingAverageCrossDetector on LOBSTER 1-minute bars', () => {
  const closesBySymbol = new Map<string, OhlcvBar[]>();
  beforeAll(async () => {
    for (const symbol of LOBSTER_SYMBOLS) {
      const aggregator = new BarAggregator();
      const out: OhlcvBar[] = [];
      for (const trade of await readLobsterTrades(symbol)) out.push(...aggregator.add(trade).bars);
      out.push(...aggregator.flush());
      closesBySymbol.set(symbol, out);
    }
  }, REAL_DATA_TIMEOUT_MS);

  it.each(
    LOBSTER_SYMBOLS.flatMap((symbol) => (['sma', 'ema'] as const).map((kind) => [symbol, kind] as const)),
  )('%s %s 5/20: the crosses equal those of an independent textbook computation', (symbol, kind) => {
    const series = closesBySymbol.get(symbol) ?? [];
    const closes = series.map((b) => b.close);
    const fast = naiveAverage(kind, closes, 5);
    const slow = naiveAverage(kind, closes, 20);
    const expected: string[] = [];
    let relation: 'above' | 'below' | null = null;
    closes.forEach((_, i) => {
      const [f, s] = [fast[i], slow[i]];
      if (f === undefined || s === undefined) return;
      // Compare with a small tolerance: the library's float order of operations may differ in the last bit.
      const next = f - s > 1e-9 ? 'above' : s - f > 1e-9 ? 'below' : relation;
      if (relation !== null && next !== relation)
        expected.push(`${next === 'above' ? 'golden' : 'death'}@${series[i]?.startTime}`);
      relation = next;
    });

    const detector = new MovingAverageCrossDetector({ kind });
    const found = signals(detector, series).map((s) => `${s.cross}@${s.barStartTime}`);
    expect(found).toEqual(expected);
    expect(found.length).toBeGreaterThan(3);
  });

  it.each(['sma', 'ema'] as const)(
    '%s: restoring a JSON snapshot mid-session continues bit-for-bit',
    (kind) => {
      const series = closesBySymbol.get('AAPL') ?? [];
      const uninterrupted = new MovingAverageCrossDetector({ kind, fastPeriod: 5, slowPeriod: 20 });
      const expected = signals(uninterrupted, series);

      for (const cut of [3, 12, 150]) {
        const before = new MovingAverageCrossDetector({ kind, fastPeriod: 5, slowPeriod: 20 });
        const first = signals(before, series.slice(0, cut));
        const snapshot = JSON.parse(JSON.stringify(before.snapshot())) as MovingAverageCrossSnapshot;
        const restored = MovingAverageCrossDetector.restore(snapshot);
        // Redelivery of the last bar after the restart is ignored.
        expect(restored.update(series[cut - 1] as OhlcvBar)).toBeUndefined();
        const second = signals(restored, series.slice(cut));
        expect(first.concat(second)).toEqual(expected);
        expect(restored.averagesOf('AAPL')).toEqual(uninterrupted.averagesOf('AAPL'));
      }
    },
  );
});

describe('MovingAverageCrossDetector.rescale (a split or dividend at the open)', () => {
  // Rising closes (fast above slow), then a 4-for-1 split: the same rise continues at a quarter of the price.
  const before = [100, 101, 102, 103, 104, 105, 106, 107];
  const after = [26.8, 27, 27.2, 27.4];
  const postSplit = after.map((close, i) => ({ symbol: 'XYZ', startTime: (before.length + i) * 60_000, close }));

  for (const kind of ['sma', 'ema'] as const) {
    it(`${kind}: without it the split reads as a death cross; with it there is none, as on the adjusted series`, () => {
      const raw = new MovingAverageCrossDetector({ kind, fastPeriod: 2, slowPeriod: 4 });
      signals(raw, bars(before));
      expect(signals(raw, postSplit).map((s) => s.cross)).toContain('death');

      const rescaled = new MovingAverageCrossDetector({ kind, fastPeriod: 2, slowPeriod: 4 });
      signals(rescaled, bars(before));
      rescaled.rescale('XYZ', 0.25);
      expect(signals(rescaled, postSplit)).toEqual([]);

      const adjusted = new MovingAverageCrossDetector({ kind, fastPeriod: 2, slowPeriod: 4 });
      signals(adjusted, bars(before.map((c) => c / 4)));
      signals(adjusted, postSplit);
      const expected = adjusted.averagesOf('XYZ');
      const actual = rescaled.averagesOf('XYZ');
      expect(actual?.fast).toBeCloseTo(expected?.fast as number, 10);
      expect(actual?.slow).toBeCloseTo(expected?.slow as number, 10);
    });
  }

  it('leaves unknown symbols alone and rejects a non-positive factor', () => {
    const detector = new MovingAverageCrossDetector();
    detector.rescale('NONE', 0.5);
    expect(detector.snapshot().symbols).toEqual([]);
    expect(() => detector.rescale('NONE', 0)).toThrow(RangeError);
  });
});
