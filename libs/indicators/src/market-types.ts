/**
 * Minimal structural input and output shapes of the indicator logic.
 *
 * They are structural on purpose: any object with these fields works, so the enricher can pass the
 * payloads of `@tickwire/contracts` events (which use the same standard field names) without a mapping
 * layer, and these pure functions stay independent of schema versions.
 *
 * Units (house rules): prices in USD decimal, sizes and volumes in shares, times in epoch ms UTC,
 * trading dates as `YYYY-MM-DD` in America/New_York.
 */

/** One execution (trade) as the indicators need it. */
export interface TradeInput {
  /** Ticker symbol, e.g. `AAPL`. */
  readonly symbol: string;
  /** Execution price, USD decimal, > 0. */
  readonly price: number;
  /** Executed quantity, shares, positive integer. */
  readonly size: number;
  /** Execution time, epoch milliseconds UTC. */
  readonly eventTime: number;
}

/** An OHLCV bar with VWAP and trade count over the half-open interval [startTime, endTime). */
export interface OhlcvBar {
  readonly symbol: string;
  /** Inclusive window start, epoch ms UTC, a multiple of the bar interval. */
  readonly startTime: number;
  /** Exclusive window end, epoch ms UTC (`startTime + intervalMs`). */
  readonly endTime: number;
  /** Price of the trade with the earliest event time in the window, USD. */
  readonly open: number;
  /** Highest trade price, USD. */
  readonly high: number;
  /** Lowest trade price, USD. */
  readonly low: number;
  /** Price of the trade with the latest event time in the window, USD. */
  readonly close: number;
  /** Sum of trade sizes, shares. */
  readonly volume: number;
  /** Volume-weighted average price sum(price * size) / sum(size), USD. */
  readonly vwap: number;
  /** Number of trades in the window. */
  readonly tradeCount: number;
}

/**
 * One row of daily reference data (end-of-day bar plus the corporate actions effective on that date).
 * Field names are the camel-case forms of the daily CSV columns in `data/market/daily/`.
 */
export interface DailyBarRow {
  readonly symbol: string;
  /** US trading date `YYYY-MM-DD` (exchange local date, America/New_York). */
  readonly date: string;
  /** Official close as traded (NOT adjusted for later splits or dividends), USD. */
  readonly close: number;
  /** Cash (or cash-valued) distribution per share going ex on `date`, USD; 0 or absent if none. */
  readonly dividendAmount?: number;
  /** New shares per old share for a split going ex on `date` (4 = 4-for-1, 0.25 = 1-for-4); 1 or absent if none. */
  readonly splitCoefficient?: number;
}
