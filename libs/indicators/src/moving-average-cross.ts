import type { MaCrossAlertV1 } from '@tickwire/contracts';
import { EMA, SMA } from 'trading-signals';

/** `sma`: simple moving average; `ema`: exponential moving average with alpha = 2 / (period + 1). */
export type MovingAverageKind = 'sma' | 'ema';

/** Default fast and slow periods, in bars. */
export const DEFAULT_FAST_PERIOD = 5;
export const DEFAULT_SLOW_PERIOD = 20;

/** Configuration of a {@link MovingAverageCrossDetector}. */
export interface MovingAverageCrossOptions {
  /** Default `sma`. */
  readonly kind?: MovingAverageKind;
  /** Bars in the fast average, integer >= 1. Default 5. */
  readonly fastPeriod?: number;
  /** Bars in the slow average, integer > fastPeriod. Default 20. */
  readonly slowPeriod?: number;
}

/** The bar fields the detector reads (an `OhlcvBar` fits). */
export interface BarClose {
  readonly symbol: string;
  /** Bar start, epoch ms UTC; bars of one symbol must come in increasing startTime. */
  readonly startTime: number;
  /** Close, USD. */
  readonly close: number;
}

/**
 * A golden cross (fast crosses above slow) or a death cross (fast crosses below slow): the
 * `market.alert.v1` `ma-cross` payload without `sourceEventId` (the caller adds the bar id
 * `<symbol>:<startTime>`; the envelope's eventTime is the bar's endTime). Values in USD; periods in bars;
 * barStartTime epoch ms UTC of the bar whose close completed the cross; previous values are the
 * averages after the bar before it.
 */
export type MovingAverageCrossSignal = Readonly<Omit<MaCrossAlertV1, 'sourceEventId'>>;

/** Serialized averages of one symbol. */
export interface MovingAverageSymbolSnapshot {
  readonly symbol: string;
  readonly lastStartTime: number;
  /** Which side the fast average was on at the last bar where they differed; null before both are stable. */
  readonly relation: 'above' | 'below' | null;
  /** Fast and slow averages after the last bar, once both are stable (USD). */
  readonly lastFast?: number;
  readonly lastSlow?: number;
  /** `sma`: the last <= period closes of each average, oldest first. */
  readonly fastPrices?: readonly number[];
  readonly slowPrices?: readonly number[];
  /** `ema`: current value and number of inputs seen (capped at the period) of each average. */
  readonly fastEma?: { readonly value: number; readonly inputs: number };
  readonly slowEma?: { readonly value: number; readonly inputs: number };
}

/** Plain-JSON state of a {@link MovingAverageCrossDetector}. */
export interface MovingAverageCrossSnapshot {
  readonly version: 1;
  readonly kind: MovingAverageKind;
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  /** Sorted by symbol. */
  readonly symbols: readonly MovingAverageSymbolSnapshot[];
}

/**
 * trading-signals' EMA (seeded with the first input, stable after `period` inputs) plus the two things
 * a restartable service needs and the library keeps private: reading the raw value before it is stable
 * and restoring value and input count exactly.
 */
class RestorableEma extends EMA {
  private inputs = 0;

  override update(price: number, replace: boolean): number {
    if (!replace) this.inputs = Math.min(this.inputs + 1, this.interval);
    return super.update(price, replace);
  }

  /** Current value (also before stable), or undefined before the first input. */
  get value(): number | undefined {
    return this.result;
  }

  get inputCount(): number {
    return this.inputs;
  }

  /** Puts the EMA into the state it had with `inputs` inputs and value `value`. */
  seed(value: number, inputs: number): void {
    // Each add advances the library's private input counter; the value is then set exactly.
    for (let i = 0; i < inputs; i++) this.update(value, false);
    this.result = value;
    this.previousResult = undefined;
  }
}

interface SymbolAverages {
  readonly fast: SMA | RestorableEma;
  readonly slow: SMA | RestorableEma;
  lastStartTime: number;
  relation: 'above' | 'below' | null;
  lastFast?: number;
  lastSlow?: number;
}

/**
 * Golden / death cross of a fast and a slow moving average of bar closes, per symbol. The averages are
 * trading-signals' SMA and EMA (streaming). The rule is the classic two-average crossover (J. J. Murphy,
 * "Technical Analysis of the Financial Markets", 1999, ch. 9: a buy signal when the shorter average
 * crosses above the longer, a sell signal when it crosses below; "golden cross" / "death cross").
 *
 * Precisely: once both averages are stable (slowPeriod bars seen), the relation of fast to slow is
 * `above` or `below`; a tie keeps the previous relation, so touching without crossing does not signal
 * (trading-signals' `hasCrossedOver` alone would signal a touch followed by a move back to the same
 * side). A change of relation is the signal; the first stable bar only establishes the relation. Every
 * signal also satisfies the contract's check (golden: previousFast <= previousSlow and fast > slow).
 *
 * A bar whose startTime is not after the symbol's last bar is ignored (redelivered after a restart),
 * which makes the detector idempotent under at-least-once delivery.
 */
