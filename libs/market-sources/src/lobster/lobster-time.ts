import { sessionCloseEpochMs } from '@tickwire/contracts';

/** Date of the LOBSTER sample files in data/market/lobster/. */
export const LOBSTER_SAMPLE_DATE = '2012-06-21';

/** Midnight America/New_York of 2012-06-21 (EDT, UTC-4) in Unix seconds: 2012-06-21T04:00:00Z. */
export const LOBSTER_SAMPLE_MIDNIGHT_EPOCH_SECONDS = 1_340_251_200;

const SESSION_CLOSE_SECONDS_AFTER_MIDNIGHT = 16 * 3600;
const LOBSTER_TIME = /^(\d{1,5})(?:\.(\d{1,9}))?$/;

/**
 * Midnight America/New_York of `tradingDate` in Unix seconds: the origin of LOBSTER's time column.
 * Computed as the 16:00 close minus 16 h, exact on every trading day (US DST switches happen at 02:00 on
 * Sundays, never between midnight and the close of a trading day).
 * @param tradingDate `YYYY-MM-DD`, e.g. `2012-06-21` -> 1340251200.
 * @throws RangeError if `tradingDate` is not `YYYY-MM-DD`.
 */
export function newYorkMidnightEpochSeconds(tradingDate: string): number {
  return sessionCloseEpochMs(tradingDate) / 1000 - SESSION_CLOSE_SECONDS_AFTER_MIDNIGHT;
}

/**
 * LOBSTER time column (seconds after midnight New York time, up to 9 fractional digits, trailing zeros
 * dropped) to exact epoch nanoseconds, as data/market/README.md "Time conversion" prescribes: split the
 * string at `.` and right-pad the fraction to 9 digits, never going through a double (57599.913117637
 * parses as 57599.913117636999).
 * @param time e.g. `34200.275016159`, `34200.0175`, `57600`.
 * @param midnightEpochSeconds Unix seconds of that day's midnight in New York; default 2012-06-21.
 * @returns decimal epoch-ns string, e.g. `1340285400275016159`.
 * @throws RangeError if `time` is not `<seconds>[.<1-9 digits>]` or exceeds one day (86400 s).
 */
export function lobsterTimeToEpochNs(time: string, midnightEpochSeconds: number = LOBSTER_SAMPLE_MIDNIGHT_EPOCH_SECONDS): string {
  return parseLobsterTime(time, midnightEpochSeconds).epochNs;
}

/** A LOBSTER time as exact epoch ns and as the envelope's epoch ms. */
export interface LobsterEventTime {
  /** Decimal epoch-ns string, e.g. `1340285400275016159`. */
  readonly epochNs: string;
  /** Epoch ms, `epochNs` rounded half up (the contracts' `epochNsToEpochMs`), e.g. 1340285400275. */
  readonly epochMs: number;
}

/**
 * {@link lobsterTimeToEpochNs} plus the epoch ms, computed from the same digits without BigInt (exact:
 * epoch ms stay far below 2^53).
 * @throws RangeError as {@link lobsterTimeToEpochNs}.
 */
export function parseLobsterTime(time: string, midnightEpochSeconds: number = LOBSTER_SAMPLE_MIDNIGHT_EPOCH_SECONDS): LobsterEventTime {
  const match = LOBSTER_TIME.exec(time);
  if (!match) throw new RangeError(`LOBSTER time must be seconds after midnight with up to 9 decimals, got ${JSON.stringify(time)}`);
  const seconds = Number(match[1]);
  if (seconds >= 86_400) throw new RangeError(`LOBSTER time ${time} is not within one day (< 86400 s)`);
  if (!Number.isSafeInteger(midnightEpochSeconds) || midnightEpochSeconds < 0) {
    throw new RangeError(`midnightEpochSeconds must be a non-negative integer, got ${midnightEpochSeconds}`);
  }
  const fraction = (match[2] ?? '').padEnd(9, '0');
  const epochSeconds = midnightEpochSeconds + seconds;
  // Concatenating the whole seconds and the 9-digit fraction is the exact decimal of seconds * 1e9 + ns.
  return { epochNs: `${epochSeconds}${fraction}`, epochMs: epochSeconds * 1000 + Math.floor((Number(fraction) + 500_000) / 1_000_000) };
}

/**
 * LOBSTER price column (integer US dollars x 10,000) to USD, e.g. `5857400` -> 585.74.
 * @returns the nearest double to the decimal price; NaN if `scaled` is not an integer.
 */
export function lobsterPriceToUsd(scaled: string): number {
  return /^-?\d+$/.test(scaled) ? Number(scaled) / 10_000 : Number.NaN;
}
