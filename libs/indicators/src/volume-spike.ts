import type { VolumeSpikeAlertV1 } from '@tickwire/contracts';

/** Default spike factor k: volume above 5x the recent mean (calibrated, see {@link VolumeSpikeDetector}). */
export const DEFAULT_VOLUME_SPIKE_MULTIPLIER = 5;
/** Default history length n, in bars. */
export const DEFAULT_VOLUME_SPIKE_LOOKBACK = 20;

/** Configuration of a {@link VolumeSpikeDetector}. */
export interface VolumeSpikeOptions {
  /** k: spike when volume > k * mean of the last n bars; finite, > 0. Default 5. */
  readonly multiplier?: number;
  /** n: bars of history, integer >= 1. Default 20. */
  readonly lookback?: number;
}

/** The bar fields the detector reads (an `OhlcvBar` fits). */
export interface BarVolume {
  readonly symbol: string;
  /** Bar start, epoch ms UTC; bars of one symbol must come in increasing startTime. */
  readonly startTime: number;
  /** Shares, >= 0. */
  readonly volume: number;
}

/**
 * Alert for a bar whose volume exceeds k times the mean of the previous n bars: the `market.alert.v1`
 * `volume-spike` payload without `sourceEventId` (the caller adds the bar id `<symbol>:<startTime>`;
 * the envelope's eventTime is the bar's endTime). volume and meanVolume in shares; multiplier = k;
 * lookbackBars = n; barStartTime epoch ms UTC.
 */
export type VolumeSpikeAlert = Readonly<Omit<VolumeSpikeAlertV1, 'sourceEventId'>>;

/** Plain-JSON state of a {@link VolumeSpikeDetector}. */
export interface VolumeSpikeSnapshot {
  readonly version: 1;
  readonly multiplier: number;
  readonly lookback: number;
  /** Sorted by symbol; `volumes` holds the last <= lookback bar volumes, oldest first. */
  readonly symbols: readonly {
    readonly symbol: string;
    readonly lastStartTime: number;
    readonly volumes: readonly number[];
  }[];
}

interface SymbolVolumes {
  lastStartTime: number;
  readonly volumes: number[];
}

/**
 * Per-symbol volume spike: a bar is a spike when `volume > multiplier * mean(volume of the previous
 * lookback bars)`, evaluated only once `lookback` bars of history exist. Every bar, spike or not, then
 * joins the history (so a sustained surge raises the baseline and stops alerting). Only bars that exist
 * count: the bar aggregator emits no bar for a minute without trades, so the mean is over active minutes.
 *
 * Calibration: the LOBSTER replay carries Nasdaq-only volume (about 25 % of the consolidated tape,
 * data/market/README.md), so the rule is relative (the usual "relative volume" screen) rather than in
 * absolute shares. One-minute volume is heavy-tailed: on the 2012-06-21 session (AAPL / AMZN / GOOG,
 * 390 / 387 / 385 bars) n = 20 gives 17 / 29 / 15 spikes with k = 3, 7 / 16 / 9 with k = 4 and
 * 3 / 8 / 3 with k = 5. k = 3 would flag 4-7 % of all minutes, too many for an alert, so the default
 * is k = 5, n = 20 (asserted in volume-spike.spec.ts).
 *
 * Idempotent under redelivery: a bar whose startTime is not after the symbol's last bar is ignored.
 */
export class VolumeSpikeDetector {
  readonly multiplier: number;
  readonly lookback: number;
  private readonly states = new Map<string, SymbolVolumes>();

  /** @throws RangeError if multiplier is not finite and > 0, or lookback is not an integer >= 1 */
  constructor(options: VolumeSpikeOptions = {}) {
    this.multiplier = options.multiplier ?? DEFAULT_VOLUME_SPIKE_MULTIPLIER;
    this.lookback = options.lookback ?? DEFAULT_VOLUME_SPIKE_LOOKBACK;
    if (!Number.isFinite(this.multiplier) || this.multiplier <= 0) {
      throw new RangeError(`multiplier must be finite and > 0, got ${this.multiplier}`);
    }
    if (!Number.isSafeInteger(this.lookback) || this.lookback < 1) {
      throw new RangeError(`lookback must be an integer >= 1, got ${this.lookback}`);
    }
  }

  /**
   * Adds one bar's volume and returns the alert if it is a spike.
   * @throws RangeError if volume is not a finite number >= 0
   */
  update(bar: BarVolume): VolumeSpikeAlert | undefined {
    if (!Number.isFinite(bar.volume) || bar.volume < 0) {
      throw new RangeError(`bar.volume must be finite and >= 0, got ${bar.volume} (${bar.symbol})`);
    }
    let state = this.states.get(bar.symbol);
    if (state === undefined) {
      state = { lastStartTime: Number.NEGATIVE_INFINITY, volumes: [] };
      this.states.set(bar.symbol, state);
    } else if (bar.startTime <= state.lastStartTime) {
      return undefined;
    }
    state.lastStartTime = bar.startTime;

    let alert: VolumeSpikeAlert | undefined;
    if (state.volumes.length === this.lookback) {
      // Recomputed from the window (n additions) rather than a running sum: no drift, exact restore.
      const meanVolume = state.volumes.reduce((sum, v) => sum + v, 0) / this.lookback;
      if (bar.volume > this.multiplier * meanVolume) {
        alert = {
          alertType: 'volume-spike',
          symbol: bar.symbol,
          volume: bar.volume,
          meanVolume,
          multiplier: this.multiplier,
          lookbackBars: this.lookback,
          barStartTime: bar.startTime,
        };
      }
    }
    state.volumes.push(bar.volume);
    if (state.volumes.length > this.lookback) state.volumes.shift();
    return alert;
  }

  /**
   * Drops `symbol`'s volume history (its next `lookback` bars rebuild the baseline): the session roll.
   * One-minute volume follows the session's U shape (heavy open and close), so the previous session's
   * last minutes are no baseline for this session's first ones, and a split at the open changes the
   * share count of every later bar. Bars of a start time already seen are still ignored.
   */
  resetBaseline(symbol: string): void {
    const state = this.states.get(symbol);
    if (state !== undefined) state.volumes.length = 0;
  }

  /** Plain-JSON copy of the state. */
  snapshot(): VolumeSpikeSnapshot {
    return {
      version: 1,
      multiplier: this.multiplier,
      lookback: this.lookback,
      symbols: [...this.states.keys()].sort().map((symbol) => {
        const s = this.states.get(symbol) as SymbolVolumes;
        return { symbol, lastStartTime: s.lastStartTime, volumes: [...s.volumes] };
      }),
    };
  }

  /**
   * Rebuilds a detector from {@link snapshot} output; `options` (if given) replace the snapshot's, and a
   * shorter lookback keeps only the newest volumes.
   * @throws RangeError on an unknown version
   */
  static restore(snapshot: VolumeSpikeSnapshot, options?: VolumeSpikeOptions): VolumeSpikeDetector {
    if (snapshot.version !== 1)
      throw new RangeError(`unsupported VolumeSpikeDetector snapshot version ${String(snapshot.version)}`);
    const detector = new VolumeSpikeDetector(
      options ?? { multiplier: snapshot.multiplier, lookback: snapshot.lookback },
    );
    for (const s of snapshot.symbols) {
      const lastStartTime = typeof s.lastStartTime === 'number' ? s.lastStartTime : Number.NEGATIVE_INFINITY;
      detector.states.set(s.symbol, { lastStartTime, volumes: s.volumes.slice(-detector.lookback) });
    }
    return detector;
  }
}
