import type { DailyBarRow } from './market-types';
import { assertTradingDate, tradingDateOf } from './trading-date';

/**
 * A ticker whose history before a date lives under another symbol in the daily data.
 * Applies to trading dates `< before`.
 */
export interface SymbolAlias {
  /** Symbol as it appears on the tick stream, e.g. `GOOG`. */
  readonly symbol: string;
  /** Symbol whose daily history to use, e.g. `GOOGL`. */
  readonly sourceSymbol: string;
  /** First trading date (exclusive bound, `YYYY-MM-DD`) on which `symbol` is itself again. */
  readonly before: string;
  /** Why, for the record. */
  readonly reason: string;
}

/**
 * Known aliases. Until 2014-04-02 `GOOG` was Google's only listed class (today's class A, `GOOGL`);
 * on 2014-04-03 the class A shares moved to `GOOGL` and the new class C shares took `GOOG`. Daily data
 * keeps the pre-2014 history under GOOGL (data/market/README.md, caveats).
 */
export const DEFAULT_SYMBOL_ALIASES: readonly SymbolAlias[] = [
  {
    symbol: 'GOOG',
    sourceSymbol: 'GOOGL',
    before: '2014-04-03',
    reason: 'Google class A traded as GOOG until 2014-04-02; its history is under GOOGL',
  },
];

/** A corporate action going ex on `tradingDate`, e.g. a row of the splits list; fields override the daily row's. */
export interface CorporateAction {
  readonly symbol: string;
  /** Ex-date `YYYY-MM-DD` (America/New_York). */
  readonly tradingDate: string;
  /** New shares per old share (4 = 4-for-1); 1 or absent if none. */
  readonly splitCoefficient?: number;
  /** Cash (or cash-valued) distribution per share, USD; 0 or absent if none. */
  readonly dividendAmount?: number;
}

/** How the previous close was adjusted for the trading date's corporate actions. */
export type CorporateActionKind = 'none' | 'split' | 'distribution' | 'split-and-distribution' | 'spin-off';

/** The reference price of one symbol on one trading date. */
export interface PreviousClose {
  /** Symbol asked for. */
  readonly symbol: string;
  /** Symbol whose daily history supplied the close (differs for aliases, e.g. GOOGL for 2012 GOOG). */
  readonly sourceSymbol: string;
  /** Trading date the reference applies to, `YYYY-MM-DD` (America/New_York). */
  readonly tradingDate: string;
  /** Adjusted reference price, USD: (unadjustedPreviousClose - distribution) / splitCoefficient. */
  readonly previousClose: number;
  /** Date of the daily row that supplied the close, `YYYY-MM-DD`. */
  readonly previousCloseDate: string;
  /** That row's close as traded, USD. */
  readonly unadjustedPreviousClose: number;
  /** Split coefficient applied (1 if none); float noise snapped, e.g. 7.00000700001 -> 7. */
  readonly splitCoefficient: number;
  /** Cash distribution deducted, USD per old share (0 if none). */
  readonly distribution: number;
  readonly corporateAction: CorporateActionKind;
  /**
   * True when the adjustment rests on a vendor coefficient that is not a split ratio (spin-offs coded as
   * fractional "splits", e.g. RTX 2020-04-03 1.589): the distributed shares' market value is unknown,
   * so the reference may be off by several percent. Alerting on change percent must be suppressed then.
   */
  readonly approximate: boolean;
  /** True if trading dates of the calendar lie between previousCloseDate and tradingDate (stale close). */
  readonly gap: boolean;
  /** Number of calendar trading dates strictly between previousCloseDate and tradingDate. */
  readonly missingTradingDates: number;
}

/** Configuration of a {@link PreviousCloseReference}. */
export interface PreviousCloseOptions {
  /** Ex-date corporate actions in addition to (and overriding) those on the daily rows. */
  readonly corporateActions?: Iterable<CorporateAction>;
  /** Symbol aliases; default {@link DEFAULT_SYMBOL_ALIASES}. */
  readonly aliases?: readonly SymbolAlias[];
  /**
   * Extra trading dates for gap detection. The calendar is always the union of every date present in
   * the rows (any symbol), which is the exchange calendar when the rows cover several liquid symbols.
   */
  readonly tradingDates?: Iterable<string>;
  /**
   * Deduct cash distributions on their ex-date (default true), as the exchanges' adjusted previous
   * close does; without it the GOOGL 2014-04-03 class C distribution (567.9717 "dividend") or NLOK's
   * 2020-02-03 $12 special dividend read as -50% / -40% moves.
   */
  readonly deductDistributions?: boolean;
}

