import { assertTradingDate, EXCHANGE_TIME_ZONE } from '../trading-date';
import xnysCalendar from './xnys-calendar.json';

/**
 * The published calendar data a {@link UsEquityCalendar} is built from: weekdays without a session and
 * sessions with other hours than the regular ones, all times local (America/New_York).
 */
export interface ExchangeCalendarData {
  /** Where the data comes from, e.g. `exchange_calendars 4.13.2 XNYS`. */
  readonly source: string;
  readonly timeZone: string;
  /** First and last date (`YYYY-MM-DD`) the data covers, inclusive. */
  readonly firstDate: string;
  readonly lastDate: string;
  /** Regular session hours, `HH:MM` local. */
  readonly regularOpen: string;
  readonly regularClose: string;
  /** Monday-to-Friday dates without a session (holidays, special closures), ascending. */
  readonly closedWeekdays: readonly string[];
  /** Sessions whose open or close differs from the regular hours (early closes at 13:00, late opens). */
  readonly irregularSessions: readonly { readonly date: string; readonly open: string; readonly close: string }[];
}

/** One regular trading session of the US equity market. */
export interface TradingSession {
  /** `YYYY-MM-DD`, America/New_York. */
  readonly tradingDate: string;
  /** Opening and closing instants, epoch ms UTC. */
  readonly openTime: number;
  readonly closeTime: number;
  /** True when the session closes before 16:00 local (13:00 on the day after Thanksgiving, Christmas Eve, ...). */
  readonly earlyClose: boolean;
}

const DAY_MS = 86_400_000;

/**
 * The XNYS calendar data {@link UsEquityCalendar} uses by default (exchange_calendars' XNYS, 1990-2030,
 * local times America/New_York), for consumers that evaluate sessions elsewhere (the gateway's live page
 * in the browser).
 */
export const XNYS_CALENDAR_DATA: ExchangeCalendarData = xnysCalendar;

/**
 * The regular sessions of the US equity market (NYSE; Nasdaq observes the same holidays and early closes):
 * which dates trade, when each session opens and closes, and the session before or after a date.
 *
 * Source of the data: the `exchange_calendars` Python package's XNYS calendar
 * (https://github.com/gerrymanoim/exchange_calendars, maintained successor of Quantopian's
 * trading_calendars, used by zipline-reloaded), which encodes the NYSE's published holiday rules,
 * its special closures (9/11 2001, Hurricane Sandy 2012-10-29/30, the national days of mourning) and its
 * 13:00 early closes. `tools/trading-calendar/generate-xnys-calendar.py` writes `xnys-calendar.json`
 * from it (1990-2030; rerun it when the NYSE announces a change). No npm package was found that holds the
 * same: `nyse-holidays` computes the regular holidays by rule but has no early closes and no special
 * closures (2012-10-29 would be a session), `trading-calendar` covers 2021-2022 only and no early closes.
 *
 * Dates outside the covered range throw, rather than guessing: a live feed that outruns its calendar
 * must be noticed (regenerate the data) instead of silently rolling sessions on a wrong day.
 */
export class UsEquityCalendar {
  readonly source: string;
  readonly firstDate: string;
  readonly lastDate: string;
  private readonly closed: ReadonlySet<string>;
  private readonly irregular: ReadonlyMap<string, { open: string; close: string }>;
  private readonly regularOpen: string;
  private readonly regularClose: string;
  private readonly sessionCache = new Map<string, TradingSession | null>();

  /** @throws RangeError if the data is not of America/New_York or holds a malformed date */
  constructor(data: ExchangeCalendarData = XNYS_CALENDAR_DATA) {
    if (data.timeZone !== EXCHANGE_TIME_ZONE) {
      throw new RangeError(`calendar data must be of ${EXCHANGE_TIME_ZONE}, got ${data.timeZone}`);
    }
    assertTradingDate(data.firstDate, 'calendar firstDate');
    assertTradingDate(data.lastDate, 'calendar lastDate');
    for (const date of data.closedWeekdays) assertTradingDate(date, 'calendar closed date');
    for (const session of data.irregularSessions) assertTradingDate(session.date, 'calendar irregular session');
    this.source = data.source;
    this.firstDate = data.firstDate;
    this.lastDate = data.lastDate;
    this.closed = new Set(data.closedWeekdays);
    this.irregular = new Map(data.irregularSessions.map((s) => [s.date, { open: s.open, close: s.close }]));
    this.regularOpen = data.regularOpen;
    this.regularClose = data.regularClose;
  }

