import type { OhlcvBar, TradeInput } from './market-types';

/** One minute in milliseconds: the default bar interval. */
export const ONE_MINUTE_MS = 60_000;

/** Prices are accumulated as integer micro-dollars (USD x 1e6) so that notional sums are exact. */
const MICROS_PER_USD = 1_000_000;

/** Configuration of a {@link BarAggregator}. All durations in milliseconds. */
export interface BarAggregatorOptions {
  /** Bar length; windows are [k * intervalMs, (k + 1) * intervalMs) in epoch time. Default 60,000 (1 minute). */
  readonly intervalMs?: number;
  /**
   * Bounded out-of-orderness: the watermark of a symbol is its maximum event time seen minus this.
   * Default 0 (events of one symbol arrive in event-time order, as on one Kafka partition).
   */
  readonly maxOutOfOrdernessMs?: number;
  /** Extra time a window stays open after the watermark passed its end. Default 0. */
  readonly allowedLatenessMs?: number;
}

/** Result of {@link BarAggregator.add}. */
export interface BarAggregatorResult {
  /** Bars closed by this event's watermark advance, oldest first (often empty). */
  readonly bars: readonly OhlcvBar[];
  /**
   * True if the event belonged to a window that was already closed; it was NOT aggregated and the
   * caller routes it to the late topic (`lateTopic(TOPICS.trades)`).
   */
  readonly late: boolean;
}

/** Serialized open window; `notionalMicros` is a decimal integer string (sum of price micro-dollars x size). */
export interface OpenWindowSnapshot {
  readonly startTime: number;
  readonly open: number;
  readonly openTime: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly closeTime: number;
  readonly volume: number;
  readonly notionalMicros: string;
  readonly tradeCount: number;
}

/** Serialized state of one symbol. */
export interface SymbolBarStateSnapshot {
  readonly symbol: string;
  /** Maximum event time seen, epoch ms; null before the first event. */
  readonly maxEventTime: number | null;
  /** End of the latest window already emitted (or flushed), epoch ms; null if none. */
  readonly closedThrough: number | null;
  /** Open windows, oldest first. */
  readonly windows: readonly OpenWindowSnapshot[];
}

/** Plain-JSON state of a {@link BarAggregator} (`JSON.stringify`-safe, no BigInt, no Infinity). */
export interface BarAggregatorSnapshot {
  readonly version: 1;
  readonly intervalMs: number;
  readonly maxOutOfOrdernessMs: number;
  readonly allowedLatenessMs: number;
  /** Sorted by symbol. */
  readonly symbols: readonly SymbolBarStateSnapshot[];
}

interface OpenWindow {
  readonly startTime: number;
  open: number;
  openTime: number;
  high: number;
  low: number;
  close: number;
  closeTime: number;
  volume: number;
  notionalMicros: bigint;
  tradeCount: number;
}

interface SymbolState {
  maxEventTime: number | null;
  closedThrough: number | null;
  /** Keyed by window start time. */
  readonly windows: Map<number, OpenWindow>;
}

/**
 * Event-time tumbling OHLCV bars (default 1 minute) with VWAP and trade count, per symbol.
 *
 * Semantics (the Dataflow/Flink model of watermarks and allowed lateness, Akidau et al., "The Dataflow
 * Model", VLDB 2015):
 * - A trade with event time `t` belongs to the window starting at `floor(t / intervalMs) * intervalMs`,
 *   the half-open interval [start, start + intervalMs).
 * - Each symbol has its own watermark `W = max event time seen - maxOutOfOrdernessMs`. Per symbol, not
 *   per aggregator, so results depend only on each symbol's own event order (which Kafka keeps per key)
 *   and not on how partitions interleave: the output is deterministic.
 * - A window closes, and its bar is emitted once, when `W >= end + allowedLatenessMs`. A trade whose
 *   window has already closed is reported `late` and not aggregated.
 * - Windows without trades produce no bar.
 * - open/close are the prices of the trades with the earliest/latest event time (ties: arrival order),
 *   so moderate reordering within a window does not change the bar.
 * - VWAP = sum(price * size) / sum(size). Prices are converted to integer micro-dollars and the notional
 *   is summed as a BigInt, so the sum is exact and order-independent; the only rounding is the final
 *   division (relative error ~1e-16). Prices with more than 6 decimals are rounded to 1e-6 USD in the
 *   VWAP only (US equities quote in at most 4 decimals).
 *
 * State is plain data: {@link snapshot} / {@link BarAggregator.restore} survive a restart exactly.
 */