/**
 * Relative tolerance for recognising a split ratio in vendor float noise (7.00000700001, 1.49999925,
 * 3.000003, 1.0499999475 are 7, 3/2, 3, 21/20; the noise seen in the daily data is <= 1e-6 relative).
 * Tight enough that GNRC 2010-02-12's 0.303582270795 is not mistaken for 17/56 (3.6e-5 away).
 */
export const SPLIT_RATIO_TOLERANCE = 1e-5;
/** Largest denominator of a recognised split ratio (covers 21-for-20 stock dividends and 1-for-32 reverse splits). */
export const MAX_SPLIT_RATIO_DENOMINATOR = 20;

/** Result of {@link classifySplitCoefficient}. */
export interface SplitCoefficientClass {
  /** Coefficient to apply: the exact ratio when recognised, else the raw value. 1 means no split. */
  readonly value: number;
  /** True if the value is a ratio p/q or q/p with q <= MAX_SPLIT_RATIO_DENOMINATOR (a real split or stock dividend). */
  readonly isSplitRatio: boolean;
}

/**
 * Classifies a vendor split coefficient: snaps float noise to the exact ratio (7.00000700001 -> 7,
 * 1.33333333333 -> 4/3, 0.03125 -> 1/32) and recognises non-ratio values (1.589, 1.195, 1.054), which the
 * daily data uses for spin-offs.
 *
 * @param coefficient new shares per old share, > 0
 * @throws RangeError if not finite and > 0
 */
export function classifySplitCoefficient(coefficient: number): SplitCoefficientClass {
  if (!Number.isFinite(coefficient) || coefficient <= 0) {
    throw new RangeError(`split coefficient must be finite and > 0, got ${coefficient}`);
  }
  if (Math.abs(coefficient - 1) <= SPLIT_RATIO_TOLERANCE) return { value: 1, isSplitRatio: true };
  // Search p/q for the coefficient and for its inverse, so that 1-for-32 (0.03125) is found with q = 1.
  for (const [target, invert] of [
    [coefficient, false],
    [1 / coefficient, true],
  ] as const) {
    for (let q = 1; q <= MAX_SPLIT_RATIO_DENOMINATOR; q++) {
      const p = Math.round(target * q);
      if (p >= 1 && Math.abs(target - p / q) <= SPLIT_RATIO_TOLERANCE * target) {
        return { value: invert ? q / p : p / q, isSplitRatio: true };
      }
    }
  }
  return { value: coefficient, isSplitRatio: false };
}

interface SymbolHistory {
  /** Ascending. */
  readonly dates: string[];
  readonly closes: number[];
}

interface ActionFields {
  splitCoefficient?: number;
  dividendAmount?: number;
}

/**
 * Previous-close reference data built from daily rows.
 *
 * `previousClose(symbol, d)` is the close of the latest row with date < d (so weekends and holidays are
 * skipped), adjusted for the corporate actions going ex on d:
 * `previousClose = (close - distribution) / splitCoefficient`. This is the rule of data/market/README.md
 * ("Previous close") plus the deduction of cash distributions, as exchanges publish an adjusted previous
 * close on ex-dates. Consequences on the real data:
 * - splits: AAPL 2020-08-31 (4.0) 499.23 -> 124.8075; TSLA 2020-08-31 (5.0) 2213.40 -> 442.68;
 * - float-noise coefficients are snapped to the ratio (AAPL 2014-06-09 7.00000700001 -> 7);
 * - GOOGL 2014-04-03 (the class C distribution, coded as a 567.9717 dividend with coefficient 1):
 *   1135.10 - 567.9717 = 567.1283, so its 571.50 close is +0.77%, not -49.7%;
 * - spin-offs coded as fractional splits (RTX 2020-04-03 1.589, FTV 1.195, PFE 1.054) are divided by
 *   the coefficient too, but marked `approximate`: the coefficient is the vendor's estimate of the
 *   distributed value (for RTX, with a 13.28 "dividend" on top, it yields a reference 9% off the market's
 *   ex-distribution price), so change-percent alerts are suppressed on such dates.
 *
 * Gaps: `gap` is true when the calendar (union of all dates in the rows) has trading dates between the
 * close used and d, i.e. the symbol did not trade or its data is missing.
 */
