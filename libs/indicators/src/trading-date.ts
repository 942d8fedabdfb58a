/**
 * US equity trading dates: the exchange-local calendar date (America/New_York) of an instant.
 * Uses the platform's IANA time-zone database through `Intl` (full ICU ships with Node 20), so the
 * EST/EDT switch follows the official rules without a hand-kept offset table.
 */

/** Time zone of the US equity exchanges (NYSE, Nasdaq). */
export const EXCHANGE_TIME_ZONE = 'America/New_York';

const TRADING_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const newYorkDateFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: EXCHANGE_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

const HOUR_MS = 3_600_000;
/** Entries of the per-hour cache before it is cleared (a replay touches a few hours a day; 4,096 hours ≈ 170 days). */
const HOUR_CACHE_LIMIT = 4_096;
/**
 * Trading date per UTC hour (epoch ms / 1 h). America/New_York has been a whole number of hours from
 * UTC since 1883 and switches EST/EDT at 02:00 local, a whole UTC hour, so its date never changes
 * inside a UTC hour: one Intl call per hour instead of one per event (formatToParts was ~4% of the
 * enricher's CPU in `npm run bench`).
 */
const dateOfHour = new Map<number, string>();

/**
 * The America/New_York calendar date of an instant, as `YYYY-MM-DD`.
 *
 * @param eventTime epoch milliseconds UTC
 * @returns e.g. `2012-06-21` for 1340285400000 (2012-06-21T13:30:00Z = 09:30 EDT); note that
 *   2012-06-22T03:00:00Z is still `2012-06-21` in New York.
 * @throws RangeError if `eventTime` is not a finite number
 */
export function tradingDateOf(eventTime: number): string {
  if (!Number.isFinite(eventTime)) {
    throw new RangeError(`eventTime must be finite epoch ms, got ${eventTime}`);
  }
  const hour = Math.floor(eventTime / HOUR_MS);
  const cached = dateOfHour.get(hour);
  if (cached !== undefined) return cached;
  const date = newYorkDate(eventTime);
  // Only from 1970 on: local mean time before 1883 was not a whole number of hours from UTC.
  if (eventTime >= 0) {
    if (dateOfHour.size >= HOUR_CACHE_LIMIT) dateOfHour.clear();
    dateOfHour.set(hour, date);
  }
  return date;
}

function newYorkDate(eventTime: number): string {
  // formatToParts rather than format(): the locale's field order and separators are not a contract.
  let year = '';
  let month = '';
  let day = '';
  for (const part of newYorkDateFormat.formatToParts(eventTime)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year}-${month}-${day}`;
}

/**
 * Checks that `date` is a `YYYY-MM-DD` string naming a real calendar date.
 * @throws RangeError otherwise
 */
export function assertTradingDate(date: string, what = 'date'): void {
  if (typeof date !== 'string' || !TRADING_DATE_PATTERN.test(date)) {
    throw new RangeError(`${what} must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new RangeError(`${what} is not a calendar date: ${date}`);
  }
}