export class MovingAverageCrossDetector {
  readonly kind: MovingAverageKind;
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  private readonly states = new Map<string, SymbolAverages>();

  /** @throws RangeError unless 1 <= fastPeriod < slowPeriod are integers and kind is sma or ema */
  constructor(options: MovingAverageCrossOptions = {}) {
    this.kind = options.kind ?? 'sma';
    this.fastPeriod = options.fastPeriod ?? DEFAULT_FAST_PERIOD;
    this.slowPeriod = options.slowPeriod ?? DEFAULT_SLOW_PERIOD;
    if (this.kind !== 'sma' && this.kind !== 'ema')
      throw new RangeError(`kind must be sma or ema, got ${String(this.kind)}`);
    if (!Number.isSafeInteger(this.fastPeriod) || this.fastPeriod < 1) {
      throw new RangeError(`fastPeriod must be an integer >= 1, got ${this.fastPeriod}`);
    }
    if (!Number.isSafeInteger(this.slowPeriod) || this.slowPeriod <= this.fastPeriod) {
      throw new RangeError(
        `slowPeriod must be an integer > fastPeriod (${this.fastPeriod}), got ${this.slowPeriod}`,
      );
    }
  }

  /**
   * Adds one bar close and returns the cross it causes, if any.
   * @throws RangeError if close is not finite and > 0
   */
  update(bar: BarClose): MovingAverageCrossSignal | undefined {
    if (!Number.isFinite(bar.close) || bar.close <= 0) {
      throw new RangeError(`bar.close must be finite and > 0, got ${bar.close} (${bar.symbol})`);
    }
    let state = this.states.get(bar.symbol);
    if (state === undefined) {
      state = { ...this.newAverages(), lastStartTime: Number.NEGATIVE_INFINITY, relation: null };
      this.states.set(bar.symbol, state);
    } else if (bar.startTime <= state.lastStartTime) {
      return undefined;
    }
    state.lastStartTime = bar.startTime;
    state.fast.add(bar.close);
    state.slow.add(bar.close);
    if (!state.fast.isStable || !state.slow.isStable) return undefined;

    const fast = state.fast.getResultOrThrow();
    const slow = state.slow.getResultOrThrow();
    const relation = fast > slow ? 'above' : fast < slow ? 'below' : state.relation;
    const previous = { relation: state.relation, fast: state.lastFast, slow: state.lastSlow };
    state.relation = relation;
    state.lastFast = fast;
    state.lastSlow = slow;
    // A known relation implies the previous bar had stable averages.
    if (previous.relation === null || relation === previous.relation) return undefined;
    return {
      alertType: 'ma-cross',
      symbol: bar.symbol,
      cross: relation === 'above' ? 'golden' : 'death',
      movingAverage: this.kind,
      fastPeriod: this.fastPeriod,
      slowPeriod: this.slowPeriod,
      fastValue: fast,
      slowValue: slow,
      previousFastValue: previous.fast as number,
      previousSlowValue: previous.slow as number,
      barStartTime: bar.startTime,
    };
  }

  /** Current fast and slow averages of `symbol` in USD; undefined until stable. */
  averagesOf(symbol: string): { fast: number; slow: number } | undefined {
    const state = this.states.get(symbol);
    if (state === undefined || !state.fast.isStable || !state.slow.isStable) return undefined;
    return { fast: state.fast.getResultOrThrow(), slow: state.slow.getResultOrThrow() };
  }

