import { BarAggregator, ONE_MINUTE_MS } from './bar-aggregator';
import type { OhlcvBar } from './market-types';

/**
 * One trade kept to restate its bar: the source's trade id (Alpaca `i`), price USD, size shares,
 * event time epoch ms UTC.
 */
export interface LedgerTrade {
  readonly tradeId: string;
  readonly price: number;
  readonly size: number;
  readonly eventTime: number;
}

/** Options of a {@link TradeLedger}. */
export interface TradeLedgerOptions {
  /** Bar length, as the BarAggregator's. Default 60,000 (1 minute). */
  readonly intervalMs?: number;
  /**
   * How long a closed window's trades are kept after its end, measured against the latest trade time
   * of the symbol, ms. A correction or cancel of an older trade cannot restate its bar. Default
   * 30 minutes (Alpaca sends corrections and cancels within seconds to minutes of the print).
   */
  readonly retainMs?: number;
  /** Upper bound of kept trades per symbol (oldest windows go first beyond it). Default 5,000. */
  readonly maxTrades?: number;
}

/** Plain-JSON state of one {@link TradeLedger} window. */
export interface LedgerWindowSnapshot {
  readonly startTime: number;
  /** Trades in arrival order as `[tradeId, price, size, eventTime]` (compact: the changelog carries it). */
  readonly trades: readonly (readonly [string, number, number, number])[];
  /** Restatements published so far for this window's bar (0: none). */
  readonly revision: number;
  /** True when a trade without a trade id fell in the window: its bar cannot be recomputed. */
  readonly incomplete: boolean;
  /** True when an amendment changed the window (its bar, when it closes, comes from the ledger). */
  readonly amended: boolean;
}

/** Plain-JSON state of a {@link TradeLedger}. */
export interface TradeLedgerSnapshot {
  readonly version: 1;
  readonly windows: readonly LedgerWindowSnapshot[];
}

/** What {@link TradeLedger.amend} did. */
export type LedgerAmendment =
  /** The trade is not (or no longer) in the ledger: unknown id, older than the retention, or its window is incomplete. */
  | { readonly outcome: 'not-found' }
  /** The window's bar without (or with the corrected) trade; `bar` undefined when no trade is left. */
  | { readonly outcome: 'amended'; readonly startTime: number; readonly bar: OhlcvBar | undefined };

interface LedgerWindow {
  readonly startTime: number;
  trades: LedgerTrade[];
  revision: number;
  incomplete: boolean;
  amended: boolean;
}

/**
 * The trades of a symbol's recent 1-minute windows, kept so that a correction or cancel of one of
 * them can restate its bar exactly: the bar is recomputed from the remaining (or corrected) trades
 * with the BarAggregator's own arithmetic (open/close by event time, ties in arrival order; VWAP from
 * exact micro-dollar notionals), so an unamended window recomputes to the very bar the aggregator
 * emitted. Only trades that carry a source trade id are kept (corrections and cancels name trades by
 * id, Alpaca `oi` / `i`); a window that also received a trade without an id is `incomplete` and is
 * never restated. Bounded by {@link TradeLedgerOptions.retainMs} and {@link TradeLedgerOptions.maxTrades}.
 * Plain data: {@link snapshot} / {@link TradeLedger.restore}.
 */
export class TradeLedger {
  readonly intervalMs: number;
  readonly retainMs: number;
  readonly maxTrades: number;
  /** Windows by start time, in ascending order of start (insertion keeps it: trades arrive in event-time order, mostly). */
  private readonly windows = new Map<number, LedgerWindow>();
  private tradeCount = 0;

  /** @throws RangeError when an option is not a positive integer (retainMs may be 0) */
  constructor(options: TradeLedgerOptions = {}) {
    this.intervalMs = options.intervalMs ?? ONE_MINUTE_MS;
    this.retainMs = options.retainMs ?? 30 * 60_000;
    this.maxTrades = options.maxTrades ?? 5_000;
    if (!Number.isSafeInteger(this.intervalMs) || this.intervalMs <= 0) throw new RangeError(`intervalMs must be a positive integer, got ${this.intervalMs}`);
    if (!Number.isSafeInteger(this.retainMs) || this.retainMs < 0) throw new RangeError(`retainMs must be a non-negative integer, got ${this.retainMs}`);
    if (!Number.isSafeInteger(this.maxTrades) || this.maxTrades <= 0) throw new RangeError(`maxTrades must be a positive integer, got ${this.maxTrades}`);
  }

