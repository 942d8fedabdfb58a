import type { PriceChangeThresholdAlertV1 } from '@tickwire/contracts';

/** Default alert band: +-5 % from the previous close. */
export const DEFAULT_CHANGE_THRESHOLD_PERCENT = 5;

/**
 * Change versus the previous close in percent: `(price - previousClose) / previousClose * 100`.
 *
 * @param price USD
 * @param previousClose USD, > 0 (split- and distribution-adjusted, see previous-close.ts)
 * @throws RangeError if previousClose is not finite and > 0 or price is not finite
 */
export function changePercent(price: number, previousClose: number): number {
  if (!Number.isFinite(previousClose) || previousClose <= 0) {
    throw new RangeError(`previousClose must be finite and > 0, got ${previousClose}`);
  }
  if (!Number.isFinite(price)) throw new RangeError(`price must be finite, got ${price}`);
  return ((price - previousClose) / previousClose) * 100;
}

/** A price observation (usually a trade; extra fields are ignored). */
export interface PriceTick {
  readonly symbol: string;
  /** USD. */
  readonly price: number;
}

/** The reference the change is measured against; a `PreviousClose` from previous-close.ts fits. */
export interface ChangeReference {
  /** Adjusted previous close, USD, > 0. */
  readonly previousClose: number;
  /** Trading date the reference belongs to, `YYYY-MM-DD` (America/New_York); a new date re-arms. */
  readonly tradingDate: string;
  /** True if the reference is only an estimate (spin-off ex-date): no alert is raised then. */
  readonly approximate?: boolean;
  /**
   * True if the close is older than the session before `tradingDate` (the symbol did not trade, a halt
   * over the close, sessions missing from the feed): the change is still computed, no alert is raised.
   */
  readonly stale?: boolean;
}

/** Configuration of a {@link ChangeThresholdAlerter}. */
export interface ChangeThresholdOptions {
  /** Alert when |changePercent| reaches this, percent > 0. Default 5. */
  readonly thresholdPercent?: number;
  /**
   * Re-arm once |changePercent| is back below this, percent in (0, thresholdPercent]. Default
   * thresholdPercent (re-arm as soon as the price is inside the band); lower it to add hysteresis
   * against a price oscillating around the threshold.
   */
  readonly rearmPercent?: number;
}

/**
 * Alert raised when the change crosses the band: the `market.alert.v1` `price-change-threshold` payload
 * without `sourceEventId` (the caller adds the triggering trade's id; the envelope's eventTime is the
 * trade's eventTime). price and previousClose USD, changePercent and thresholdPercent in percent units.
 */
export type ChangeThresholdAlert = Readonly<Omit<PriceChangeThresholdAlertV1, 'sourceEventId'>>;

/** Result of {@link ChangeThresholdAlerter.update}. */
export interface ChangeThresholdResult {
  /** Percent versus the reference. */
  readonly changePercent: number;
  /** Present only on the tick that crossed the band. */
  readonly alert?: ChangeThresholdAlert;
}

type Zone = 'inside' | 'above' | 'below';

/** Plain-JSON state of a {@link ChangeThresholdAlerter}. */
export interface ChangeThresholdSnapshot {
  readonly version: 1;
  readonly thresholdPercent: number;
  readonly rearmPercent: number;
  /** Sorted by symbol. */
  readonly symbols: readonly { readonly symbol: string; readonly tradingDate: string; readonly zone: Zone }[];
}

/**
 * Per-symbol alert when the change versus the previous close crosses +threshold or -threshold, once
 * per crossing: after an alert the symbol is armed again only when the change returns inside
 * +-rearmPercent (a Schmitt trigger), or on a new trading date. A move from above the upper band straight
 * to below the lower band alerts again (the other band was crossed).
 *
 * Split days raise no false alert because the reference is split-adjusted (previous-close.ts); on
 * `approximate` references (spin-off ex-dates) and `stale` ones (a close older than the previous
 * session) no alert is raised at all. The threshold is a product
 * setting; its default of 5 % equals the Tier 1 percentage of the Limit Up-Limit Down Plan (Appendix A:
 * S&P 500 / Russell 1000 stocks above $3), though LULD measures against a 5-minute average price, not
 * the previous close.
 */
