import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DeleteTableCommand, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { createDynamoDbClient } from '@tickwire/aws';
import { PreviousCloseReader } from './previous-close-reader';
import { DAILY_CSV_HEADER as DAILY_BARS_CSV_HEADER } from '@tickwire/market-sources';
import { loadReferenceDailyBars } from './reference-daily-bars-loader';

/**
 * Real rows of data/market/daily/ (copied verbatim): the LOBSTER day's previous closes (AAPL, AMZN,
 * GOOGL 2012-06-20), the AAPL and TSLA 2020-08-31 splits, plus one AT&T quirk row (file name in the
 * symbol column).
 */
const ROWS = [
  'AAPL,2012-06-19,583.4,590.0,583.1,587.41,18.0681547076,12907300,0.0,1.0',
  'AAPL,2012-06-20,588.21,589.25,580.8,585.741,18.0168179067,12819400,0.0,1.0',
  'AAPL,2012-06-21,585.44,588.22,577.44,577.67,17.7685618732,11655400,0.0,1.0',
  'AAPL,2020-08-28,504.05,505.77,498.31,499.23,124.405824223,46907479,0.0,1.0',
  'AAPL,2020-08-31,127.58,131.0,126.0,129.04,128.624702503,223505733,0.0,4.0',
  'AMZN,2012-06-20,224.51,224.74,220.84,223.02,223.02,2444400,0.0,1.0',
  'GOOGL,2012-06-20,579.81,580.0,573.51,577.51,289.649119083,4688700,0.0,1.0',
  'TSLA,2020-08-28,2295.12,2318.49,2186.52,2213.4,442.68,20081176,0.0,1.0',
  'TSLA,2020-08-31,444.61,500.14,440.11,498.32,498.32,115847020,0.0,5.0',
  'T-2021-04-21.csv,2020-01-02,238.75,239.91,236.72,239.91,239.431438468,5941969,0.0,1.0',
];

describe('reference data on DynamoDB Local', () => {
  let client: DynamoDBClient;
  let dir: string;
  let file: string;
  // Unique per run: parallel runs on the shared DynamoDB Local never collide.
  const tableName = `it-reference-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    client = createDynamoDbClient({
      region: process.env['AWS_REGION'] ?? 'us-east-1',
      endpoint: process.env['DYNAMODB_ENDPOINT'] ?? 'http://127.0.0.1:8000',
    });
    dir = await mkdtemp(join(tmpdir(), 'reference-'));
    file = join(dir, 'daily.csv.gz');
    await writeFile(file, gzipSync(`${DAILY_BARS_CSV_HEADER.join(',')}\n${ROWS.join('\n')}\n`));
  });

  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads every valid row once, rejects the malformed one, and skips a repeated load', async () => {
    const first = await loadReferenceDailyBars(client, { files: [file], tableName, concurrency: 4 });
    // 9 rows in 5 symbol-years: AAPL 2012 and 2020, AMZN 2012, GOOGL 2012, TSLA 2020.
    expect(first).toMatchObject({ skipped: false, written: 9, items: 5 });
    expect(first.rejected).toHaveLength(1);
    expect(first.rejected[0]?.reason).toContain('is not a ticker');
    const items = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'symbol = :s',
        ExpressionAttributeValues: { ':s': { S: 'AAPL' } },
      }),
    );
    expect(items.Items?.map((item) => item['year']?.S)).toEqual(['2012', '2020']);
    const rows2020 = JSON.parse(items.Items?.[1]?.['bars']?.S ?? '[]') as unknown[][];
    expect(rows2020.map((row) => row[0])).toEqual(['2020-08-28', '2020-08-31']);
    expect(rows2020[1]?.[8]).toBe(4);

    const again = await loadReferenceDailyBars(client, { files: [file], tableName });
    expect(again).toMatchObject({ skipped: true, written: 0, batchCalls: 0 });

    // A forced reload writes the same items again (puts are idempotent).
    const forced = await loadReferenceDailyBars(client, { files: [file], tableName, force: true });
    expect(forced).toMatchObject({ skipped: false, written: 9, items: 5 });
  });

  it('builds the previous close: LOBSTER day, GOOG as GOOGL in 2012, split-adjusted on ex-dates', async () => {
    const reader = new PreviousCloseReader(client, { tableName });
    const aapl = await reader.referenceFor('AAPL');
    expect(aapl.previousClose('AAPL', '2012-06-21')).toMatchObject({
      previousClose: 585.741,
      previousCloseDate: '2012-06-20',
      corporateAction: 'none',
    });
    // 499.23 / 4: the 4-for-1 split is not a -74 % move.
    expect(aapl.previousClose('AAPL', '2020-08-31')).toMatchObject({
      previousClose: 124.8075,
      splitCoefficient: 4,
      corporateAction: 'split',
    });
    const tsla = await reader.referenceFor('TSLA');
    const tslaSplitDay = tsla.previousClose('TSLA', '2020-08-31');
    expect(tslaSplitDay?.previousClose).toBeCloseTo(442.68, 10);
    // TSLA really rose on its split day: 498.32 vs 442.68 = +12.57 %.
    expect(
      ((498.32 - (tslaSplitDay?.previousClose ?? 0)) / (tslaSplitDay?.previousClose ?? 1)) * 100,
    ).toBeCloseTo(12.569, 2);
    const goog = await reader.referenceFor('GOOG');
    expect(goog.previousCloseAt('GOOG', Date.UTC(2012, 5, 21, 14, 0))).toMatchObject({
      sourceSymbol: 'GOOGL',
      previousClose: 577.51,
    });
    const amzn = await reader.referenceFor('AMZN');
    expect(amzn.previousClose('AMZN', '2012-06-21')?.previousClose).toBe(223.02);
    expect((await reader.referenceFor('NOPE')).previousClose('NOPE', '2012-06-21')).toBeUndefined();
    // Cached: the same object for a second call.
    expect(await reader.referenceFor('AAPL')).toBe(aapl);
  });
});