export class BarAggregator {
  readonly intervalMs: number;
  readonly maxOutOfOrdernessMs: number;
  readonly allowedLatenessMs: number;
  private readonly states = new Map<string, SymbolState>();

  /** @throws RangeError if a duration is negative, not an integer, or the interval is 0 */
  constructor(options: BarAggregatorOptions = {}) {
    this.intervalMs = options.intervalMs ?? ONE_MINUTE_MS;
    this.maxOutOfOrdernessMs = options.maxOutOfOrdernessMs ?? 0;
    this.allowedLatenessMs = options.allowedLatenessMs ?? 0;
    if (!Number.isSafeInteger(this.intervalMs) || this.intervalMs <= 0) {
      throw new RangeError(`intervalMs must be a positive integer, got ${this.intervalMs}`);
    }
    for (const [name, value] of [
      ['maxOutOfOrdernessMs', this.maxOutOfOrdernessMs],
      ['allowedLatenessMs', this.allowedLatenessMs],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
      }
    }
  }

  /**
   * Adds one trade and returns the bars its watermark advance closes (oldest first) and whether the
   * trade was late.
   *
   * @param trade price USD > 0, size shares (positive safe integer), eventTime epoch ms UTC (finite)
   * @throws RangeError on an invalid trade (nothing is changed then)
   */
  add(trade: TradeInput): BarAggregatorResult {
    validateTrade(trade);
    const state = this.stateOf(trade.symbol);
    const startTime = Math.floor(trade.eventTime / this.intervalMs) * this.intervalMs;
    const endTime = startTime + this.intervalMs;
    if (this.isClosed(state, endTime)) {
      return { bars: [], late: true };
    }

    const notional = BigInt(Math.round(trade.price * MICROS_PER_USD)) * BigInt(trade.size);
    const window = state.windows.get(startTime);
    if (window === undefined) {
      state.windows.set(startTime, {
        startTime,
        open: trade.price,
        openTime: trade.eventTime,
        high: trade.price,
        low: trade.price,
        close: trade.price,
        closeTime: trade.eventTime,
        volume: trade.size,
        notionalMicros: notional,
        tradeCount: 1,
      });
    } else {
      if (trade.eventTime < window.openTime) {
        window.open = trade.price;
        window.openTime = trade.eventTime;
      }
      if (trade.eventTime >= window.closeTime) {
        window.close = trade.price;
        window.closeTime = trade.eventTime;
      }
      if (trade.price > window.high) window.high = trade.price;
      if (trade.price < window.low) window.low = trade.price;
      window.volume += trade.size;
      window.notionalMicros += notional;
      window.tradeCount += 1;
    }

    if (state.maxEventTime === null || trade.eventTime > state.maxEventTime) {
      state.maxEventTime = trade.eventTime;
    }
    return { bars: this.closeReady(trade.symbol, state), late: false };
  }

  /**
   * Current watermark of `symbol` (max event time seen minus maxOutOfOrdernessMs), epoch ms, or
   * undefined before its first trade.
   */
  watermarkOf(symbol: string): number | undefined {
    const maxEventTime = this.states.get(symbol)?.maxEventTime;
    return maxEventTime === null || maxEventTime === undefined
      ? undefined
      : maxEventTime - this.maxOutOfOrdernessMs;
  }