export class ChangeThresholdAlerter {
  readonly thresholdPercent: number;
  readonly rearmPercent: number;
  private readonly states = new Map<string, { tradingDate: string; zone: Zone }>();

  /** @throws RangeError unless 0 < rearmPercent <= thresholdPercent (both finite) */
  constructor(options: ChangeThresholdOptions = {}) {
    this.thresholdPercent = options.thresholdPercent ?? DEFAULT_CHANGE_THRESHOLD_PERCENT;
    this.rearmPercent = options.rearmPercent ?? this.thresholdPercent;
    if (!Number.isFinite(this.thresholdPercent) || this.thresholdPercent <= 0) {
      throw new RangeError(`thresholdPercent must be finite and > 0, got ${this.thresholdPercent}`);
    }
    if (
      !Number.isFinite(this.rearmPercent) ||
      this.rearmPercent <= 0 ||
      this.rearmPercent > this.thresholdPercent
    ) {
      throw new RangeError(`rearmPercent must be in (0, ${this.thresholdPercent}], got ${this.rearmPercent}`);
    }
  }

  /**
   * Measures one tick against its reference and returns the change and, when this tick crossed the
   * band, the alert. Ticks of an earlier trading date than the symbol's current one (late events) get
   * their change computed but never alert or change state.
   *
   * @throws RangeError on a non-finite price or a previousClose that is not > 0
   */
  update(tick: PriceTick, reference: ChangeReference): ChangeThresholdResult {
    const percent = changePercent(tick.price, reference.previousClose);
    let state = this.states.get(tick.symbol);
    if (state !== undefined && reference.tradingDate < state.tradingDate) return { changePercent: percent };
    if (state === undefined || reference.tradingDate > state.tradingDate) {
      state = { tradingDate: reference.tradingDate, zone: 'inside' };
      this.states.set(tick.symbol, state);
    }
    if (reference.approximate === true || reference.stale === true) return { changePercent: percent };

    let direction: 'up' | 'down' | undefined;
    if (percent >= this.thresholdPercent) {
      if (state.zone !== 'above') direction = 'up';
      state.zone = 'above';
    } else if (percent <= -this.thresholdPercent) {
      if (state.zone !== 'below') direction = 'down';
      state.zone = 'below';
    } else if (Math.abs(percent) < this.rearmPercent) {
      state.zone = 'inside';
    }
    if (direction === undefined) return { changePercent: percent };
    return {
      changePercent: percent,
      alert: {
        alertType: 'price-change-threshold',
        symbol: tick.symbol,
        direction,
        thresholdPercent: this.thresholdPercent,
        changePercent: percent,
        price: tick.price,
        previousClose: reference.previousClose,
      },
    };
  }

  /** Plain-JSON copy of the state. */
  snapshot(): ChangeThresholdSnapshot {
    return {
      version: 1,
      thresholdPercent: this.thresholdPercent,
      rearmPercent: this.rearmPercent,
      symbols: [...this.states.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([symbol, s]) => ({ symbol, tradingDate: s.tradingDate, zone: s.zone })),
    };
  }

  /**
   * Rebuilds an alerter from {@link snapshot} output; `options` (if given) replace the snapshot's.
   * @throws RangeError on an unknown version or an invalid zone
   */
  static restore(
    snapshot: ChangeThresholdSnapshot,
    options?: ChangeThresholdOptions,
  ): ChangeThresholdAlerter {
    if (snapshot.version !== 1)
      throw new RangeError(`unsupported ChangeThresholdAlerter snapshot version ${String(snapshot.version)}`);
    const alerter = new ChangeThresholdAlerter(
      options ?? { thresholdPercent: snapshot.thresholdPercent, rearmPercent: snapshot.rearmPercent },
    );
    for (const s of snapshot.symbols) {
      if (s.zone !== 'inside' && s.zone !== 'above' && s.zone !== 'below') {
        throw new RangeError(`invalid zone ${String(s.zone)} for ${s.symbol}`);
      }
      alerter.states.set(s.symbol, { tradingDate: s.tradingDate, zone: s.zone });
    }
    return alerter;
  }
}
