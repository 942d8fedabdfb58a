import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  type WriteRequest,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { REFERENCE_DAILY_BARS_TABLE } from '@tickwire/resources';
import { readDailyBarsCsv, type ReferenceDailyBar, type RejectedDailyRow } from './daily-bars-csv-reader';

/** DynamoDB's BatchWriteItem limit: 25 put/delete requests per call. */
export const BATCH_WRITE_MAX_ITEMS = 25;

/**
 * The marker item that records a completed load: partition `#load-marker` (not a ticker, so a symbol
 * Query never sees it), sort key = SHA-256 over the loaded files' contents. A load of the same files
 * finds it and returns at once; other files (a new data drop) load again (puts are idempotent).
 */
export const LOAD_MARKER_SYMBOL = '#load-marker';

/** Options of {@link loadReferenceDailyBars}. */
export interface ReferenceLoadOptions {
  /** `.csv.gz` daily files, header as in daily-bars-csv-reader.ts. Rows of later files win on (symbol, tradingDate). */
  readonly files: readonly string[];
  /** Table; default `reference-daily-bars` (REFERENCE_DAILY_BARS_TABLE). */
  readonly tableName?: string;
  /** BatchWriteItem calls in flight; default 16 (DynamoDB Local saturates a core around there). */
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
  /** Items written (distinct symbol/tradingDate). */
  readonly written: number;
  /** Items not written because their symbol was already complete in the table (resumed load). */
  readonly alreadyPresent: number;
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
 * Loads daily bars into DynamoDB (`reference-daily-bars`: pk `symbol`, sk `tradingDate`) with
 * BatchWriteItem, `concurrency` batches in flight, each retried with exponential backoff (50 ms x 2^n,
 * capped at 2 s, full jitter: AWS Architecture Blog, "Exponential Backoff and Jitter") until
 * DynamoDB has processed every item. Idempotent: items are full puts keyed by (symbol, tradingDate),
 * and a marker item keyed by the files' SHA-256 makes a repeated load of the same files a single
 * GetItem, and an interrupted load resumes: symbols whose item count in the table already equals
 * their row count are not written again (one COUNT Query per symbol).
 *
 * Measured on this machine's DynamoDB Local 3.1 (SQLite, shared host at load ~10): ~110 items/s
 * whatever the concurrency (the server serializes writes; a PutItem takes ~20 ms), so the full
 * 192k rows take ~30 min once; later runs take one GetItem.
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
    return {
      ...base,
      skipped: true,
      written: 0,
      alreadyPresent: 0,
      batchCalls: 0,
      durationMs: performance.now() - started,
    };
  }

  // Deduplicated in memory (a BatchWriteItem must not name one key twice; the history file overlaps the
  // S&P 500 file on 2020-2021); ~200k rows are ~60 MB.
  const bars = new Map<string, ReferenceDailyBar>();
  for (const file of options.files) {
    for await (const item of readDailyBarsCsv(file)) {
      if (item.kind === 'bar') bars.set(`${item.bar.symbol}|${item.bar.tradingDate}`, item.bar);
      else
        base.rejected.push({ file: basename(file), line: item.line, reason: item.reason, text: item.text });
    }
  }

  // Resume: a symbol whose item count already equals its row count was loaded by an earlier
  // (interrupted) run; the data is immutable, so its items need not be written again.
  const bySymbol = new Map<string, ReferenceDailyBar[]>();
  for (const bar of bars.values()) {
    const list = bySymbol.get(bar.symbol);
    if (list) list.push(bar);
    else bySymbol.set(bar.symbol, [bar]);
  }
  const symbols = [...bySymbol.keys()];
  const complete = new Set<string>();
  let nextSymbol = 0;
  const counter = async (): Promise<void> => {
    while (nextSymbol < symbols.length) {
      const symbol = symbols[nextSymbol++] as string;
      if ((await countItems(client, tableName, symbol)) === bySymbol.get(symbol)?.length)
        complete.add(symbol);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 16) }, counter));
  const requests: WriteRequest[] = [...bySymbol]
    .filter(([symbol]) => !complete.has(symbol))
    .flatMap(([, list]) => list.map((bar) => ({ PutRequest: { Item: toItem(bar) } })));
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
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 16) }, worker));
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        symbol: { S: LOAD_MARKER_SYMBOL },
        tradingDate: { S: fingerprint },
        items: { N: String(bars.size) },
        loadedAt: { N: String(Date.now()) },
      },
    }),
  );
  return {
    ...base,
    skipped: false,
    written: requests.length,
    alreadyPresent: bars.size - requests.length,
    batchCalls,
    durationMs: performance.now() - started,
  };
}

/**
 * Creates the reference table (REFERENCE_DAILY_BARS_TABLE's key schema, on-demand) unless it exists,
 * and waits until it is ACTIVE.
 *
 * @throws any DynamoDB error other than the table already existing
 */
export async function ensureReferenceTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const spec = REFERENCE_DAILY_BARS_TABLE;
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

async function countItems(client: DynamoDBClient, tableName: string, symbol: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'symbol = :s',
        ExpressionAttributeValues: { ':s': { S: symbol } },
        Select: 'COUNT',
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return count;
}

async function isLoaded(client: DynamoDBClient, tableName: string, fingerprint: string): Promise<boolean> {
  const response = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { symbol: { S: LOAD_MARKER_SYMBOL }, tradingDate: { S: fingerprint } },
      ConsistentRead: true,
    }),
  );
  return response.Item !== undefined;
}

function toItem(bar: ReferenceDailyBar): NonNullable<NonNullable<WriteRequest['PutRequest']>['Item']> {
  const n = (value: number) => ({ N: String(value) });
  return {
    symbol: { S: bar.symbol },
    tradingDate: { S: bar.tradingDate },
    open: n(bar.open),
    high: n(bar.high),
    low: n(bar.low),
    close: n(bar.close),
    adjustedClose: n(bar.adjustedClose),
    volume: n(bar.volume),
    dividendAmount: n(bar.dividendAmount),
    splitCoefficient: n(bar.splitCoefficient),
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
