import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { TOPICS } from '@tickwire/contracts';
import { ARCHIVE_DATA_PREFIX, SYMBOL_STATE_TABLE } from '@tickwire/resources';
import { createLocalDynamoDb, createLocalOpenSearch, createLocalS3 } from '@tickwire/testing';
import { gunzipSync } from 'node:zlib';
import type { EventOrderOutcome } from './event-order-checks';
import { PipelineRun, type PipelineTotals } from './pipeline-run';
import { formatSummaryTable, reconciles, summaryRows } from './pipeline-summary';
import type { StopOutcome } from './service-processes';
import { LOBSTER_SYMBOLS, readLobsterTrades, referenceBars, type RawTrade, type ReferenceBar } from './testing/raw-market-data';

/** A check of issue 12 held; when not, the failure shows its counts and first offenders. */
function expectHeld(check: EventOrderOutcome): void {
  expect(check.held ? `${check.name}: held` : `${check.name}: ${check.detail}`).toBe(`${check.name}: held`);
}

/**
 * The main job on the full LOBSTER day (AAPL, AMZN, GOOG on 2012-06-21): every trade and quote through
 * ingest-producer, the enricher, the indexer and the archiver as real processes on the real local
 * stack, then every sink checked against the raw files read independently in this test and against the
 * data README's reference values, and issue 12's event-time order and no-look-ahead invariants read
 * back from the topics and OpenSearch (PipelineRun.totals, event-order-evidence.ts).
 */
