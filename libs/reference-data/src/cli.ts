/**
 * Reference-data CLI: `npx tsx libs/reference-data/src/cli.ts load [--force]`.
 *
 * Loads data/market/daily/ (the LOBSTER symbols' 1999-2021 history and the S&P 500 2020-2021 file)
 * into DynamoDB table `reference-daily-bars`; skips at once when the same files were loaded before.
 * Environment: DYNAMODB_ENDPOINT (default http://127.0.0.1:8000, empty = AWS), AWS_REGION (default
 * us-east-1), REFERENCE_DAILY_BARS_TABLE (default reference-daily-bars), MARKET_DATA_DIR (default
 * the workspace's data/market), REFERENCE_LOAD_CONCURRENCY (default 16).
 * Prints one JSON line with the result; exits 1 with the error otherwise.
 */
import { createDynamoDbClient } from '@tickwire/aws';
import { REFERENCE_DAILY_BARS_TABLE } from '@tickwire/resources';
import { referenceDailyFilePaths } from './default-reference-files';
import { loadReferenceDailyBars } from './reference-daily-bars-loader';

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...flags] = argv;
  if (command !== 'load') {
    process.stderr.write('usage: cli.ts load [--force]\n');
    process.exit(2);
  }
  const endpoint = process.env['DYNAMODB_ENDPOINT'] ?? 'http://127.0.0.1:8000';
  const client = createDynamoDbClient({
    region: process.env['AWS_REGION'] ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
  });
  try {
    const result = await loadReferenceDailyBars(client, {
      files: referenceDailyFilePaths(),
      tableName: process.env['REFERENCE_DAILY_BARS_TABLE'] || REFERENCE_DAILY_BARS_TABLE.tableName,
      concurrency: Number(process.env['REFERENCE_LOAD_CONCURRENCY'] ?? 16),
      force: flags.includes('--force'),
    });
    const { rejected, ...summary } = result;
    process.stdout.write(
      `${JSON.stringify({ ...summary, durationMs: Math.round(result.durationMs), rejectedRows: rejected.length })}\n`,
    );
  } finally {
    client.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `reference-data load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