  /** Restores a ledger from {@link snapshot} (options as the constructor's). */
  static restore(snapshot: TradeLedgerSnapshot, options: TradeLedgerOptions = {}): TradeLedger {
    if (snapshot.version !== 1) throw new RangeError(`unknown trade ledger snapshot version ${String(snapshot.version)}`);
    const ledger = new TradeLedger(options);
    for (const w of snapshot.windows) {
      const trades = w.trades.map(([tradeId, price, size, eventTime]) => ({ tradeId, price, size, eventTime }));
      ledger.windows.set(w.startTime, { startTime: w.startTime, trades, revision: w.revision, incomplete: w.incomplete, amended: w.amended });
      ledger.tradeCount += trades.length;
    }
    return ledger;
  }

  /** Number of trades kept. */
  get size(): number {
    return this.tradeCount;
  }

  /**
   * Records an aggregated trade of `symbol`'s window. A trade without `tradeId` is not kept, but marks
   * an existing window incomplete (a window of only id-less trades, e.g. LOBSTER's, costs nothing).
   * Evicts windows older than the retention relative to this trade's time, then beyond `maxTrades`.
   * @param trade price USD, size shares, eventTime epoch ms UTC; tradeId the source's id or undefined
   */
  add(trade: { tradeId?: string; price: number; size: number; eventTime: number }): void {
    const startTime = Math.floor(trade.eventTime / this.intervalMs) * this.intervalMs;
    let window = this.windows.get(startTime);
    if (trade.tradeId === undefined) {
      if (window) window.incomplete = true;
      return;
    }
    if (!window) {
      window = { startTime, trades: [], revision: 0, incomplete: false, amended: false };
      this.windows.set(startTime, window);
    }
    window.trades.push({ tradeId: trade.tradeId, price: trade.price, size: trade.size, eventTime: trade.eventTime });
    this.tradeCount++;
    this.evict(trade.eventTime);
  }

  /**
   * Applies a correction (`replacement` given: the trade's id, price and size are replaced in place,
   * its time and position kept) or a cancel (`replacement` null: the trade is removed) to the kept
   * trade `tradeId`, and returns the window's bar recomputed, marking the window amended.
   * @param replacement corrected trade id, price USD and size shares, or null to remove the trade
   */
  amend(tradeId: string, replacement: { tradeId: string; price: number; size: number } | null, symbol: string): LedgerAmendment {
    for (const window of this.windows.values()) {
      const index = window.trades.findIndex((trade) => trade.tradeId === tradeId);
      if (index < 0) continue;
      if (window.incomplete) return { outcome: 'not-found' };
      const original = window.trades[index] as LedgerTrade;
      if (replacement === null) {
        window.trades.splice(index, 1);
        this.tradeCount--;
      } else {
        window.trades[index] = { ...replacement, eventTime: original.eventTime };
      }
      window.amended = true;
      return { outcome: 'amended', startTime: window.startTime, bar: this.barOf(symbol, window.startTime) };
    }
    return { outcome: 'not-found' };
  }

  /** The bar of an amended, complete window (for a bar closing after its amendment), else undefined. */
  amendedBarOf(symbol: string, startTime: number): { bar: OhlcvBar | undefined } | undefined {
    const window = this.windows.get(startTime);
    if (!window || !window.amended || window.incomplete) return undefined;
    return { bar: this.barOf(symbol, startTime) };
  }

  /** Increments and returns the revision of the window's published bar (1 for its first restatement). */
  nextRevision(startTime: number): number {
    const window = this.windows.get(startTime);
    if (!window) throw new RangeError(`no window at ${startTime}`);
    return ++window.revision;
  }

  /**
   * The bar of a window recomputed from its kept trades with the BarAggregator's arithmetic, or
   * undefined when it has none.
   */
  barOf(symbol: string, startTime: number): OhlcvBar | undefined {
    const window = this.windows.get(startTime);
    if (!window || window.trades.length === 0) return undefined;
    const aggregator = new BarAggregator({ intervalMs: this.intervalMs });
    for (const trade of window.trades) aggregator.add({ symbol, price: trade.price, size: trade.size, eventTime: trade.eventTime });
    return aggregator.flush()[0];
  }

  /** Plain-JSON state (see {@link TradeLedgerSnapshot}). */
  snapshot(): TradeLedgerSnapshot {
    return {
      version: 1,
      windows: [...this.windows.values()].map((w) => ({
        startTime: w.startTime,
        trades: w.trades.map((t) => [t.tradeId, t.price, t.size, t.eventTime] as const),
        revision: w.revision,
        incomplete: w.incomplete,
        amended: w.amended,
      })),
    };
  }

  private evict(now: number): void {
    for (const [startTime, window] of this.windows) {
      const tooOld = startTime + this.intervalMs + this.retainMs < now;
      if (!tooOld && this.tradeCount <= this.maxTrades) break;
      this.windows.delete(startTime);
      this.tradeCount -= window.trades.length;
    }
  }
}
