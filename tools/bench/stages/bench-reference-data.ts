import { DAILY_CSV_HEADER } from '@tickwire/market-sources';
import { loadReferenceDailyBars } from '@tickwire/reference-data';
import { createLocalDynamoDb, type StackConfig } from '@tickwire/testing';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The synthetic symbols of the live steps: a block of `count` per step tag (`BE1X0000`, ...), so each
 * step starts with fresh per-symbol state in the enricher (the synthetic source restarts its event
 * times at the same instant each time; a symbol's already-closed bars would make its trades late).
 */
export function stepSymbols(tag: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `B${tag}X${String(i).padStart(4, '0')}`);
}

/**
 * Reference daily bars for the bench's synthetic symbols: the enricher dead-letters a symbol outside
 * the reference universe (`UnknownSymbol`), so the bench gives each of its symbols one daily bar on the
 * trading day before the synthetic source's first event (2026-01-02; the source starts 2026-01-05),
 * close 100 USD, loaded with the reference-data loader (idempotent: the same file loads once).
 *
 * @returns rows loaded (0 when the same symbols were loaded before).
 * @throws Error when DynamoDB refuses the load.
 */
export async function loadBenchReferenceBars(
  config: StackConfig,
  symbols: readonly string[],
): Promise<number> {
  const dir = join(config.stackDir, 'bench-reference');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'bench-symbols-daily.csv.gz');
  const rows = symbols.map((symbol) => `${symbol},2026-01-02,100.0,101.0,99.0,100.0,100.0,1000000,0.0,1.0`);
  writeFileSync(file, gzipSync(`${DAILY_CSV_HEADER.join(',')}\n${rows.join('\n')}\n`));
  const dynamo = createLocalDynamoDb(config);
  try {
    const result = await loadReferenceDailyBars(dynamo, { files: [file], createTable: false });
    return result.written;
  } finally {
    dynamo.destroy();
  }
}
