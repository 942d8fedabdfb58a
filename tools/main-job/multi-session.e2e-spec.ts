import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { TOPICS } from '@tickwire/contracts';
import { AlpacaProtocolServer, eventRecord, IterableSource, type SourceRecord } from '@tickwire/market-sources';
import { ARCHIVE_DATA_PREFIX, SYMBOL_STATE_TABLE } from '@tickwire/resources';
import { createLocalDynamoDb, createLocalKafka, createLocalOpenSearch, createLocalS3 } from '@tickwire/testing';
import { createClient, type Client } from 'graphql-ws';
import { gunzipSync } from 'node:zlib';
import { WebSocket } from 'ws';
import { PipelineRun, sumValues } from './pipeline-run';
import type { StopOutcome } from './service-processes';
import {
  expectedFeed,
  expectedRawCounts,
  newYorkTime,
  previousSessionOf,
  readCalendarFile,
  SCENARIO_SYMBOL,
  scriptEvents,
  SESSIONS,
  THRESHOLD_PERCENT,
  type ExpectedBar,
  type ExpectedFeed,
} from './testing/multi-session-scenario';
import { readSp500Daily } from './testing/raw-market-data';
import { readTopics } from './topic-reader';

const credentials = { keyId: 'multi-session-key', secretKey: 'multi-session-secret' };
const symbol = SCENARIO_SYMBOL;

/** A customer frame of `/v1/stream` (or the envelope of a customer topic, reshaped alike). */
interface Frame {
  readonly type: string;
  readonly symbol?: string;
  readonly eventTime: number;
  readonly id: string;
  readonly data: Record<string, unknown>;
}

/** Relative difference, for values computed in floating point on both sides (change %, VWAP). */
const nearly = (a: unknown, b: number) => typeof a === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

/** An expected bar without its VWAP (compared separately, within float tolerance). */
function withoutVwap(bar: ExpectedBar): Omit<ExpectedBar, 'vwap'> {
  return Object.fromEntries(Object.entries(bar).filter(([key]) => key !== 'vwap')) as Omit<ExpectedBar, 'vwap'>;
}

/** A bar's fields as published, for comparison with the expected bar. */
function barFields(data: Record<string, unknown>): Omit<ExpectedBar, 'vwap'> {
  const { startTime, open, high, low, close, volume, tradeCount, revision } = data as unknown as ExpectedBar;
  return { id: `${symbol}:${startTime}`, startTime, open, high, low, close, volume, tradeCount, ...(revision === undefined ? {} : { revision }) };
}

/**
 * Issue 13's multi-session proof on the real local stack: the Alpaca protocol test server plays five
 * scripted AAPL sessions (testing/multi-session-scenario.ts: the 4-for-1 split at the open of
 * 2020-08-31, the Thanksgiving holiday 2020-11-26 between two sessions, the 13:00 early close of
 * 2020-11-27, a correction, a cancel, a correction of an open minute, a halt with its quotation and
 * trading resumptions, a final LULD pause) to ingest-producer (SOURCE=alpaca), through the enricher, the indexer, the
 * archiver and the gateway as real processes. Every previous close, change %, alert, bar revision,
 * correction and status on the customer topics, in OpenSearch, in DynamoDB symbol-state, in the S3
 * archive and on the gateway's WebSocket, GraphQL and REST protocols is compared with the values the
 * scenario computes from the same script, the reference rows and the calendar file.
 */
