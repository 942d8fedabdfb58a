import type { MovingAverageKind, ReferenceCloses } from '@tickwire/indicators';

/**
 * Tuning of the enrichment logic (from the enricher's environment, see enricher-env.ts). Durations ms,
 * percents in percent units (5 = 5 %), periods in 1-minute bars.
 */
export interface EnrichmentSettings {
  /** Bounded out-of-orderness of a symbol's trades (watermark = max event time - this). */
  readonly maxOutOfOrdernessMs: number;
  /** Time a 1-minute window stays open after the watermark passed its end; later trades are late. */
  readonly allowedLatenessMs: number;
  /** ±band of the change-vs-previous-close alert (trades and daily closes). */
  readonly changeThresholdPercent: number;
  /** Fast/slow periods of the SMA and EMA over 1-minute closes. */
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  /** Which averages raise golden/death-cross alerts (values of both are always in the enriched record). */
  readonly crossAlertKinds: readonly MovingAverageKind[];
  /** Volume spike: bar volume > multiplier x mean of the previous `volumeSpikeLookback` bars. */
  readonly volumeSpikeMultiplier: number;
  readonly volumeSpikeLookback: number;
  /**
   * A symbol without reference daily bars: `dead-letter` (UnknownSymbol, the default) or `enrich`
   * (previousClose null). See EnrichmentEngine.
   */
  readonly unknownSymbols?: 'dead-letter' | 'enrich';
  /**
   * How long after a 1-minute window's end its trades (those with a source trade id) are kept to
   * restate its bar after a correction or cancel, ms, against the symbol's latest trade time
   * (TradeLedger). Default 30 minutes.
   */
  readonly restatementRetainMs?: number;
  /**
   * Previous closes from the reference daily rows: `seed` (the default; only until the feed delivered a
   * session's official close) or `none` (from the feed only; corporate actions still from the reference).
   */
  readonly referenceCloses?: ReferenceCloses;
}

/** Defaults: indicators' defaults (5 %, SMA/EMA 5/20, k = 5 over n = 20), no out-of-orderness, 0 ms lateness. */
export const DEFAULT_ENRICHMENT_SETTINGS: EnrichmentSettings = {
  maxOutOfOrdernessMs: 0,
  allowedLatenessMs: 0,
  changeThresholdPercent: 5,
  fastPeriod: 5,
  slowPeriod: 20,
  crossAlertKinds: ['sma'],
  volumeSpikeMultiplier: 5,
  volumeSpikeLookback: 20,
};
