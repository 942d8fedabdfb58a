import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  type WriteRequest,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { REFERENCE_DAILY_BARS_TABLE } from '@tickwire/resources';
import { readDailyBarsCsv, type ReferenceDailyBar, type RejectedDailyRow } from './daily-bars-csv-reader';

/** DynamoDB's BatchWriteItem limit: 25 put/delete requests per call. */
export const BATCH_WRITE_MAX_ITEMS = 25;

/**
 * The marker item that records a completed load: partition `#load-marker` (not a ticker, so a symbol
 * Query never sees it), sort key (`year`) = SHA-256 over the loaded files' contents. A load of the same
 * files finds it and returns at once; other files (a new data drop) load again (puts are idempotent).
 */
export const LOAD_MARKER_SYMBOL = '#load-marker';

/** Options of {@link loadReferenceDailyBars}. */
export interface ReferenceLoadOptions {
  /** `.csv.gz` daily files, header as in daily-bars-csv-reader.ts. Rows of later files win on (symbol, tradingDate). */
  readonly files: readonly string[];
  /** Table; default `reference-daily-bars` (REFERENCE_DAILY_BARS_TABLE). */
  readonly tableName?: string;
  /** BatchWriteItem calls in flight; default 4 (DynamoDB Local serializes writes anyway). */
  readonly concurrency?: number;
  /** Load even when the marker says these files are loaded. Default false. */
  readonly force?: boolean;
  /** Create the table (on-demand, REFERENCE_DAILY_BARS_TABLE's key schema) when it does not exist. Default true. */
  readonly createTable?: boolean;
  /** Max attempts of one batch while DynamoDB returns UnprocessedItems or throttles; default 10. */
  readonly maxAttempts?: number;
}

/** Result of {@link loadReferenceDailyBars}. */
export interface ReferenceLoadResult {
  readonly tableName: string;
  /** True when the marker showed the same files already loaded; nothing was written. */
  readonly skipped: boolean;
  /** Daily rows written (distinct symbol/tradingDate). */
  readonly written: number;
  /** DynamoDB items written: one per symbol and year. */
  readonly items: number;
  /** Rows of the files that are not valid bars (not loaded). */
  readonly rejected: readonly (RejectedDailyRow & { readonly file: string })[];
  /** BatchWriteItem calls, including retries of unprocessed items. */
  readonly batchCalls: number;
  /** Wall time, ms. */
  readonly durationMs: number;
  /** The marker's sort key (SHA-256 hex of the files). */
  readonly fingerprint: string;
}

/**
 * Loads daily bars into DynamoDB (`reference-daily-bars`: pk `symbol`, sk `year`, one item per symbol
 * and calendar year with that year's rows as JSON, see REFERENCE_DAILY_BARS_TABLE) with BatchWriteItem,
 * `concurrency` batches in flight, each retried with exponential backoff (50 ms x 2^n, capped at 2 s,
 * full jitter: AWS Architecture Blog, "Exponential Backoff and Jitter") until DynamoDB has processed
 * every item. Idempotent: items are full puts keyed by (symbol, year), and a marker item keyed by the
 * files' SHA-256 makes a repeated load of the same files a single GetItem.
 *
 * Why yearly items: DynamoDB Local 3.1 (SQLite) writes ~110 items/s on this shared 2-core host, so one
 * item per row made the 192k rows a 30-minute load; per symbol-year it is ~1,200 items, seconds.
 *
 * @throws Error if a file cannot be read or has another header, or a batch still has unprocessed items
 *   after `maxAttempts`; any DynamoDB error other than throttling.
 */
