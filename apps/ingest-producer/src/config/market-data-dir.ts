import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where the committed market data lives inside the repository. */
export const MARKET_DATA_RELATIVE_PATH = join('data', 'market');

/** True if `dir` looks like the market data directory: it holds `lobster/` or `daily/`. */
export function isMarketDataDir(dir: string): boolean {
  return ['lobster', 'daily'].some((child) => {
    const path = join(dir, child);
    return existsSync(path) && statSync(path).isDirectory();
  });
}

/**
 * Finds the repository's `data/market` by walking up from each of `startDirs` (default: this file's
 * directory, then the working directory) to the filesystem root. Both starts are tried because the app
 * runs from source (`node -r @swc-node/register apps/ingest-producer/src/main.ts`, where `__dirname` is
 * inside the repository whatever the cwd) and bundled (`dist/apps/ingest-producer/main.js`, where only
 * a cwd inside the repository finds it).
 *
 * @returns the absolute directory, or undefined when no start lies inside a checkout with the data.
 */
export function findMarketDataDir(startDirs: readonly string[] = [__dirname, process.cwd()]): string | undefined {
  for (const start of startDirs) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, MARKET_DATA_RELATIVE_PATH);
      if (isMarketDataDir(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}