export class PreviousCloseReference {
  private readonly histories = new Map<string, SymbolHistory>();
  private readonly actions = new Map<string, ActionFields>();
  /** Ex-dates of each symbol's actions, ascending. */
  private readonly actionDates = new Map<string, string[]>();
  private readonly calendar: string[];
  private readonly aliases: readonly SymbolAlias[];
  private readonly deductDistributions: boolean;

  /**
   * @param rows daily rows of any symbols, in any order; one row per symbol and date
   * @throws RangeError on a malformed date, a non-positive or non-finite close, or a duplicate symbol/date
   */
  constructor(rows: Iterable<DailyBarRow>, options: PreviousCloseOptions = {}) {
    this.aliases = options.aliases ?? DEFAULT_SYMBOL_ALIASES;
    this.deductDistributions = options.deductDistributions ?? true;
    const bySymbol = new Map<string, { date: string; close: number }[]>();
    const calendar = new Set<string>();
    for (const row of rows) {
      assertTradingDate(row.tradingDate, `${row.symbol} tradingDate`);
      if (!Number.isFinite(row.close) || row.close <= 0) {
        throw new RangeError(
          `${row.symbol} ${row.tradingDate}: close must be finite and > 0, got ${row.close}`,
        );
      }
      let list = bySymbol.get(row.symbol);
      if (list === undefined) bySymbol.set(row.symbol, (list = []));
      list.push({ date: row.tradingDate, close: row.close });
      calendar.add(row.tradingDate);
      this.recordAction(row);
    }
    for (const action of options.corporateActions ?? []) {
      assertTradingDate(action.tradingDate, `${action.symbol} corporate action tradingDate`);
      this.recordAction(action);
    }
    for (const date of options.tradingDates ?? []) {
      assertTradingDate(date, 'trading date');
      calendar.add(date);
    }
    for (const [symbol, list] of bySymbol) {
      list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
      for (let i = 1; i < list.length; i++) {
        if ((list[i] as { date: string }).date === (list[i - 1] as { date: string }).date) {
          throw new RangeError(`${symbol}: duplicate daily row for ${(list[i] as { date: string }).date}`);
        }
      }
      this.histories.set(symbol, { dates: list.map((r) => r.date), closes: list.map((r) => r.close) });
    }
    this.calendar = [...calendar].sort();
    for (const key of this.actions.keys()) {
      const [symbol, date] = key.split('|') as [string, string];
      let dates = this.actionDates.get(symbol);
      if (dates === undefined) this.actionDates.set(symbol, (dates = []));
      dates.push(date);
    }
    for (const dates of this.actionDates.values()) dates.sort();
  }

  /** Symbols with daily history, sorted. */
  symbols(): string[] {
    return [...this.histories.keys()].sort();
  }

  /** The symbol whose history is used for `symbol` on `tradingDate` (after aliasing). */
  sourceSymbolOf(symbol: string, tradingDate: string): string {
    for (const alias of this.aliases) {
      if (alias.symbol === symbol && tradingDate < alias.before) return alias.sourceSymbol;
    }
    return symbol;
  }

  /**
   * Adjusted previous close of `symbol` for `tradingDate`, or undefined when the symbol has no row
   * before that date.
   *
   * @param tradingDate `YYYY-MM-DD`, America/New_York
   * @throws RangeError if `tradingDate` is malformed
   */
  previousClose(symbol: string, tradingDate: string): PreviousClose | undefined {
    assertTradingDate(tradingDate, 'tradingDate');
    const sourceSymbol = this.sourceSymbolOf(symbol, tradingDate);
    const history = this.histories.get(sourceSymbol);
    if (history === undefined) return undefined;
    const index = lowerBound(history.dates, tradingDate) - 1;
    if (index < 0) return undefined;
    return this.adjustClose(symbol, history.closes[index] as number, history.dates[index] as string, tradingDate);
  }