export async function loadReferenceDailyBars(
  client: DynamoDBClient,
  options: ReferenceLoadOptions,
): Promise<ReferenceLoadResult> {
  const started = performance.now();
  const tableName = options.tableName ?? REFERENCE_DAILY_BARS_TABLE.tableName;
  const fingerprint = await fingerprintOf(options.files);
  if (options.createTable ?? true) await ensureReferenceTable(client, tableName);
  const base = { tableName, fingerprint, rejected: [] as (RejectedDailyRow & { file: string })[] };
  if (!options.force && (await isLoaded(client, tableName, fingerprint))) {
    return { ...base, skipped: true, written: 0, items: 0, batchCalls: 0, durationMs: performance.now() - started };
  }

  // Deduplicated in memory (the history file overlaps the S&P 500 file on 2020-2021; later files win);
  // ~200k rows are ~60 MB.
  const bars = new Map<string, ReferenceDailyBar>();
  for (const file of options.files) {
    for await (const item of readDailyBarsCsv(file)) {
      if (item.kind === 'bar') bars.set(`${item.bar.symbol}|${item.bar.tradingDate}`, item.bar);
      else base.rejected.push({ file: basename(file), line: item.line, reason: item.reason, text: item.text });
    }
  }

  const byYear = new Map<string, ReferenceDailyBar[]>();
  for (const bar of bars.values()) {
    const key = `${bar.symbol}|${bar.tradingDate.slice(0, 4)}`;
    const list = byYear.get(key);
    if (list) list.push(bar);
    else byYear.set(key, [bar]);
  }
  const requests: WriteRequest[] = [...byYear.values()].map((list) => ({ PutRequest: { Item: toYearItem(list) } }));
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX_ITEMS)
    batches.push(requests.slice(i, i + BATCH_WRITE_MAX_ITEMS));
  let batchCalls = 0;
  let next = 0;
  const maxAttempts = options.maxAttempts ?? 10;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      let pending = batches[next++] as WriteRequest[];
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= maxAttempts) {
          throw new Error(
            `reference load: ${pending.length} items still unprocessed after ${maxAttempts} attempts`,
          );
        }
        if (attempt > 0) await sleep(Math.random() * Math.min(2_000, 50 * 2 ** attempt));
        batchCalls += 1;
        try {
          const response = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }),
          );
          pending = response.UnprocessedItems?.[tableName] ?? [];
        } catch (error) {
          if (!isThrottling(error)) throw error;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        symbol: { S: LOAD_MARKER_SYMBOL },
        year: { S: fingerprint },
        items: { N: String(requests.length) },
        rows: { N: String(bars.size) },
        loadedAt: { N: String(Date.now()) },
      },
    }),
  );
  return {
    ...base,
    skipped: false,
    written: bars.size,
    items: requests.length,
    batchCalls,
    durationMs: performance.now() - started,
  };
}

/**
 * Creates the reference table (REFERENCE_DAILY_BARS_TABLE's key schema, on-demand) unless it exists
 * with that key schema (a table of another layout is dropped and recreated), and waits until it is ACTIVE.
 *
 * @throws any DynamoDB error other than the table already existing
 */
export async function ensureReferenceTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const spec = REFERENCE_DAILY_BARS_TABLE;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const keys = (Table?.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
    if (keys === `${spec.partitionKey.name}:HASH,${spec.sortKey?.name}:RANGE`) return;
    // An older layout (e.g. one item per trading date): reference data is derived from the files and
    // fully reloadable, so the table is replaced rather than migrated.
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    await waitUntilTableNotExists({ client, maxWaitTime: 60 }, { TableName: tableName });
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const sortKey = spec.sortKey as { name: string; type: 'S' | 'N' | 'B' };
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: spec.partitionKey.name, AttributeType: spec.partitionKey.type },
          { AttributeName: sortKey.name, AttributeType: sortKey.type },
        ],
        KeySchema: [
          { AttributeName: spec.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: sortKey.name, KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    // A concurrent loader created it first.
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
}

/** SHA-256 (hex) over the files' names and bytes, in order: the identity of a data drop. */
async function fingerprintOf(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash
      .update(basename(file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex');
}

async function isLoaded(client: DynamoDBClient, tableName: string, fingerprint: string): Promise<boolean> {
  const response = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { symbol: { S: LOAD_MARKER_SYMBOL }, year: { S: fingerprint } },
      ConsistentRead: true,
    }),
  );
  return response.Item !== undefined;
}

/**
 * A row as stored in an item's `bars` JSON array: [tradingDate, open, high, low, close, adjustedClose,
 * volume, dividendAmount, splitCoefficient] (USD as traded, shares).
 */
export type StoredDailyRow = [string, number, number, number, number, number, number, number, number];

/** The item of one symbol's rows in one calendar year, rows sorted by date. */
function toYearItem(list: readonly ReferenceDailyBar[]): Record<string, AttributeValue> {
  const sorted = [...list].sort((a, b) => a.tradingDate.localeCompare(b.tradingDate));
  const first = sorted[0] as ReferenceDailyBar;
  const rows: StoredDailyRow[] = sorted.map((b) => [
    b.tradingDate, b.open, b.high, b.low, b.close, b.adjustedClose, b.volume, b.dividendAmount, b.splitCoefficient,
  ]);
  return {
    symbol: { S: first.symbol },
    year: { S: first.tradingDate.slice(0, 4) },
    rowCount: { N: String(rows.length) },
    bars: { S: JSON.stringify(rows) },
  };
}

function isThrottling(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? '';
  return (
    name === 'ProvisionedThroughputExceededException' ||
    name === 'ThrottlingException' ||
    name === 'RequestLimitExceeded'
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
