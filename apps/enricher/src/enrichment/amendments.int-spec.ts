import { spawnEnricher } from '../testing/enricher-process';
import { ENRICHER_INPUT_TOPICS } from './enrichment-pipeline.service';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  type Bar1mV1Event,
  buildEvent,
  type CorrectionV1Event,
  type HaltV1Event,
  TOPICS,
  type TradeV1Event,
} from '@tickwire/contracts';
import { DAILY_CSV_HEADER } from '@tickwire/market-sources';
import { loadReferenceDailyBars } from '@tickwire/reference-data';
import {
  createLocalDynamoDb,
  createLocalKafka,
  freePort,
  stopChildProcess,
  uniqueName,
  waitUntil,
  commitOffsetsAtEnd,
} from '@tickwire/testing';
import type { Admin, Consumer, Producer } from 'kafkajs';

/**
 * Corrections, cancels and halts through the real enricher process on the real stack: Alpaca-style
 * trades (with source trade ids) of a symbol of this run over three minutes, then a correction and a
 * cancel of trades whose bars were already published, and a halt and its resumption, each on its own
 * raw topic. Read back with read_committed: the two bars are restated as revision 1 (the second bar's
 * cancel) and revisions 1 and 2 (the first bar's correction, then its cancel) with the values computed
 * here from the amended trades, the customer corrections say so, and the halts carry the flag.
 */
const MINUTE = Date.UTC(2026, 11, 7, 15, 0); // a minute boundary, epoch ms

interface Trade {
  tradeId: string;
  price: number;
  size: number;
  eventTime: number;
}

/** The bar of `trades` computed here (first/last by time, max/min, sum(p*s)/sum(s)), independent of the enricher. */
function barOf(trades: readonly Trade[]) {
  const sorted = [...trades].sort((a, b) => a.eventTime - b.eventTime);
  const volume = sorted.reduce((sum, t) => sum + t.size, 0);
  return {
    open: sorted[0]!.price,
    high: Math.max(...sorted.map((t) => t.price)),
    low: Math.min(...sorted.map((t) => t.price)),
    close: sorted[sorted.length - 1]!.price,
    volume,
    vwap: sorted.reduce((sum, t) => sum + t.price * t.size, 0) / volume,
    tradeCount: sorted.length,
  };
}