describe('npm start -- --once on the LOBSTER day', () => {
  let run: PipelineRun;
  let totals: PipelineTotals;
  let stopped: StopOutcome[];
  const raw = new Map<string, RawTrade[]>();

  beforeAll(async () => {
    for (const symbol of LOBSTER_SYMBOLS) raw.set(symbol, await readLobsterTrades(symbol));
    run = await PipelineRun.start({
      dataset: 'lobster',
      speed: 'max',
      reset: true,
      serviceEnv: { 'firehose-archiver': { BUFFER_INTERVAL_SECONDS: '5' } },
      log: (line) => process.env['TICKWIRE_E2E_VERBOSE'] && console.log(line),
    });
    await run.waitForIngest();
    await run.waitForSinks();
    totals = await run.totals();
    if (process.env['TICKWIRE_E2E_VERBOSE']) console.log(formatSummaryTable(summaryRows(totals)));
    stopped = await run.stop();
  });

  afterAll(async () => {
    await run?.stop();
  });

  it('ingests every trade of the data README (34,990 / 11,419 / 11,678) and every quote row', () => {
    expect(raw.get('AAPL')).toHaveLength(34_990);
    expect(raw.get('AMZN')).toHaveLength(11_419);
    expect(raw.get('GOOG')).toHaveLength(11_678);
    expect(totals.ingest.published[TOPICS.trades]).toBe(34_990 + 11_419 + 11_678);
    expect(totals.ingest.published[TOPICS.quotes]).toBe(118_497 + 57_515 + 49_482);
  });

  it('reconciles every count of the summary table', () => {
    const rows = summaryRows(totals);
    expect(rows.filter((r) => r.expected !== undefined && r.expected !== r.count)).toEqual([]);
    expect(reconciles(rows)).toBe(true);
  });

  it('checks issue 12 against the raw files: the raw topics hold the LOBSTER trades, in time order, as the look-ahead reference', () => {
    for (const symbol of LOBSTER_SYMBOLS) {
      const files = raw.get(symbol)!;
      const tape = totals.order.reference.tape.tradesOf(symbol);
      // The file reader truncates the nanosecond time to ms; the contract rounds it half up.
      const differ = files.filter((t, i) => tape[i]?.price !== t.price || ![0, 1].includes((tape[i]?.eventTime ?? 0) - t.eventTimeMs));
      expect({ symbol, trades: tape.length, differ: differ.slice(0, 5) }).toEqual({ symbol, trades: files.length, differ: [] });
    }
  });

  it('enriches every quote with the last trade at or before it, never a later one, on the topic and in OpenSearch (issue 12)', () => {
    const { topicLookAhead, searchLookAhead } = totals.order;
    expectHeld(topicLookAhead);
    expectHeld(searchLookAhead);
    expect(topicLookAhead.quotes).toBeGreaterThan(225_000);
    expect(searchLookAhead.checked).toBe(topicLookAhead.checked);
  });

  it('keeps per-symbol event-time order on market.enriched.v1, market.bars.1m.v1 and market.alerts.v1 (issue 12)', () => {
    expectHeld(totals.order.enrichedOrder);
    expectHeld(totals.order.barsOrder);
    expectHeld(totals.order.alertsOrder);
  });

  it('indexes trades per symbol equal to the data', async () => {
    const client = createLocalOpenSearch();
    try {
      const counts: Record<string, number> = {};
      for (const symbol of LOBSTER_SYMBOLS) {
        const response = await client.count({
          index: 'market-enriched-*',
          body: { query: { bool: { filter: [{ term: { kind: 'trade' } }, { term: { symbol } }] } } },
        });
        counts[symbol] = Number(response.body.count);
      }
      expect(counts).toEqual({ AAPL: 34_990, AMZN: 11_419, GOOG: 11_678 });
    } finally {
      await client.close();
    }
  });

  it('has in OpenSearch exactly the 1-minute bars computed from the raw files, minute by minute', async () => {
    const expected = new Map<string, ReferenceBar>();
    for (const trades of raw.values()) for (const [key, bar] of referenceBars(trades)) expected.set(key, bar);
    // Data README: minutes with at least one trade.
    expect([...expected.values()].filter((b) => b.symbol === 'AAPL')).toHaveLength(390);
    expect([...expected.values()].filter((b) => b.symbol === 'AMZN')).toHaveLength(387);
    expect([...expected.values()].filter((b) => b.symbol === 'GOOG')).toHaveLength(385);

    const client = createLocalOpenSearch();
    try {
      const response = await client.search({ index: 'market-bars-1m-*', body: { size: 10_000, query: { match_all: {} } } });
      const hits = response.body.hits.hits as { _id: string; _source: ReferenceBar }[];
      const actual = new Map(hits.map((h) => [h._id, h._source]));
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [key, bar] of expected) {
        const doc = actual.get(key)!;
        expect({ key, open: doc.open, high: doc.high, low: doc.low, close: doc.close, volume: doc.volume, tradeCount: doc.tradeCount }).toEqual({
          key,
          open: bar.open,
          high: bar.high,
          low: bar.low,
          close: bar.close,
          volume: bar.volume,
          tradeCount: bar.tradeCount,
        });
        expect(Math.abs(doc.vwap - bar.vwap) / bar.vwap).toBeLessThan(1e-9);
      }
    } finally {
      await client.close();
    }
  });

  it('archives every raw trade exactly once in S3', async () => {
    const s3 = createLocalS3();
    const seen = new Map<string, number>();
    try {
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: run.stack.config.archiveBucket, Prefix: `${ARCHIVE_DATA_PREFIX}/${TOPICS.trades}/`, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          const body = await s3.send(new GetObjectCommand({ Bucket: run.stack.config.archiveBucket, Key: object.Key! }));
          const lines = gunzipSync(Buffer.from(await body.Body!.transformToByteArray())).toString('utf8').split('\n').filter(Boolean);
          for (const line of lines) {
            const event = JSON.parse(line) as { payload: { symbol: string; sequence: number } };
            const key = `${event.payload.symbol}:${event.payload.sequence}`;
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
        }
        token = page.NextContinuationToken;
      } while (token);
    } finally {
      s3.destroy();
    }
    const expected = [...raw.values()].flat().map((t) => `${t.symbol}:${t.row}`);
    expect(seen.size).toBe(expected.length);
    expect(expected.filter((key) => seen.get(key) !== 1)).toEqual([]);
  });

  it('keeps the last trade and the change vs the previous close per symbol in symbol-state (data README values)', async () => {
    const reference = { AAPL: -1.3839, AMZN: -1.1255, GOOG: -2.1056 } as const;
    const documents = DynamoDBDocumentClient.from(createLocalDynamoDb());
    try {
      for (const symbol of LOBSTER_SYMBOLS) {
        const trades = raw.get(symbol)!;
        const last = trades[trades.length - 1]!;
        const { Item } = await documents.send(new GetCommand({ TableName: SYMBOL_STATE_TABLE.tableName, Key: { symbol } }));
        expect(Item).toMatchObject({ symbol, lastPrice: last.price });
        expect(Item!['lastEventTime']).toBeGreaterThanOrEqual(last.eventTimeMs);
        expect(Item!['bidPrice']).toBeLessThanOrEqual(Item!['askPrice']);
        expect(Number(Item!['changePercent']).toFixed(4)).toBe(reference[symbol].toFixed(4));
      }
    } finally {
      documents.destroy();
    }
  });

  it('stops every service gracefully within 10 s of SIGTERM', () => {
    expect(stopped).toHaveLength(5);
    for (const outcome of stopped) expect(outcome).toMatchObject({ killed: false, exitCode: 0 });
    for (const outcome of stopped) expect(outcome.exitMs).toBeLessThan(10_000);
  });
});
