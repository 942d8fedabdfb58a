import { join } from 'node:path';

/**
 * Directory of the committed real market data (`data/market/` of the repository: LOBSTER tick files and
 * daily bars as `.csv.gz`; provenance and reference values in its README.md).
 * `$TICKWIRE_MARKET_DATA` overrides it (bundled apps, whose `__dirname` is not in the source tree, set it
 * or pass `dataDir` to the sources).
 */
export function defaultMarketDataDir(): string {
  return process.env['TICKWIRE_MARKET_DATA'] ?? join(__dirname, '..', '..', '..', '..', 'data', 'market');
}