describe('five sessions of an Alpaca feed through the five services (issue 13)', () => {
  let server: AlpacaProtocolServer;
  let run: PipelineRun;
  let expected: ExpectedFeed;
  let topics: Map<string, Frame[]>;
  let frames: Frame[];
  let graphql: Record<string, Record<string, unknown>>[];
  let restBars: Record<string, unknown>[];
  let stopped: StopOutcome[];
  let releaseFeed: () => void = () => undefined;
  let graphqlClient: Client | undefined;
  let socket: WebSocket | undefined;

  beforeAll(async () => {
    const reference = (await readSp500Daily()).filter((row) => row.symbol === symbol);
    expected = expectedFeed(reference, readCalendarFile());
    const events = scriptEvents(Date.now());
    const gate = new Promise<void>((resolve) => (releaseFeed = resolve));
    // The feed waits until the customers below are subscribed, so they receive every frame live.
    async function* gated(): AsyncGenerator<SourceRecord> {
      await gate;
      for (const event of events) yield eventRecord(event);
    }
    server = new AlpacaProtocolServer({ credentials, feed: () => new IterableSource(gated()) });
    const url = await server.start();
    run = await PipelineRun.start({
      dataset: 'lobster', // unused: the source is Alpaca
      speed: 'max',
      reset: true,
      serviceEnv: {
        'ingest-producer': {
          SOURCE: 'alpaca',
          ALPACA_URL: url,
          ALPACA_KEY: credentials.keyId,
          ALPACA_SECRET: credentials.secretKey,
          ALPACA_SYMBOLS: symbol,
          ALPACA_CHANNELS: 'trades,dailyBars,statuses',
        },
        'firehose-archiver': { BUFFER_INTERVAL_SECONDS: '5' },
      },
      log: (line) => process.env['TICKWIRE_E2E_VERBOSE'] && console.log(line),
    });

    const gateway = run.service('consumer-gateway').baseUrl;
    const { key } = await run.createDemoKey(['enriched', 'bars', 'alerts', 'corrections', 'statuses']);
    frames = [];
    socket = new WebSocket(`${gateway.replace('http', 'ws')}/v1/stream`);
    const acked = new Promise<void>((resolve, reject) => {
      socket!.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Frame & { msg?: string };
        if (frame.type === 'success' && frame.msg === 'connected') socket!.send(JSON.stringify({ action: 'auth', key }));
        else if (frame.type === 'success' && frame.msg === 'authenticated')
          socket!.send(JSON.stringify({ action: 'subscribe', enriched: [symbol], bars: [symbol], alerts: [symbol], corrections: [symbol], statuses: [symbol] }));
        else if (frame.type === 'subscription') resolve();
        else if (frame.type === 'error') reject(new Error(`gateway error frame ${JSON.stringify(frame)}`));
        else frames.push(frame);
      });
      socket!.once('error', reject);
    });
    await acked;
    graphql = [];
    graphqlClient = createClient({ url: `${gateway.replace('http', 'ws')}/v1/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: key }, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
    const sink = { next: (r: { data?: unknown }) => graphql.push(r.data as Record<string, Record<string, unknown>>), error: () => undefined, complete: () => undefined };
    const filter = { symbol: { eq: symbol } };
    graphqlClient.subscribe({ query: 'subscription($f: CorrectionFilter) { corrections(filter: $f) { id kind tradeId outcome barId barRevision } }', variables: { f: filter } }, sink);
    graphqlClient.subscribe({ query: 'subscription($f: StatusFilter) { statuses(filter: $f) { id halted state statusCode } }', variables: { f: filter } }, sink);
    // The GraphQL subscriptions are registered once the gateway processed them.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    releaseFeed();
    const counts = expectedRawCounts();
    const total = sumValues(counts);
    await run.waitForSinks({ timeoutMs: 180_000, ingestDone: (status) => sumValues(status.published) >= total });
    // The gateway delivers from the customer topics after the indexer caught up: give its fan-out a moment.
    const wanted = expected.enrichedTrades.length + expected.barPublications.length + expected.alerts.length + expected.corrections.length + expected.statuses.length;
    for (let i = 0; i < 100 && frames.length < wanted; i++) await new Promise((resolve) => setTimeout(resolve, 100));

    const kafka = createLocalKafka('tickwire-multi-session-reader', run.stack.config);
    const read = await readTopics(kafka, [TOPICS.enriched, TOPICS.bars1m, TOPICS.alerts, TOPICS.corrections, TOPICS.halts, ...Object.keys(counts)]);
    topics = new Map(
      [...read].map(([topic, records]) => [
        topic,
        records.map((r) => {
          const envelope = JSON.parse(r.value!.toString()) as { id: string; eventTime: number; payload: Record<string, unknown> };
          return { type: topic, eventTime: envelope.eventTime, id: envelope.id, data: envelope.payload };
        }),
      ]),
    );
    const from = newYorkTime(SESSIONS[0], '00:00:00');
    const to = newYorkTime('2020-11-30', '23:59:00');
    const response = await fetch(`${gateway}/v1/bars?symbol=${symbol}&from=${from}&to=${to}`, { headers: { 'x-api-key': key } });
    restBars = ((await response.json()) as { bars: Record<string, unknown>[] }).bars;
    stopped = await run.stop();
  }, 600_000);

  afterAll(async () => {
    releaseFeed();
    socket?.terminate();
    await graphqlClient?.dispose();
    await run?.stop();
    await server?.close();
  });

  it('plays real XNYS dates: a holiday between two sessions, a 13:00 early close, the split at an open (calendar file, reference rows)', () => {
    const calendar = readCalendarFile();
    expect(calendar.closedWeekdays).toContain('2020-11-26');
    expect(SESSIONS.filter((d) => calendar.closedWeekdays.includes(d))).toEqual([]);
    expect(calendar.irregularSessions.filter((s) => (SESSIONS as readonly string[]).includes(s.date))).toEqual([{ date: '2020-11-27', open: '09:30', close: '13:00' }]);
    expect(previousSessionOf('2020-11-27', calendar)).toBe('2020-11-25');
    // The scripted 11-27 session trades up to its 13:00 close, no later.
    expect(expected.enrichedTrades.filter((t) => t.eventTime >= newYorkTime('2020-11-27', '13:00:00') && t.eventTime < newYorkTime('2020-11-28', '00:00:00'))).toEqual([]);
    // Previous closes of the five sessions: seed, feed (split-adjusted), seed (newer than the feed), feed across the holiday, feed of the early close.
    expect(Object.fromEntries(expected.previousCloses)).toEqual({
      '2020-08-28': { previousClose: 500.04, previousCloseDate: '2020-08-27', previousCloseStale: false },
      '2020-08-31': { previousClose: 499.5 / 4, previousCloseDate: '2020-08-28', previousCloseStale: false },
      '2020-11-25': { previousClose: 115.17, previousCloseDate: '2020-11-24', previousCloseStale: false },
      '2020-11-27': { previousClose: 116.03, previousCloseDate: '2020-11-25', previousCloseStale: false },
      '2020-11-30': { previousClose: 116.59, previousCloseDate: '2020-11-27', previousCloseStale: false },
    });
  });

  it('ingests every scripted message from the Alpaca protocol server onto its raw topic, and archives each exactly once in S3', async () => {
    const counts = expectedRawCounts();
    for (const [topic, count] of Object.entries(counts)) expect({ topic, records: topics.get(topic)?.length }).toEqual({ topic, records: count });
    const s3 = createLocalS3();
    try {
      for (const [topic, count] of Object.entries(counts)) {
        const ids = new Map<string, number>();
        const page = await s3.send(new ListObjectsV2Command({ Bucket: run.stack.config.archiveBucket, Prefix: `${ARCHIVE_DATA_PREFIX}/${topic}/` }));
        for (const object of page.Contents ?? []) {
          const body = await s3.send(new GetObjectCommand({ Bucket: run.stack.config.archiveBucket, Key: object.Key! }));
          for (const line of gunzipSync(Buffer.from(await body.Body!.transformToByteArray())).toString('utf8').split('\n').filter(Boolean)) {
            const id = (JSON.parse(line) as { id: string }).id;
            ids.set(id, (ids.get(id) ?? 0) + 1);
          }
        }
        expect({ topic, archived: ids.size, twice: [...ids].filter(([, n]) => n !== 1) }).toEqual({ topic, archived: count, twice: [] });
      }
    } finally {
      s3.destroy();
    }
  });

  it('enriches every trade with the previous close, its date, its freshness and the change % computed from the script', () => {
    const actual = topics.get(TOPICS.enriched)!.map((e) => e.data);
    expect(actual).toHaveLength(expected.enrichedTrades.length);
    expected.enrichedTrades.forEach((want, i) => {
      const got = actual[i]!;
      const trade = got['trade'] as { tradeId?: string };
      expect({ tradeId: trade.tradeId, lastPrice: got['lastPrice'], previousClose: got['previousClose'], previousCloseDate: got['previousCloseDate'], previousCloseStale: got['previousCloseStale'] }).toEqual({
        tradeId: want.tradeId,
        lastPrice: want.lastPrice,
        previousClose: expect.closeTo(want.previousClose, 9),
        previousCloseDate: want.previousCloseDate,
        previousCloseStale: want.previousCloseStale,
      });
      expect({ tradeId: want.tradeId, changePercent: nearly(got['changePercent'], want.changePercent) }).toEqual({ tradeId: want.tradeId, changePercent: true });
    });
  });

  it('raises exactly the +-5 % alerts computed from the script (intraday and at the daily close), none on the split day from the split itself', () => {
    const actual = topics.get(TOPICS.alerts)!;
    expect(actual.map((a) => a.data['alertType'])).toEqual(expected.alerts.map(() => 'price-change-threshold'));
    expect(actual.map((a) => ({ eventTime: a.eventTime, direction: a.data['direction'], price: a.data['price'], thresholdPercent: a.data['thresholdPercent'] }))).toEqual(
      expected.alerts.map((a) => ({ eventTime: a.eventTime, direction: a.direction, price: a.price, thresholdPercent: THRESHOLD_PERCENT })),
    );
    actual.forEach((a, i) => {
      expect(nearly(a.data['changePercent'], expected.alerts[i]!.changePercent)).toBe(true);
      expect(nearly(a.data['previousClose'], expected.alerts[i]!.previousClose)).toBe(true);
    });
    // The script is built to cover each case: the split day's real +5.3 %, a re-armed second crossing, a fall after the halt, a daily close.
    expect(expected.alerts.map((a) => `${new Date(a.eventTime).toISOString().slice(0, 10)} ${a.direction}`)).toEqual([
      '2020-08-31 up',
      '2020-11-25 up',
      '2020-11-25 up',
      '2020-11-30 down',
      '2020-11-30 down',
    ]);
  });

  it('publishes every 1-minute bar and restates the corrected and cancelled ones as revision 1 of the same id', () => {
    const actual = topics.get(TOPICS.bars1m)!;
    expect(actual.map((b) => barFields(b.data))).toEqual(expected.barPublications.map(withoutVwap));
    actual.forEach((b, i) => expect({ id: b.id, vwap: nearly(b.data['vwap'], expected.barPublications[i]!.vwap) }).toEqual({ id: expected.barPublications[i]!.id, vwap: true }));
    const restated = actual.filter((b) => b.data['revision'] !== undefined);
    expect(restated).toHaveLength(2);
    const correctionIds = topics.get(TOPICS.corrections)!.map((c) => c.data['sourceEventId']);
    expect(restated.map((b) => b.data['restatedBy'])).toEqual(correctionIds.filter((_, i) => expected.corrections[i]!.outcome === 'restated'));
  });

  it('sends each correction and cancel with its outcome and the restated bar, and each status with the halted flag', () => {
    expect(topics.get(TOPICS.corrections)!.map((c) => ({ eventTime: c.eventTime, ...pick(c.data, ['kind', 'tradeId', 'outcome', 'barId', 'barRevision']) }))).toEqual(
      expected.corrections.map((c) => ({ eventTime: c.eventTime, kind: c.kind, tradeId: c.tradeId, outcome: c.outcome, barId: c.barId, ...(c.barRevision === undefined ? {} : { barRevision: c.barRevision }) })),
    );
    expect(topics.get(TOPICS.halts)!.map((h) => ({ eventTime: h.eventTime, statusCode: h.data['statusCode'], halted: h.data['halted'] }))).toEqual(expected.statuses);
  });

  it('keeps the latest revision of every bar in OpenSearch and returns it on REST GET /v1/bars', async () => {
    const client = createLocalOpenSearch();
    try {
      const response = await client.search({ index: 'market-bars-1m-*', body: { size: 1_000, query: { term: { symbol } } } });
      const hits = response.body.hits.hits as { _id: string; _source: Record<string, unknown> }[];
      const want = [...expected.finalBars.values()].map(withoutVwap);
      expect(hits.map((h) => ({ ...barFields(h._source), id: h._id })).sort((a, b) => a.startTime - b.startTime)).toEqual(want);
    } finally {
      await client.close();
    }
    expect(restBars.map((b) => barFields(b)).sort((a, b) => a.startTime - b.startTime)).toEqual([...expected.finalBars.values()].map(withoutVwap));
  });

  it('delivers every enriched trade, bar publication, alert, correction and status to the /v1/stream customer, as on the topics', () => {
    const ofType = (type: string) => frames.filter((f) => f.type === type).map((f) => ({ id: f.id, eventTime: f.eventTime, data: f.data }));
    const onTopic = (topic: string) => topics.get(topic)!.map((f) => ({ id: f.id, eventTime: f.eventTime, data: f.data }));
    expect(ofType('enriched')).toEqual(onTopic(TOPICS.enriched));
    expect(ofType('bar')).toEqual(onTopic(TOPICS.bars1m));
    expect(ofType('alert')).toEqual(onTopic(TOPICS.alerts));
    expect(ofType('correction')).toEqual(onTopic(TOPICS.corrections));
    expect(ofType('status')).toEqual(onTopic(TOPICS.halts));
  });

  it('delivers the corrections and statuses to the GraphQL customer', () => {
    const corrections = graphql.filter((r) => r['corrections']).map((r) => r['corrections']!);
    const statuses = graphql.filter((r) => r['statuses']).map((r) => r['statuses']!);
    expect(corrections.map((c) => ({ kind: c['kind'], tradeId: c['tradeId'], outcome: c['outcome'] }))).toEqual(
      expected.corrections.map((c) => ({ kind: c.kind, tradeId: c.tradeId, outcome: c.outcome })),
    );
    expect(statuses.map((s) => ({ statusCode: s['statusCode'], halted: s['halted'] }))).toEqual(expected.statuses.map((s) => ({ statusCode: s.statusCode, halted: s.halted })));
  });

  it('keeps the last trade, its change and the halted flag of the symbol in DynamoDB symbol-state', async () => {
    const documents = DynamoDBDocumentClient.from(createLocalDynamoDb());
    try {
      const { Item } = await documents.send(new GetCommand({ TableName: SYMBOL_STATE_TABLE.tableName, Key: { symbol } }));
      expect(Item).toMatchObject({ symbol, lastPrice: expected.last.price, previousClose: 116.59, previousCloseDate: '2020-11-27' });
      expect({ halted: Item!['halted'] }).toEqual({ halted: expected.statuses.at(-1)!.halted });
      expect(expected.statuses.at(-1)!.halted).toBe(true); // the LULD pause at the end of the script
      expect(nearly(Item!['changePercent'], expected.last.changePercent)).toBe(true);
    } finally {
      documents.destroy();
    }
  });

  it('stops every service gracefully', () => {
    expect(stopped).toHaveLength(5);
    for (const outcome of stopped) expect(outcome).toMatchObject({ killed: false, exitCode: 0 });
  });
});

function pick(data: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => data[k] !== undefined).map((k) => [k, data[k]]));
}