  /**
   * Advances the event-time clock of every known symbol to at least `eventTime` (as if each had seen a
   * trade at that time) and returns the bars that closes, ordered by end time then symbol. For idle
   * symbols: e.g. the caller passes the stream's overall event time so quiet symbols' bars still close.
   *
   * @param eventTime epoch ms UTC
   * @throws RangeError if `eventTime` is not finite
   */
  advanceTo(eventTime: number): OhlcvBar[] {
    if (!Number.isFinite(eventTime))
      throw new RangeError(`eventTime must be finite epoch ms, got ${eventTime}`);
    const bars: OhlcvBar[] = [];
    for (const [symbol, state] of this.states) {
      if (state.maxEventTime === null || eventTime > state.maxEventTime) state.maxEventTime = eventTime;
      bars.push(...this.closeReady(symbol, state));
    }
    return sortBars(bars);
  }

  /**
   * End of stream: emits every open window (ordered by end time then symbol) and marks them closed, so
   * later trades for those windows are `late`.
   */
  flush(): OhlcvBar[] {
    const bars: OhlcvBar[] = [];
    for (const [symbol, state] of this.states) {
      for (const window of state.windows.values()) bars.push(this.toBar(symbol, window));
      const lastEnd = maxWindowEnd(state.windows.keys(), this.intervalMs);
      if (lastEnd !== undefined && (state.closedThrough === null || lastEnd > state.closedThrough)) {
        state.closedThrough = lastEnd;
      }
      state.windows.clear();
    }
    return sortBars(bars);
  }

  /**
   * Whether `symbol`'s window starting at `startTime` (epoch ms) is still open: it has trades and its
   * bar has not been emitted yet.
   */
  hasOpenWindow(symbol: string, startTime: number): boolean {
    return this.states.get(symbol)?.windows.has(startTime) ?? false;
  }

  /** Number of open (not yet emitted) windows over all symbols. */
  get openWindowCount(): number {
    let count = 0;
    for (const state of this.states.values()) count += state.windows.size;
    return count;
  }

  /** Plain-JSON copy of the full state (deterministic: symbols and windows sorted). */
  snapshot(): BarAggregatorSnapshot {
    const symbols = [...this.states.keys()].sort().map((symbol): SymbolBarStateSnapshot => {
      const state = this.states.get(symbol) as SymbolState;
      const windows = [...state.windows.values()]
        .sort((a, b) => a.startTime - b.startTime)
        .map((w): OpenWindowSnapshot => ({ ...w, notionalMicros: w.notionalMicros.toString() }));
      return { symbol, maxEventTime: state.maxEventTime, closedThrough: state.closedThrough, windows };
    });
    return {
      version: 1,
      intervalMs: this.intervalMs,
      maxOutOfOrdernessMs: this.maxOutOfOrdernessMs,
      allowedLatenessMs: this.allowedLatenessMs,
      symbols,
    };
  }

  /**
   * Rebuilds an aggregator from {@link snapshot} output (e.g. after `JSON.parse`). `options` may change
   * the out-of-orderness and lateness of a restarted service, but not the interval.
   *
   * @throws RangeError on an unknown snapshot version, a different intervalMs, or malformed windows
   */
  static restore(snapshot: BarAggregatorSnapshot, options: BarAggregatorOptions = {}): BarAggregator {
    if (snapshot.version !== 1)
      throw new RangeError(`unsupported BarAggregator snapshot version ${String(snapshot.version)}`);
    if (options.intervalMs !== undefined && options.intervalMs !== snapshot.intervalMs) {
      throw new RangeError(
        `snapshot intervalMs ${snapshot.intervalMs} differs from requested ${options.intervalMs}`,
      );
    }
    const aggregator = new BarAggregator({
      intervalMs: snapshot.intervalMs,
      maxOutOfOrdernessMs: options.maxOutOfOrdernessMs ?? snapshot.maxOutOfOrdernessMs,
      allowedLatenessMs: options.allowedLatenessMs ?? snapshot.allowedLatenessMs,
    });
    for (const s of snapshot.symbols) {
      const windows = new Map<number, OpenWindow>();
      for (const w of s.windows) {
        if (w.startTime % snapshot.intervalMs !== 0 || !/^\d+$/.test(w.notionalMicros)) {
          throw new RangeError(`malformed window in snapshot for ${s.symbol} at ${w.startTime}`);
        }
        windows.set(w.startTime, { ...w, notionalMicros: BigInt(w.notionalMicros) });
      }
      aggregator.states.set(s.symbol, {
        maxEventTime: s.maxEventTime,
        closedThrough: s.closedThrough,
        windows,
      });
    }
    return aggregator;
  }

