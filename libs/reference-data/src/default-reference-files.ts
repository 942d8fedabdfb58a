import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The daily files loaded as reference data, relative to the market data directory (data/market/README.md, section 2). */
export const REFERENCE_DAILY_FILES = [
  'daily/lobster_symbols_daily_1999-11-01_2021-04-21.csv.gz',
  'daily/sp500_daily_2020-01-02_2021-04-21.csv.gz',
] as const;

/**
 * The market data directory: `MARKET_DATA_DIR` if set, else `data/market` of the workspace (found by
 * walking up from `start` to the directory holding it).
 * @throws Error when neither exists
 */
export function marketDataDir(start: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (env['MARKET_DATA_DIR']) return resolve(env['MARKET_DATA_DIR']);
  for (let dir = resolve(start); ; dir = resolve(dir, '..')) {
    const candidate = join(dir, 'data', 'market');
    if (existsSync(join(candidate, REFERENCE_DAILY_FILES[0]))) return candidate;
    if (dir === resolve(dir, '..'))
      throw new Error(`data/market not found above ${start}; set MARKET_DATA_DIR`);
  }
}

/** Absolute paths of {@link REFERENCE_DAILY_FILES} under `dataDir`. */
export function referenceDailyFilePaths(dataDir: string = marketDataDir()): string[] {
  return REFERENCE_DAILY_FILES.map((file) => join(dataDir, file));
}