  /**
   * Puts `symbol`'s history on a new share basis: every close the averages hold (and their current and
   * last values) multiplied by `factor`, as a back-adjusted price series is (CRSP-style cumulative
   * factor: a 4-for-1 split is 1/4, a cash dividend d on a close c is (c - d) / c). Both averages scale
   * alike, so the fast/slow relation and hence the cross state are unchanged: a split raises no cross.
   * A symbol without history is left alone.
   *
   * @param factor finite, > 0
   * @throws RangeError otherwise
   */
  rescale(symbol: string, factor: number): void {
    if (!Number.isFinite(factor) || factor <= 0) throw new RangeError(`factor must be finite and > 0, got ${factor}`);
    if (factor === 1 || !this.states.has(symbol)) return;
    const scale = (value: number | undefined) => (value === undefined ? undefined : value * factor);
    const entry = this.snapshot().symbols.find((s) => s.symbol === symbol) as MovingAverageSymbolSnapshot;
    const scaled: MovingAverageSymbolSnapshot = {
      ...entry,
      ...(entry.lastFast === undefined ? {} : { lastFast: scale(entry.lastFast), lastSlow: scale(entry.lastSlow) }),
      ...(entry.fastPrices ? { fastPrices: entry.fastPrices.map((p) => p * factor) } : {}),
      ...(entry.slowPrices ? { slowPrices: entry.slowPrices.map((p) => p * factor) } : {}),
      ...(entry.fastEma ? { fastEma: { ...entry.fastEma, value: entry.fastEma.value * factor } } : {}),
      ...(entry.slowEma ? { slowEma: { ...entry.slowEma, value: entry.slowEma.value * factor } } : {}),
    };
    const restored = MovingAverageCrossDetector.restore({
      version: 1,
      kind: this.kind,
      fastPeriod: this.fastPeriod,
      slowPeriod: this.slowPeriod,
      symbols: [scaled],
    });
    this.states.set(symbol, restored.states.get(symbol) as SymbolAverages);
  }

  /** Plain-JSON copy of the state; restoring it continues bit-for-bit identically. */
  snapshot(): MovingAverageCrossSnapshot {
    const symbols = [...this.states.keys()].sort().map((symbol): MovingAverageSymbolSnapshot => {
      const s = this.states.get(symbol) as SymbolAverages;
      const base = {
        symbol,
        lastStartTime: s.lastStartTime,
        relation: s.relation,
        ...(s.lastFast === undefined ? {} : { lastFast: s.lastFast, lastSlow: s.lastSlow }),
      };
      if (s.fast instanceof SMA && s.slow instanceof SMA) {
        return { ...base, fastPrices: [...s.fast.prices], slowPrices: [...s.slow.prices] };
      }
      const fast = s.fast as RestorableEma;
      const slow = s.slow as RestorableEma;
      return {
        ...base,
        fastEma: { value: fast.value as number, inputs: fast.inputCount },
        slowEma: { value: slow.value as number, inputs: slow.inputCount },
      };
    });
    return { version: 1, kind: this.kind, fastPeriod: this.fastPeriod, slowPeriod: this.slowPeriod, symbols };
  }

  /**
   * Rebuilds a detector from {@link snapshot} output (kind and periods come from the snapshot).
   * @throws RangeError on an unknown version or a symbol entry that does not match the kind
   */
  static restore(snapshot: MovingAverageCrossSnapshot): MovingAverageCrossDetector {
    if (snapshot.version !== 1)
      throw new RangeError(
        `unsupported MovingAverageCrossDetector snapshot version ${String(snapshot.version)}`,
      );
    const detector = new MovingAverageCrossDetector(snapshot);
    for (const s of snapshot.symbols) {
      const averages = detector.newAverages();
      if (averages.fast instanceof SMA && averages.slow instanceof SMA) {
        if (s.fastPrices === undefined || s.slowPrices === undefined)
          throw new RangeError(`SMA prices missing for ${s.symbol}`);
        // SMA recomputes its mean from the stored window, so replaying the window restores it exactly.
        for (const price of s.fastPrices) averages.fast.add(price);
        for (const price of s.slowPrices) averages.slow.add(price);
      } else {
        if (s.fastEma === undefined || s.slowEma === undefined)
          throw new RangeError(`EMA state missing for ${s.symbol}`);
        (averages.fast as RestorableEma).seed(s.fastEma.value, s.fastEma.inputs);
        (averages.slow as RestorableEma).seed(s.slowEma.value, s.slowEma.inputs);
      }
      // JSON turns -Infinity into null; a symbol in a snapshot has seen at least one bar anyway.
      const lastStartTime = typeof s.lastStartTime === 'number' ? s.lastStartTime : Number.NEGATIVE_INFINITY;
      detector.states.set(s.symbol, {
        ...averages,
        lastStartTime,
        relation: s.relation,
        lastFast: s.lastFast,
        lastSlow: s.lastSlow,
      });
    }
    return detector;
  }

  private newAverages(): { fast: SMA | RestorableEma; slow: SMA | RestorableEma } {
    return this.kind === 'sma'
      ? { fast: new SMA(this.fastPeriod), slow: new SMA(this.slowPeriod) }
      : { fast: new RestorableEma(this.fastPeriod), slow: new RestorableEma(this.slowPeriod) };
  }
}