  /**
   * True when `tradingDate` has a regular session (a weekday that is not a holiday or special closure).
   * @param tradingDate `YYYY-MM-DD`, America/New_York
   * @throws RangeError if malformed or outside [firstDate, lastDate]
   */
  isSession(tradingDate: string): boolean {
    this.assertCovered(tradingDate);
    const weekday = new Date(`${tradingDate}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6 && !this.closed.has(tradingDate);
  }

  /**
   * The session of `tradingDate`, or undefined when the market is closed that day.
   * @throws RangeError if malformed or outside [firstDate, lastDate]
   */
  sessionOf(tradingDate: string): TradingSession | undefined {
    const cached = this.sessionCache.get(tradingDate);
    if (cached !== undefined) return cached ?? undefined;
    let session: TradingSession | null = null;
    if (this.isSession(tradingDate)) {
      const hours = this.irregular.get(tradingDate) ?? { open: this.regularOpen, close: this.regularClose };
      session = {
        tradingDate,
        openTime: newYorkEpochMs(tradingDate, hours.open),
        closeTime: newYorkEpochMs(tradingDate, hours.close),
        earlyClose: hours.close < this.regularClose,
      };
    }
    if (this.sessionCache.size >= 20_000) this.sessionCache.clear();
    this.sessionCache.set(tradingDate, session);
    return session ?? undefined;
  }

  /**
   * The latest session strictly before `tradingDate` (which need not be a session itself): the session
   * whose close is the previous close of `tradingDate`.
   * @throws RangeError if malformed, or if the search leaves the covered range
   */
  previousSession(tradingDate: string): string {
    let date = addDays(tradingDate, -1);
    while (!this.isSession(date)) date = addDays(date, -1);
    return date;
  }

  /**
   * The earliest session strictly after `tradingDate`.
   * @throws RangeError if malformed, or if the search leaves the covered range
   */
  nextSession(tradingDate: string): string {
    let date = addDays(tradingDate, 1);
    while (!this.isSession(date)) date = addDays(date, 1);
    return date;
  }

  /**
   * Number of sessions strictly between two dates (`from` < `to`; 0 if `to` <= the next session).
   * @throws RangeError if malformed or outside the covered range
   */
  sessionsBetween(from: string, to: string): number {
    let count = 0;
    for (let date = addDays(from, 1); date < to; date = addDays(date, 1)) if (this.isSession(date)) count++;
    return count;
  }

  private assertCovered(tradingDate: string): void {
    assertTradingDate(tradingDate, 'tradingDate');
    if (tradingDate < this.firstDate || tradingDate > this.lastDate) {
      throw new RangeError(
        `${tradingDate} is outside the trading calendar (${this.source}: ${this.firstDate}..${this.lastDate}); regenerate it with tools/trading-calendar`,
      );
    }
  }
}

/** The calendar of the packaged XNYS data, shared (it is immutable apart from its cache). */
export const US_EQUITY_CALENDAR = new UsEquityCalendar();

/** `YYYY-MM-DD` plus `days` calendar days. */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

const NEW_YORK_PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: EXCHANGE_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** Epoch ms UTC of local time `hhmm` (America/New_York) on `date`; never called at the 02:00 DST switch. */
function newYorkEpochMs(date: string, hhmm: string): number {
  const guess = Date.parse(`${date}T${hhmm}:00Z`);
  // New York is 4 or 5 hours behind UTC: read the local wall time of guess + 5 h and correct by the difference.
  const probe = guess + 5 * 3_600_000;
  const parts = Object.fromEntries(NEW_YORK_PARTS.formatToParts(probe).map((p) => [p.type, p.value]));
  const localAsUtc = Date.UTC(
    Number(parts['year']),
    Number(parts['month']) - 1,
    Number(parts['day']),
    Number(parts['hour']),
    Number(parts['minute']),
  );
  return guess - (localAsUtc - probe);
}