  private stateOf(symbol: string): SymbolState {
    let state = this.states.get(symbol);
    if (state === undefined) {
      state = { maxEventTime: null, closedThrough: null, windows: new Map() };
      this.states.set(symbol, state);
    }
    return state;
  }

  private isClosed(state: SymbolState, endTime: number): boolean {
    if (state.closedThrough !== null && endTime <= state.closedThrough) return true;
    return (
      state.maxEventTime !== null &&
      state.maxEventTime - this.maxOutOfOrdernessMs >= endTime + this.allowedLatenessMs
    );
  }

  private closeReady(symbol: string, state: SymbolState): OhlcvBar[] {
    if (state.maxEventTime === null) return [];
    const watermark = state.maxEventTime - this.maxOutOfOrdernessMs;
    const ready: OpenWindow[] = [];
    for (const window of state.windows.values()) {
      if (watermark >= window.startTime + this.intervalMs + this.allowedLatenessMs) ready.push(window);
    }
    if (ready.length === 0) return [];
    ready.sort((a, b) => a.startTime - b.startTime);
    for (const window of ready) state.windows.delete(window.startTime);
    const lastEnd = (ready[ready.length - 1] as OpenWindow).startTime + this.intervalMs;
    if (state.closedThrough === null || lastEnd > state.closedThrough) state.closedThrough = lastEnd;
    return ready.map((window) => this.toBar(symbol, window));
  }

  private toBar(symbol: string, w: OpenWindow): OhlcvBar {
    return {
      symbol,
      startTime: w.startTime,
      endTime: w.startTime + this.intervalMs,
      open: w.open,
      high: w.high,
      low: w.low,
      close: w.close,
      volume: w.volume,
      // One rounding only: BigInt -> double of the exact notional, then one division.
      vwap: Number(w.notionalMicros) / (w.volume * MICROS_PER_USD),
      tradeCount: w.tradeCount,
    };
  }
}

function validateTrade(trade: TradeInput): void {
  if (typeof trade.symbol !== 'string' || trade.symbol.length === 0) {
    throw new RangeError('trade.symbol must be a non-empty string');
  }
  if (!Number.isFinite(trade.price) || trade.price <= 0) {
    throw new RangeError(`trade.price must be a finite USD amount > 0, got ${trade.price} (${trade.symbol})`);
  }
  if (!Number.isSafeInteger(trade.size) || trade.size <= 0) {
    throw new RangeError(
      `trade.size must be a positive integer number of shares, got ${trade.size} (${trade.symbol})`,
    );
  }
  if (!Number.isFinite(trade.eventTime)) {
    throw new RangeError(`trade.eventTime must be finite epoch ms, got ${trade.eventTime} (${trade.symbol})`);
  }
}

function maxWindowEnd(starts: Iterable<number>, intervalMs: number): number | undefined {
  let max: number | undefined;
  for (const start of starts) if (max === undefined || start > max) max = start;
  return max === undefined ? undefined : max + intervalMs;
}

function sortBars(bars: OhlcvBar[]): OhlcvBar[] {
  return bars.sort(
    (a, b) => a.endTime - b.endTime || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0),
  );
}
