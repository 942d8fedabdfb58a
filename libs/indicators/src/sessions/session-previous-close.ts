import type { PreviousClose, PreviousCloseReference } from '../previous-close';
import { assertTradingDate } from '../trading-date';
import { US_EQUITY_CALENDAR, type UsEquityCalendar } from './us-equity-calendar';

/**
 * A session's official close as the feed delivered it: the `close` of the `market.bars.daily.v1` bar of
 * `tradingDate` (the source's consolidated closing price, unadjusted, USD).
 */
export interface OfficialClose {
  /** `YYYY-MM-DD`, America/New_York. */
  readonly tradingDate: string;
  /** USD, > 0, as traded (not adjusted). */
  readonly close: number;
}

/**
 * Where previous closes may come from besides the feed: `seed` (default) lets the reference daily rows
 * answer while the feed has no newer close (the first session of a symbol); `none` takes previous closes
 * from the feed only (the reference still supplies corporate actions and the symbol universe).
 */
export type ReferenceCloses = 'seed' | 'none';

/** The previous close of a session with its provenance and freshness. */
export interface SessionPreviousClose extends PreviousClose {
  /** `feed`: the official close the pipeline recorded; `reference`: the reference rows (seed). */
  readonly origin: 'feed' | 'reference';
  /**
   * True when `previousCloseDate` is older than the session before `tradingDate` (the symbol did not
   * trade or its close is missing, a gap of sessions): threshold alerts are suppressed then.
   */
  readonly stale: boolean;
}

/**
 * True when a close of `previousCloseDate` is not the close of the session right before `tradingDate`.
 * Uses the exchange calendar; outside its range it falls back to `fallbackGap` (the reference rows' own
 * gap flag) rather than throwing, so an old replay beyond the calendar still flows.
 *
 * @param previousCloseDate, tradingDate `YYYY-MM-DD`, America/New_York
 * @throws RangeError if a date is malformed
 */
export function isStaleClose(
  previousCloseDate: string,
  tradingDate: string,
  fallbackGap = false,
  calendar: UsEquityCalendar = US_EQUITY_CALENDAR,
): boolean {
  assertTradingDate(previousCloseDate, 'previousCloseDate');
  assertTradingDate(tradingDate, 'tradingDate');
  if (tradingDate <= calendar.firstDate || tradingDate > calendar.lastDate) return fallbackGap;
  try {
    return previousCloseDate < calendar.previousSession(tradingDate);
  } catch (error) {
    // The search for the previous session left the calendar (the first days of its range).
    if (error instanceof RangeError) return fallbackGap;
    throw error;
  }
}

/**
 * The previous close of `symbol` for the session of `tradingDate`: the latest close dated before
 * `tradingDate`, taken from the feed's official close when it is at least as recent as the reference
 * row (so the reference only seeds a symbol's first session; with `referenceCloses` = `none` it is
 * never asked for a close), adjusted for the corporate actions of `reference` going ex after it
 * ({@link PreviousCloseReference.adjustClose}), and flagged `stale` when older than the previous session.
 *
 * @param official the symbol's latest recorded official close (any date; used only if before `tradingDate`)
 * @param reference reference rows of the symbol (closes for the seed, corporate actions); may be undefined
 * @returns undefined when neither source has a close before `tradingDate`
 * @throws RangeError if `tradingDate` is malformed
 */
export function resolveSessionPreviousClose(
  symbol: string,
  tradingDate: string,
  official: OfficialClose | undefined,
  reference: PreviousCloseReference | undefined,
  referenceCloses: ReferenceCloses = 'seed',
  calendar: UsEquityCalendar = US_EQUITY_CALENDAR,
): SessionPreviousClose | undefined {
  const feed = official !== undefined && official.tradingDate < tradingDate ? official : undefined;
  const seeded = referenceCloses === 'seed' ? reference?.previousClose(symbol, tradingDate) : undefined;
  let resolved: PreviousClose;
  let origin: SessionPreviousClose['origin'];
  if (feed !== undefined && (seeded === undefined || feed.tradingDate >= seeded.previousCloseDate)) {
    origin = 'feed';
    resolved =
      reference?.adjustClose(symbol, feed.close, feed.tradingDate, tradingDate) ??
      unadjustedClose(symbol, feed, tradingDate);
  } else if (seeded !== undefined) {
    origin = 'reference';
    resolved = seeded;
  } else {
    return undefined;
  }
  return { ...resolved, origin, stale: isStaleClose(resolved.previousCloseDate, tradingDate, resolved.gap, calendar) };
}

/** A feed close used as it is (no reference data: no corporate actions known). */
function unadjustedClose(symbol: string, feed: OfficialClose, tradingDate: string): PreviousClose {
  return {
    symbol,
    sourceSymbol: symbol,
    tradingDate,
    previousClose: feed.close,
    previousCloseDate: feed.tradingDate,
    unadjustedPreviousClose: feed.close,
    splitCoefficient: 1,
    distribution: 0,
    corporateAction: 'none',
    approximate: false,
    gap: false,
    missingTradingDates: 0,
  };
}