describe('enricher applies corrections, cancels and halts (real Kafka, DynamoDB Local)', () => {
  const symbol = `Y${Math.random()
    .toString(36)
    .slice(2, 7)
    .toUpperCase()
    .replace(/[^A-Z]/g, 'Q')}`;
  const groupId = uniqueName('it-enricher-amend');
  const serviceName = uniqueName('enricher-amend');
  const changelogTopic = uniqueName('it-enricher-amend-changelog');
  const referenceTable = uniqueName('it-amend-reference');
  const stateTable = uniqueName('it-amend-state');
  const kafka = createLocalKafka('enricher-amend-test');
  const inputs = [...ENRICHER_INPUT_TOPICS];
  const outputs = [TOPICS.bars1m, TOPICS.corrections, TOPICS.halts];
  let admin: Admin;
  let producer: Producer;
  let reader: Consumer;
  let dynamo: DynamoDBClient;
  let dir: string;
  let child: ChildProcess | undefined;
  const bars: Bar1mV1Event[] = [];
  const corrections: CorrectionV1Event[] = [];
  const halts: HaltV1Event[] = [];

  const trades: Trade[] = [
    { tradeId: '1001', price: 100.1, size: 100, eventTime: MINUTE + 1_000 },
    { tradeId: '1002', price: 100.5, size: 200, eventTime: MINUTE + 20_000 },
    { tradeId: '1003', price: 100.3, size: 50, eventTime: MINUTE + 40_000 },
    { tradeId: '2001', price: 101.0, size: 10, eventTime: MINUTE + 61_000 },
    { tradeId: '2002', price: 99.0, size: 30, eventTime: MINUTE + 90_000 },
    { tradeId: '3001', price: 100.0, size: 5, eventTime: MINUTE + 125_000 },
  ];
  const envelope = (eventTime: number) => ({ eventTime, ingestTime: MINUTE + 200_000, source: 'alpaca' });
  const tradeEvent = (t: Trade): TradeV1Event =>
    buildEvent('market.trade.v1', {
      ...envelope(t.eventTime),
      payload: { symbol, price: t.price, size: t.size, aggressorSide: 'unknown', tradeId: t.tradeId },
    });

  beforeAll(async () => {
    dynamo = createLocalDynamoDb();
    dir = await mkdtemp(join(tmpdir(), 'enricher-amend-'));
    const file = join(dir, 'daily.csv.gz');
    await writeFile(
      file,
      gzipSync(`${DAILY_CSV_HEADER.join(',')}\n${symbol},2026-12-04,100,101,99,100,100,1000000,0.0,1.0\n`),
    );
    await loadReferenceDailyBars(dynamo, { files: [file], tableName: referenceTable });
    await dynamo.send(
      new CreateTableCommand({
        TableName: stateTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'symbol', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'symbol', KeyType: 'HASH' }],
      }),
    );
    await waitUntilTableExists({ client: dynamo, maxWaitTime: 60 }, { TableName: stateTable });
    admin = kafka.admin();
    await admin.connect();
    await commitOffsetsAtEnd(admin, groupId, inputs);
    const readerGroup = uniqueName('it-enricher-amend-reader');
    await commitOffsetsAtEnd(admin, readerGroup, outputs);
    reader = kafka.consumer({ groupId: readerGroup, readUncommitted: false, maxWaitTimeInMs: 200 });
    await reader.connect();
    await reader.subscribe({ topics: outputs });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        if (message.key?.toString() !== symbol) return;
        const event = JSON.parse(message.value?.toString() ?? 'null') as never;
        if (topic === TOPICS.bars1m) bars.push(event);
        else if (topic === TOPICS.corrections) corrections.push(event);
        else halts.push(event);
      },
    });
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    if (child) await stopChildProcess(child);
    await reader?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [changelogTopic] }).catch(() => undefined);
    await admin?.disconnect();
    for (const table of [referenceTable, stateTable])
      await dynamo?.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    dynamo?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const send = (topic: string, events: readonly { payload: { symbol: string } }[]) =>
    producer.send({
      topic,
      acks: -1,
      messages: events.map((event) => ({ key: symbol, value: JSON.stringify(event) })),
    });

  it('restates the published bars as new revisions, reports each amendment and applies the halt flag', async () => {
    const port = await freePort();
    const logFile = join(dir, 'enricher.log');
    child = spawnEnricher({
      names: { serviceName, groupId, changelogTopic, referenceTable, stateTable },
      port,
      logFile,
      env: { BAR_IDLE_FLUSH_MS: '60000' },
    });
    const log = () => readFileSync(logFile, 'utf8').slice(-4_000);
    await send(TOPICS.trades, trades.map(tradeEvent));
    // Minutes 0 and 1 close when trade 3001 (minute 2) passes them.
    await waitUntil(
      'the first two bars',
      async () => bars.length >= 2,
      90_000,
      () => `bars ${bars.length}; enricher log:\n${log()}`,
    );
    expect(bars.map((b) => [b.payload.startTime, b.payload.revision])).toEqual([
      [MINUTE, undefined],
      [MINUTE + 60_000, undefined],
    ]);

    const correction = buildEvent('market.trade-correction.v1', {
      ...envelope(MINUTE + 20_000),
      payload: {
        symbol,
        originalTradeId: '1002',
        originalPrice: 100.5,
        originalSize: 200,
        correctedTradeId: '1009',
        correctedPrice: 100.2,
        correctedSize: 20,
      },
    });
    const cancelFirst = buildEvent('market.trade-cancel.v1', {
      ...envelope(MINUTE + 1_000),
      payload: { symbol, tradeId: '1001', price: 100.1, size: 100, action: 'cancel' },
    });
    const cancelSecond = buildEvent('market.trade-cancel.v1', {
      ...envelope(MINUTE + 90_000),
      payload: { symbol, tradeId: '2002', price: 99, size: 30, action: 'error' },
    });
    const unknown = buildEvent('market.trade-cancel.v1', {
      ...envelope(MINUTE + 95_000),
      payload: { symbol, tradeId: '9999', price: 99, size: 1, action: 'cancel' },
    });
    await send(TOPICS.tradeCorrections, [correction]);
    await send(TOPICS.tradeCancels, [cancelFirst, cancelSecond, unknown]);
    const halt = buildEvent('market.trading-status.v1', {
      ...envelope(MINUTE + 126_000),
      payload: { symbol, statusCode: 'P', reasonCode: 'LUDP', state: 'halted' },
    });
    const resume = buildEvent('market.trading-status.v1', {
      ...envelope(MINUTE + 127_000),
      payload: { symbol, statusCode: 'T', state: 'trading' },
    });
    await send(TOPICS.tradingStatus, [halt, resume]);

    await waitUntil(
      'the restated bars, the corrections and the halts',
      async () => bars.length >= 5 && corrections.length >= 4 && halts.length >= 2,
      90_000,
      () =>
        `bars ${bars.length}, corrections ${corrections.length}, halts ${halts.length}; enricher log:\n${log()}`,
    );
    // The amendment topics are non-blocking inputs: which of the correction and the cancel of minute 0
    // is applied first depends on when their batches arrive; the last revision holds both.
    const corrected = trades.map((t) =>
      t.tradeId === '1002' ? { ...t, tradeId: '1009', price: 100.2, size: 20 } : t,
    );
    const minute0 = (list: Trade[]) => list.filter((t) => t.eventTime < MINUTE + 60_000);
    const minute1 = (list: Trade[]) =>
      list.filter((t) => t.eventTime >= MINUTE + 60_000 && t.eventTime < MINUTE + 120_000);
    const expectBar = (
      bar: Bar1mV1Event,
      startTime: number,
      revision: number,
      list: Trade[],
      restatedBy: string,
    ) => {
      const want = barOf(list);
      expect({ ...bar.payload, vwap: 0 }).toEqual({
        symbol,
        startTime,
        endTime: startTime + 60_000,
        ...want,
        vwap: 0,
        revision,
        restatedBy,
      });
      expect(Math.abs(bar.payload.vwap - want.vwap) / want.vwap).toBeLessThan(1e-12);
      expect(bar.id).toBe(`${symbol}:${startTime}`);
    };
    const restated0 = bars.slice(2).filter((b) => b.payload.startTime === MINUTE);
    const restated1 = bars.slice(2).filter((b) => b.payload.startTime === MINUTE + 60_000);
    expect(restated0.map((b) => b.payload.revision)).toEqual([1, 2]);
    const firstApplied = restated0[0]!.payload.restatedBy === correction.id ? 'correction' : 'cancel';
    expectBar(
      restated0[0]!,
      MINUTE,
      1,
      minute0(firstApplied === 'correction' ? corrected : trades.filter((t) => t.tradeId !== '1001')),
      firstApplied === 'correction' ? correction.id : cancelFirst.id,
    );
    expectBar(
      restated0[1]!,
      MINUTE,
      2,
      minute0(corrected.filter((t) => t.tradeId !== '1001')),
      firstApplied === 'correction' ? cancelFirst.id : correction.id,
    );
    expect(restated1).toHaveLength(1);
    expectBar(
      restated1[0]!,
      MINUTE + 60_000,
      1,
      minute1(trades.filter((t) => t.tradeId !== '2002')),
      cancelSecond.id,
    );
    const byTrade = [...corrections].sort((a, b) => a.payload.tradeId.localeCompare(b.payload.tradeId));
    expect(
      byTrade.map((c) => [c.payload.kind, c.payload.tradeId, c.payload.outcome, c.payload.barId]),
    ).toEqual([
      ['cancel', '1001', 'restated', `${symbol}:${MINUTE}`],
      ['correction', '1002', 'restated', `${symbol}:${MINUTE}`],
      ['error', '2002', 'restated', `${symbol}:${MINUTE + 60_000}`],
      ['cancel', '9999', 'not-found', undefined],
    ]);
    expect(
      byTrade
        .map((c) => c.payload.barRevision)
        .slice(0, 2)
        .sort(),
    ).toEqual([1, 2]);
    expect(halts.map((h) => [h.payload.halted, h.payload.state, h.payload.sourceEventId])).toEqual([
      [true, 'halted', halt.id],
      [false, 'trading', resume.id],
    ]);
    expect(await stopChildProcess(child)).toMatchObject({ exitCode: 0, killed: false });
    child = undefined;
  }, 300_000);
});