  /**
   * A close of `closeDate` (from the reference rows, or the official close the feed delivered) made the
   * previous close of `tradingDate`: adjusted for every corporate action of this reference going ex on a
   * date in (closeDate, tradingDate], oldest first, each as `(close - distribution) / splitCoefficient`
   * (so a stale close across an ex-date is still on today's share basis). With no gap this is exactly the
   * ex-date rule of {@link previousClose}.
   *
   * @param close unadjusted close, USD, finite and > 0
   * @param closeDate `YYYY-MM-DD` (America/New_York) of `close`, before `tradingDate`
   * @param tradingDate `YYYY-MM-DD`, the date the reference applies to
   * @throws RangeError on a malformed date, `closeDate >= tradingDate`, or a close that is not finite and > 0
   */
  adjustClose(symbol: string, close: number, closeDate: string, tradingDate: string): PreviousClose {
    assertTradingDate(closeDate, 'closeDate');
    assertTradingDate(tradingDate, 'tradingDate');
    if (closeDate >= tradingDate) throw new RangeError(`closeDate ${closeDate} must be before ${tradingDate}`);
    if (!Number.isFinite(close) || close <= 0) throw new RangeError(`close must be finite and > 0, got ${close}`);
    const sourceSymbol = this.sourceSymbolOf(symbol, tradingDate);
    let adjusted = close;
    let splitCoefficient = 1;
    let distribution = 0;
    let ratiosOnly = true;
    let implausible = false;
    const dates = this.actionDates.get(sourceSymbol) ?? [];
    for (let i = upperBound(dates, closeDate); i < dates.length && (dates[i] as string) <= tradingDate; i++) {
      const action = this.actions.get(actionKey(sourceSymbol, dates[i] as string)) as ActionFields;
      const split = classifySplitCoefficient(action.splitCoefficient ?? 1);
      const declared = this.deductDistributions ? (action.dividendAmount ?? 0) : 0;
      // A distribution worth the whole share cannot be deducted; keep the close and flag it instead.
      const deducted = declared >= adjusted ? 0 : declared;
      if (declared > 0 && deducted === 0) implausible = true;
      if (!split.isSplitRatio) ratiosOnly = false;
      adjusted = (adjusted - deducted) / split.value;
      splitCoefficient *= split.value;
      distribution += deducted;
    }
    const hasSplit = splitCoefficient !== 1;
    const corporateAction: CorporateActionKind = !ratiosOnly
      ? 'spin-off'
      : hasSplit && distribution > 0
        ? 'split-and-distribution'
        : hasSplit
          ? 'split'
          : distribution > 0
            ? 'distribution'
            : 'none';
    const missingTradingDates =
      lowerBound(this.calendar, tradingDate) - upperBound(this.calendar, closeDate);
    return {
      symbol,
      sourceSymbol,
      tradingDate,
      previousClose: adjusted,
      previousCloseDate: closeDate,
      unadjustedPreviousClose: close,
      splitCoefficient,
      distribution,
      corporateAction,
      approximate: !ratiosOnly || implausible,
      gap: missingTradingDates > 0,
      missingTradingDates: Math.max(0, missingTradingDates),
    };
  }

  /**
   * {@link previousClose} for the America/New_York trading date of an event time.
   * @param eventTime epoch ms UTC
   */
  previousCloseAt(symbol: string, eventTime: number): PreviousClose | undefined {
    return this.previousClose(symbol, tradingDateOf(eventTime));
  }

  private recordAction(source: ActionFields & { symbol: string; tradingDate: string }): void {
    const split = source.splitCoefficient;
    const dividend = source.dividendAmount;
    if (split !== undefined && (!Number.isFinite(split) || split <= 0)) {
      throw new RangeError(
        `${source.symbol} ${source.tradingDate}: split coefficient must be finite and > 0, got ${split}`,
      );
    }
    if (dividend !== undefined && (!Number.isFinite(dividend) || dividend < 0)) {
      throw new RangeError(
        `${source.symbol} ${source.tradingDate}: dividend must be finite and >= 0, got ${dividend}`,
      );
    }
    const hasSplit = split !== undefined && split !== 1;
    const hasDividend = dividend !== undefined && dividend > 0;
    if (!hasSplit && !hasDividend) return;
    const key = actionKey(source.symbol, source.tradingDate);
    const fields = this.actions.get(key) ?? {};
    if (hasSplit) fields.splitCoefficient = split;
    if (hasDividend) fields.dividendAmount = dividend;
    this.actions.set(key, fields);
  }
}

function actionKey(symbol: string, date: string): string {
  return `${symbol}|${date}`;
}

/** First index whose value is >= key (array ascending). */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > key (array ascending). */
function upperBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
