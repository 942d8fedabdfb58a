/**
 * Time conversions shared by producers and the envelope validation. All pure (no clock reads).
 */

const NS_PER_MS = 1_000_000n;

/**
 * Epoch nanoseconds (decimal string) to epoch milliseconds, rounded half up, which matches the
 * LOBSTER recipe `epoch_ms = midnight_ms + round(time * 1000)` in /work/shared/data/market/README.md.
 * @param eventTimeNs non-negative decimal integer string, e.g. `"1340285400275016159"`.
 * @returns integer epoch ms, e.g. 1340285400275.
 * @throws SyntaxError if the string is not a non-negative decimal integer.
 */
export function epochNsToEpochMs(eventTimeNs: string): number {
  if (!/^[0-9]+$/.test(eventTimeNs)) throw new SyntaxError(`not a decimal epoch-ns string: ${eventTimeNs}`);
  const ns = BigInt(eventTimeNs);
  return Number((ns + NS_PER_MS / 2n) / NS_PER_MS);
}

/** True when `eventTime` (ms) is `eventTimeNs` rounded half up to milliseconds. */
export function isConsistentEventTime(eventTime: number, eventTimeNs: string): boolean {
  return epochNsToEpochMs(eventTimeNs) === eventTime;
}

/**
 * Epoch ms of 16:00 America/New_York (the regular-session close of NYSE and Nasdaq) on `tradingDate`,
 * honouring the EST/EDT switch (uses the runtime's IANA time-zone data via `Intl`).
 * This is the `eventTime` of a daily bar. Early-close days (13:00) are not modelled: the daily bar
 * source (AlphaVantage) does not flag them, and a fixed time keeps the id and ordering deterministic.
 * @param tradingDate `YYYY-MM-DD`, e.g. `2012-06-20` -> 1340222400000 (20:00Z, EDT).
 * @throws RangeError if `tradingDate` is not `YYYY-MM-DD`.
 */
export function sessionCloseEpochMs(tradingDate: string): number {
  // Memoised: a daily replay asks for the same few hundred dates ~500 times each, and the time-zone
  // lookup (Intl) dominates the cost of building a daily bar.
  const cached = SESSION_CLOSE_CACHE.get(tradingDate);
  if (cached !== undefined) return cached;
  const close = computeSessionCloseEpochMs(tradingDate);
  if (SESSION_CLOSE_CACHE.size >= SESSION_CLOSE_CACHE_LIMIT) SESSION_CLOSE_CACHE.clear();
  SESSION_CLOSE_CACHE.set(tradingDate, close);
  return close;
}

/** About 40 years of trading dates; the cache is cleared when full, so memory stays bounded. */
const SESSION_CLOSE_CACHE_LIMIT = 10_000;
const SESSION_CLOSE_CACHE = new Map<string, number>();

function computeSessionCloseEpochMs(tradingDate: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(tradingDate);
  if (!match) throw new RangeError(`tradingDate must be YYYY-MM-DD, got ${tradingDate}`);
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const utcGuess = Date.UTC(y, m - 1, d, 16, 0, 0);
  // New York is UTC-5 (EST) or UTC-4 (EDT); at 16:00 local the offset is never mid-transition (02:00).
  return utcGuess - newYorkOffsetMs(utcGuess + 5 * 3_600_000);
}

const NEW_YORK_PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Offset of America/New_York from UTC at instant `epochMs`, in ms (negative: -4 h or -5 h). */
function newYorkOffsetMs(epochMs: number): number {
  const parts = Object.fromEntries(NEW_YORK_PARTS.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts['year']), Number(parts['month']) - 1, Number(parts['day']), Number(parts['hour']), Number(parts['minute']), Number(parts['second']));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}
