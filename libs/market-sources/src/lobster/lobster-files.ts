import { join } from 'node:path';

/** The three LOBSTER sample symbols in data/market/lobster/ (2012-06-21, level 1). */
export const LOBSTER_SAMPLE_SYMBOLS = ['AAPL', 'AMZN', 'GOOG'] as const;

/** LOBSTER file kinds: `message` (one row per event) and `orderbook` (book state after that event). */
export type LobsterFileKind = 'message' | 'orderbook';

/** Time window and book depth encoded in a LOBSTER file name; the samples cover 09:30-16:00 at level 1. */
export interface LobsterFileWindow {
  /** Start, ms after midnight New York time. Default 34200000 (09:30). */
  readonly startMs?: number;
  /** End, ms after midnight New York time. Default 57600000 (16:00). */
  readonly endMs?: number;
  /** Order-book levels. Default 1. */
  readonly level?: number;
}

/**
 * Path of a gzip LOBSTER file, named as LOBSTER names them plus `.gz`:
 * `<dataDir>/lobster/<SYMBOL>_<date>_<startMs>_<endMs>_<kind>_<level>.csv.gz`.
 */
export function lobsterFilePath(dataDir: string, symbol: string, date: string, kind: LobsterFileKind, window: LobsterFileWindow = {}): string {
  const { startMs = 34_200_000, endMs = 57_600_000, level = 1 } = window;
  return join(dataDir, 'lobster', `${symbol}_${date}_${startMs}_${endMs}_${kind}_${level}.csv.gz`);
}
