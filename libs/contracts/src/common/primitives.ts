import { z } from 'zod';

/**
 * Field-level building blocks shared by every Tickwire event schema.
 *
 * Every number is finite (zod v4's `z.number()` already rejects NaN and ±Infinity; the custom
 * messages below make the reason readable in a dead-letter header). Units follow the house rules:
 * prices in USD decimal, sizes and volumes in shares, times in epoch milliseconds UTC.
 */

/** Message for a number that is NaN, ±Infinity, missing or not a number at all. */
function finiteNumberError(what: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined
      ? `${what} is required`
      : `${what} must be a finite number, got ${describeInput(issue.input)}`;
}

/** Short, log-safe rendering of an offending input value for error messages. */
export function describeInput(input: unknown): string {
  if (typeof input === 'number') return String(input);
  if (typeof input === 'string') return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input);
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return typeof input;
}

/** A finite JSON number (no NaN / ±Infinity). */
export function finiteNumber(what: string) {
  return z.number({ error: finiteNumberError(what) });
}

/**
 * Ticker symbol: an upper-case letter followed by up to 9 of `A-Z 0-9 . -` (so `AAPL`, `GOOGL`,
 * `BF.B`, `BRK-B` pass; `aapl`, `1AB`, `TOOLONGSYMBOL` fail). The Kafka message key of every topic.
 */
export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.-]{0,9}$/;
export const symbolSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'symbol is required' : 'symbol must be a string') })
  .regex(SYMBOL_PATTERN, { error: 'symbol must match ^[A-Z][A-Z0-9.-]{0,9}$ (e.g. AAPL, BF.B)' })
  .describe('Ticker symbol, upper case, e.g. AAPL or BF.B. Also the Kafka message key.');

/** Price in USD decimal (e.g. 585.74), strictly positive and finite. */
export function priceSchema(what = 'price') {
  return finiteNumber(what)
    .positive({ error: `${what} must be > 0 (USD)` })
    .describe(`${what}: USD decimal, > 0`);
}

/** Number of shares, a positive integer (a trade of 0 shares is not a trade). */
export function positiveSharesSchema(what = 'size') {
  return finiteNumber(what)
    .int({ error: `${what} must be an integer number of shares` })
    .positive({ error: `${what} must be > 0 shares` })
    .max(Number.MAX_SAFE_INTEGER)
    .describe(`${what}: shares, integer > 0`);
}

/** Number of shares, a non-negative integer (an empty book side or a no-volume day is 0). */
export function nonNegativeSharesSchema(what = 'size') {
  return finiteNumber(what)
    .int({ error: `${what} must be an integer number of shares` })
    .nonnegative({ error: `${what} must be >= 0 shares` })
    .max(Number.MAX_SAFE_INTEGER)
    .describe(`${what}: shares, integer >= 0`);
}

/**
 * Sane range for epoch-millisecond timestamps: [1990-01-01T00:00:00Z, 2100-01-01T00:00:00Z).
 * The daily history starts in 1999; anything outside this range is a unit mistake (seconds,
 * microseconds or nanoseconds passed as milliseconds), which is the error this catches.
 */
export const EPOCH_MS_MIN = Date.UTC(1990, 0, 1);
export const EPOCH_MS_MAX = Date.UTC(2100, 0, 1) - 1;

/** Epoch milliseconds UTC, integer, within [{@link EPOCH_MS_MIN}, {@link EPOCH_MS_MAX}]. */
export function epochMsSchema(what = 'time') {
  return finiteNumber(what)
    .int({ error: `${what} must be an integer (epoch ms)` })
    .min(EPOCH_MS_MIN, { error: `${what} must be epoch ms >= 1990-01-01 (seconds or a wrong unit?)` })
    .max(EPOCH_MS_MAX, { error: `${what} must be epoch ms < 2100-01-01 (micro/nanoseconds or a wrong unit?)` })
    .describe(`${what}: epoch milliseconds UTC, integer`);
}

/**
 * Epoch nanoseconds UTC as a decimal string (a JS number cannot hold them exactly), e.g.
 * `"1340285400275016159"`. Optional companion of `eventTime` for sources with nanosecond clocks (LOBSTER).
 */
export const EPOCH_NS_PATTERN = /^(0|[1-9][0-9]{0,19})$/;
export const epochNsSchema = z
  .string()
  .regex(EPOCH_NS_PATTERN, { error: 'eventTimeNs must be a decimal string of epoch nanoseconds' })
  .describe('Epoch nanoseconds UTC as a decimal string (exact; JS numbers are not)');

/** US exchange trading date `YYYY-MM-DD` (America/New_York local date), validated as a real calendar date. */
export const tradingDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'tradingDate must be YYYY-MM-DD' })
  .refine((value) => isCalendarDate(value), { error: 'tradingDate must be a real calendar date' })
  .describe('Exchange trading date YYYY-MM-DD, America/New_York');

function isCalendarDate(value: string): boolean {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * Origin of the market data, lower-case kebab (e.g. `lobster`, `alpaca`, `synthetic`,
 * `alphavantage-daily`). Derived events (enriched, bars, alerts) carry the source of the data they were
 * computed from. Open set: a new source is not a breaking change; {@link KNOWN_SOURCES} lists today's.
 */
export const SOURCE_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
export const sourceSchema = z
  .string()
  .regex(SOURCE_PATTERN, { error: 'source must be lower-case kebab, e.g. lobster, alpaca, alphavantage-daily' })
  .describe('Origin of the market data, e.g. lobster, alpaca, synthetic, alphavantage-daily');

/** Sources Tickwire ingests today. */
export const KNOWN_SOURCES = ['lobster', 'alpaca', 'synthetic', 'alphavantage-daily'] as const;
export type KnownSource = (typeof KNOWN_SOURCES)[number];

/** Deterministic event id: lower-case hex or `<symbol>:<startTime>` for bars; 1..128 printable chars. */
export const eventIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9.:_-]{1,128}$/, { error: 'id must be 1..128 chars of [A-Za-z0-9.:_-]' })
  .describe('Deterministic event id (see README: id recipe)');
