import { BarAggregator } from './bar-aggregator';
import type { OhlcvBar } from './market-types';
import { LOBSTER_SYMBOLS, readLobsterTrades, REAL_DATA_TIMEOUT_MS } from './testing/market-data-files';
import { type VolumeSpikeAlert, VolumeSpikeDetector, type VolumeSpikeSnapshot } from './volume-spike';

const bars = (volumes: number[], symbol = 'XYZ', from = 0) =>
  volumes.map((volume, i) => ({ symbol, startTime: (from + i) * 60_000, volume }));

function spikes(
  detector: VolumeSpikeDetector,
  input: { symbol: string; startTime: number; volume: number }[],
): VolumeSpikeAlert[] {
  return input.flatMap((bar) => {
    const alert = detector.update(bar);
    return alert === undefined ? [] : [alert];
  });
}

describe('VolumeSpikeDetector (unit)', () => {
  it('alerts only after n bars of history and only when volume > k x mean', () => {
    const detector = new VolumeSpikeDetector({ multiplier: 3, lookback: 4 });
    // The 1,000 in 3rd place has no 4-bar history yet; the mean of [100, 100, 1000, 100] is 325.
    expect(spikes(detector, bars([100, 100, 1_000, 100]))).toEqual([]);
    expect(spikes(detector, bars([975], 'XYZ', 4))).toEqual([]); // 975 = 3 x 325: not above
    const [alert] = spikes(detector, bars([3_000], 'XYZ', 5)); // history [100, 1000, 100, 975]: mean 543.75
    expect(alert).toEqual<VolumeSpikeAlert>({
      alertType: 'volume-spike',
      symbol: 'XYZ',
      volume: 3_000,
      meanVolume: 543.75,
      multiplier: 3,
      lookbackBars: 4,
      barStartTime: 300_000,
    });
  });

  it('lets a spike join the history, so a sustained surge stops alerting', () => {
    const detector = new VolumeSpikeDetector({ multiplier: 2, lookback: 2 });
    expect(spikes(detector, bars([10, 10, 50, 50, 50])).map((a) => a.barStartTime)).toEqual([120_000]);
  });

  it('alerts over an all-zero history, ignores redelivered bars and keeps symbols apart', () => {
    const detector = new VolumeSpikeDetector({ multiplier: 3, lookback: 2 });
    spikes(detector, bars([0, 0]));
    spikes(detector, bars([5, 5], 'ABC'));
    expect(detector.update({ symbol: 'XYZ', startTime: 60_000, volume: 1_000 })).toBeUndefined(); // redelivery
    expect(detector.update({ symbol: 'XYZ', startTime: 120_000, volume: 1 })?.meanVolume).toBe(0);
    expect(detector.update({ symbol: 'ABC', startTime: 120_000, volume: 15 })).toBeUndefined();
  });

  it('validates options and volume', () => {
    expect(() => new VolumeSpikeDetector({ multiplier: 0 })).toThrow(RangeError);
    expect(() => new VolumeSpikeDetector({ lookback: 1.5 })).toThrow(RangeError);
    expect(() => new VolumeSpikeDetector().update({ symbol: 'X', startTime: 0, volume: -1 })).toThrow(
      RangeError,
    );
  });

  it('restores from a JSON snapshot, optionally with a shorter lookback', () => {
    const detector = new VolumeSpikeDetector({ multiplier: 3, lookback: 3 });
    spikes(detector, bars([100, 200, 300]));
    const snapshot = JSON.parse(JSON.stringify(detector.snapshot())) as VolumeSpikeSnapshot;
    expect(spikes(VolumeSpikeDetector.restore(snapshot), bars([601], 'XYZ', 3))).toHaveLength(1); // mean 200
    expect(
      spikes(VolumeSpikeDetector.restore(snapshot, { multiplier: 3, lookback: 1 }), bars([901], 'XYZ', 3)),
    ).toHaveLength(1); // mean 300
    expect(
      spikes(VolumeSpikeDetector.restore(snapshot, { multiplier: 3, lookback: 1 }), bars([900], 'XYZ', 3)),
    ).toHaveLength(0);
    expect(() => VolumeSpikeDetector.restore({ ...snapshot, version: 0 as 1 })).toThrow(RangeError);
  });
});

describe('VolumeSpikeDetector on LOBSTER 1-minute bars (Nasdaq-only volume)', () => {
  const barsBySymbol = new Map<string, OhlcvBar[]>();
  beforeAll(async () => {
    for (const symbol of LOBSTER_SYMBOLS) {
      const aggregator = new BarAggregator();
      const out: OhlcvBar[] = [];
      for (const trade of await readLobsterTrades(symbol)) out.push(...aggregator.add(trade).bars);
      out.push(...aggregator.flush());
      barsBySymbol.set(symbol, out);
    }
  }, REAL_DATA_TIMEOUT_MS);

  it.each([
    ['AAPL', 3, 17],
    ['AMZN', 8, 29],
    ['GOOG', 3, 15],
  ] as const)(
    '%s: defaults (k=5, n=20) give %i spikes, equal to an independent computation (k=3 would give %i)',
    (symbol, atDefault, atThree) => {
      const series = barsBySymbol.get(symbol) ?? [];
      const independent = (k: number) =>
        series
          .filter(
            (bar, i) =>
              i >= 20 &&
              bar.volume > (k * series.slice(i - 20, i).reduce((sum, b) => sum + b.volume, 0)) / 20,
          )
          .map((b) => b.startTime);
      const found = spikes(new VolumeSpikeDetector(), series).map((a) => a.barStartTime);
      expect(found).toEqual(independent(5));
      expect(found).toHaveLength(atDefault);
      const atK3 = spikes(new VolumeSpikeDetector({ multiplier: 3, lookback: 20 }), series).map(
        (a) => a.barStartTime,
      );
      expect(atK3).toEqual(independent(3));
      expect(atK3).toHaveLength(atThree);
    },
  );

  it('continues identically after a JSON snapshot/restore mid-session', () => {
    const series = barsBySymbol.get('AAPL') ?? [];
    const expected = spikes(new VolumeSpikeDetector(), series);
    const before = new VolumeSpikeDetector();
    const first = spikes(before, series.slice(0, 200));
    const restored = VolumeSpikeDetector.restore(
      JSON.parse(JSON.stringify(before.snapshot())) as VolumeSpikeSnapshot,
    );
    expect(first.concat(spikes(restored, series.slice(199)))).toEqual(expected); // bar 199 is a redelivery
  });
});

describe('VolumeSpikeDetector.resetBaseline (the session roll)', () => {
  it('forgets the baseline: a 4-for-1 split at the next open raises no spike, the next n bars warm up again', () => {
    const rolled = new VolumeSpikeDetector({ multiplier: 3, lookback: 4 });
    const kept = new VolumeSpikeDetector({ multiplier: 3, lookback: 4 });
    const previousSession = bars([100, 100, 100, 100]);
    // After the split every bar trades four times the shares.
    const nextSession = bars([400, 400, 400, 400, 2_000], 'XYZ', 1_000);
    spikes(kept, previousSession);
    expect(spikes(kept, nextSession.slice(0, 1)).map((a) => a.volume)).toEqual([400]); // the false spike
    spikes(rolled, previousSession);
    rolled.resetBaseline('XYZ');
    expect(spikes(rolled, nextSession).map((a) => [a.volume, a.meanVolume])).toEqual([[2_000, 400]]);
    expect(spikes(rolled, bars([5_000], 'XYZ', 3))).toEqual([]); // an old start time is still ignored
    rolled.resetBaseline('UNKNOWN');
  });
});
