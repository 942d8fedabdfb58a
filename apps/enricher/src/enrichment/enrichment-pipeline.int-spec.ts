import { spawnEnricher } from '../testing/enricher-process';
import { ENRICHER_PRODUCERS_PER_TASK } from '../service-definition';
import { ENRICHER_INPUT_TOPICS } from './enrichment-pipeline.service';
import { RecordProducer } from '@tickwire/kafka';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  type Bar1mV1Event,
  buildEvent,
  type EnrichedV1Event,
  TOPICS,
  type TradeV1Event,
} from '@tickwire/contracts';
import { LobsterReplaySource } from '@tickwire/market-sources';
import { DAILY_CSV_HEADER as DAILY_BARS_CSV_HEADER } from '@tickwire/market-sources';
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
 * Exactly-once on the real stack: a slice of real LOBSTER AAPL trades (renamed to a symbol of this
 * run) goes through `node -r @swc-node/register apps/enricher/src/main.ts`, which is killed with
 * SIGKILL mid-stream (no graceful commit) and started again. Read with read_committed, every trade is
 * enriched exactly once and the 1-minute bars equal bars computed here from the trades, including the
 * bar open at the kill (restored from the changelog). symbol-state (written in the background after
 * each commit) comes to hold the last trade, with nothing left pending; deleted, it is written again by
 * a third enricher from the restored state alone (no input left).
 *
 * The enricher's input topics are fixed (market.trades.v1, ...): the test uses them with a consumer
 * group of its own positioned at their end, a symbol of its own, and its own changelog topic,
 * reference table, symbol-state table and transactional id, so it neither sees nor disturbs other runs.
 */
const TRADES = 2_400;
const PREVIOUS_CLOSE = 585.741;

interface ExpectedBar {
  startTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number;
  tradeCount: number;
}

/** 1-minute bars computed directly from the trades (independent of @tickwire/indicators). */
function barsOf(trades: readonly TradeV1Event[]): ExpectedBar[] {
  const byMinute = new Map<number, TradeV1Event[]>();
  for (const trade of trades) {
    const start = trade.eventTime - (trade.eventTime % 60_000);
    byMinute.set(start, [...(byMinute.get(start) ?? []), trade]);
  }
  return [...byMinute]
    .sort(([a], [b]) => a - b)
    .map(([startTime, list]) => {
      const prices = list.map((t) => t.payload.price);
      const volume = list.reduce((sum, t) => sum + t.payload.size, 0);
      const notional = list.reduce((sum, t) => sum + t.payload.price * t.payload.size, 0);
      return {
        startTime,
        open: prices[0] as number,
        high: Math.max(...prices),
        low: Math.min(...prices),
        close: prices[prices.length - 1] as number,
        volume,
        vwap: notional / volume,
        tradeCount: list.length,
      };
    });
}

describe('enricher exactly-once across a crash (real Kafka, DynamoDB Local)', () => {
  const symbol = `Z${Math.random()
    .toString(36)
    .slice(2, 7)
    .toUpperCase()
    .replace(/[^A-Z]/g, 'Q')}`;
  const groupId = uniqueName('it-enricher-eos');
  const serviceName = uniqueName('enricher-eos');
  const changelogTopic = uniqueName('it-enricher-changelog');
  const referenceTable = uniqueName('it-reference');
  const stateTable = uniqueName('it-symbol-state');
  const kafka = createLocalKafka('enricher-eos-test');
  let admin: Admin;
  let producer: Producer;
  let reader: Consumer;
  let dynamo: DynamoDBClient;
  let trades: TradeV1Event[];
  let dir: string;
  const children: ChildProcess[] = [];
  const enriched = new Map<string, number>();
  const bars: Bar1mV1Event[] = [];
  const enrichedEvents: EnrichedV1Event[] = [];
  let port: number;
  let logFile: string;

  const startEnricher = (): ChildProcess => {
    const child = spawnEnricher({
      names: { serviceName, groupId, changelogTopic, referenceTable, stateTable },
      port,
      logFile,
      // Longer than any pause of the test's producer, so only the end of input triggers the flush.
      env: { BAR_IDLE_FLUSH_MS: '6000' },
    });
    children.push(child);
    return child;
  };

  const committed = async (): Promise<bigint> => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [TOPICS.trades] });
    return (offsets?.partitions ?? []).reduce(
      (sum, p) => sum + (BigInt(p.offset) > 0n ? BigInt(p.offset) : 0n),
      0n,
    );
  };
  const endOffsets = async (): Promise<bigint> =>
    (await admin.fetchTopicOffsets(TOPICS.trades)).reduce((sum, p) => sum + BigInt(p.offset), 0n);

  beforeAll(async () => {
    port = await freePort();
    trades = [];
    for await (const record of new LobsterReplaySource({ symbols: ['AAPL'], quotes: 'none' })) {
      if (record.kind !== 'event') continue;
      const raw = record.event as TradeV1Event;
      // Same trade under this run's symbol; buildEvent recomputes the id (it covers the symbol).
      trades.push(
        buildEvent('market.trade.v1', {
          eventTime: raw.eventTime,
          ...(raw.eventTimeNs !== undefined ? { eventTimeNs: raw.eventTimeNs } : {}),
          ingestTime: raw.ingestTime,
          source: raw.source,
          payload: { ...raw.payload, symbol },
        }),
      );
      if (trades.length === TRADES) break;
    }

    dynamo = createLocalDynamoDb();
    dir = await mkdtemp(join(tmpdir(), 'enricher-eos-'));
    logFile = join(dir, 'enricher.log');
    const file = join(dir, 'daily.csv.gz');
    // The real AAPL 2012-06-20 row (data/market/daily/lobster_symbols_daily_*.csv.gz), under this run's symbol.
    await writeFile(
      file,
      gzipSync(
        `${DAILY_BARS_CSV_HEADER.join(',')}\n${symbol},2012-06-20,588.21,589.25,580.8,585.741,18.0168179067,12819400,0.0,1.0\n`,
      ),
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
    await commitOffsetsAtEnd(admin, groupId, ENRICHER_INPUT_TOPICS);
    const readerGroup = uniqueName('it-enricher-eos-reader');
    await commitOffsetsAtEnd(admin, readerGroup, [TOPICS.enriched, TOPICS.bars1m]);
    reader = kafka.consumer({ groupId: readerGroup, readUncommitted: false, maxWaitTimeInMs: 200 });
    await reader.connect();
    await reader.subscribe({ topics: [TOPICS.enriched, TOPICS.bars1m] });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        if (message.key?.toString() !== symbol) return;
        const event = JSON.parse(message.value?.toString() ?? 'null') as EnrichedV1Event | Bar1mV1Event;
        if (topic === TOPICS.bars1m) bars.push(event as Bar1mV1Event);
        else {
          enrichedEvents.push(event as EnrichedV1Event);
          enriched.set(event.id, (enriched.get(event.id) ?? 0) + 1);
        }
      },
    });
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    // SIGTERM (SIGKILL only after 15 s): a killed enricher's open transaction would hold the last
    // stable offset of the shared output topics for 60 s, stalling other tests' readers.
    await Promise.all(children.map((child) => stopChildProcess(child)));
    await reader?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [changelogTopic] }).catch(() => undefined);
    await admin?.disconnect();
    for (const table of [referenceTable, stateTable])
      await dynamo?.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    dynamo?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const produce = async (slice: readonly TradeV1Event[]) => {
    for (let i = 0; i < slice.length; i += 500) {
      await producer.send({
        topic: TOPICS.trades,
        acks: -1,
        messages: slice.slice(i, i + 500).map((t) => ({ key: symbol, value: JSON.stringify(t) })),
      });
    }
  };

  it('enriches every trade once and emits exactly the bars of the data after a SIGKILL mid-stream', async () => {
    const half = Math.floor(TRADES / 2);
    const first = startEnricher();
    await produce(trades.slice(0, half));
    const afterFirst = await endOffsets();
    await waitUntil('the first half to be committed', async () => (await committed()) >= afterFirst, 120_000);

    // Crash while the second half is being processed: no graceful shutdown, no final commit.
    await produce(trades.slice(half));
    const end = await endOffsets();
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    // The crash really interrupted the stream: part of the second half was not committed.
    expect(await committed()).toBeLessThan(end);
    // The killed instance's open transactions (one per task and producer slot: it always has one open
    // while it works) hold the last stable offset of the shared output topics until its successor
    // fences them, which here waits for the restart's compile: other suites of `npm test` reading
    // those topics read_committed meanwhile (the indexer's) would stall. Fence them now, as the
    // restarted enricher does again when it joins: it still restores from what was committed.
    const partitions = (await admin.fetchTopicOffsets(TOPICS.trades)).map(({ partition }) => partition);
    for (const partition of partitions)
      for (let slot = 0; slot < ENRICHER_PRODUCERS_PER_TASK; slot += 1) {
        const base = `${serviceName}-${groupId}-${partition}`;
        const zombie = new RecordProducer(kafka, { transactionalId: slot === 0 ? base : `${base}-${slot}` });
        await zombie.connect();
        await zombie.initTransactions();
        await zombie.disconnect();
      }

    startEnricher();
    await waitUntil('every trade to be committed', async () => (await committed()) >= end, 120_000);
    const expected = barsOf(trades);
    // The last minute closes through the idle flush (6 s without input).
    await waitUntil(
      'every bar to be read',
      async () => bars.length >= expected.length && enriched.size >= TRADES,
      60_000,
      () =>
        `(bars ${bars.length}/${expected.length}, enriched ${enriched.size}/${TRADES}); enricher log:\n${readFileSync(logFile, 'utf8').slice(-4_000)}`,
    );
    await new Promise((r) => setTimeout(r, 2_000)); // a duplicate would arrive now

    expect(enriched.size).toBe(TRADES);
    expect([...enriched.values()].every((count) => count === 1)).toBe(true);
    expect(enrichedEvents.map((e) => e.payload.sourceEventId).sort()).toEqual(trades.map((t) => t.id).sort());
    // Every trade saw the previous close (reference data from DynamoDB), before and after the crash.
    const withoutReference = enrichedEvents
      .filter((e) => e.payload.previousClose === null)
      .map((e) => e.eventTime);
    expect([symbol, withoutReference.length, withoutReference.slice(0, 3)]).toEqual([symbol, 0, []]);
    const last = enrichedEvents.find((e) => e.payload.sourceEventId === trades[trades.length - 1]?.id);
    expect(last?.payload).toMatchObject({
      previousClose: PREVIOUS_CLOSE,
      previousCloseDate: '2012-06-20',
      lastPrice: trades[trades.length - 1]?.payload.price,
    });

    expect(bars.map((b) => b.payload.startTime)).toEqual(expected.map((b) => b.startTime));
    for (const [i, bar] of bars.entries()) {
      const want = expected[i] as ExpectedBar;
      expect({ ...bar.payload, vwap: 0 }).toEqual({
        symbol,
        endTime: want.startTime + 60_000,
        ...want,
        vwap: 0,
      });
      expect(Math.abs(bar.payload.vwap - want.vwap) / want.vwap).toBeLessThan(1e-12);
    }

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const sample = (name: string) =>
      Number(
        new RegExp(`^${name} (\\d+)$`, 'm').exec(
          metrics.replace(/,?service="[^"]*"/g, '').replace(/\{\}/g, ''),
        )?.[1] ?? 'NaN',
      );
    expect(sample('tickwire_late_records_total\\{topic="market\\.trades\\.v1"\\}')).toBe(0);
    expect(sample('tickwire_bars_emitted_total\\{trigger="idle-flush"\\}')).toBeGreaterThanOrEqual(1);

    // symbol-state is written in the background after the commit: wait for the last trade to land.
    const lastTrade = trades[trades.length - 1] as TradeV1Event;
    const stateItem = () =>
      dynamo.send(
        new GetItemCommand({ TableName: stateTable, Key: { symbol: { S: symbol } }, ConsistentRead: true }),
      );
    await waitUntil(
      'symbol-state to hold the last trade',
      async () => Number((await stateItem()).Item?.['lastEventTime']?.N) === lastTrade.eventTime,
      30_000,
    );
    const item = await stateItem();
    expect(Number(item.Item?.['lastPrice']?.N)).toBe(lastTrade.payload.price);
    expect(Number(item.Item?.['lastEventTime']?.N)).toBe(lastTrade.eventTime);
    expect(Number(item.Item?.['previousClose']?.N)).toBe(PREVIOUS_CLOSE);
    expect(Number(item.Item?.['changePercent']?.N)).toBeCloseTo(
      ((lastTrade.payload.price - PREVIOUS_CLOSE) / PREVIOUS_CLOSE) * 100,
      9,
    );
    const pending = async () =>
      Number(
        /^tickwire_enricher_symbol_state_pending_records\{[^}]*\} (\d+)$/m.exec(
          await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
        )?.[1] ?? 'NaN',
      );
    await waitUntil('no symbol-state write pending', async () => (await pending()) === 0, 10_000);

    // The restarted enricher stops cleanly on SIGTERM (exit 0, no SIGKILL after the grace period), so
    // no transaction of it stays open on the shared output topics.
    expect(await stopChildProcess(children[1] as ChildProcess)).toMatchObject({ exitCode: 0, killed: false });

    // A crash can lose views taken but not yet written (DynamoDB down, then SIGKILL: found by `npm run
    // chaos`). With no input left, only the restore can write them: the item is deleted here and a new
    // enricher, which receives no record, writes it again from the changelog.
    await dynamo.send(new DeleteItemCommand({ TableName: stateTable, Key: { symbol: { S: symbol } } }));
    expect((await stateItem()).Item).toBeUndefined();
    startEnricher();
    await waitUntil(
      'symbol-state to be written again from the restored state',
      async () => Number((await stateItem()).Item?.['lastEventTime']?.N) === lastTrade.eventTime,
      60_000,
      () => `enricher log:\n${readFileSync(logFile, 'utf8').slice(-4_000)}`,
    );
    expect(Number((await stateItem()).Item?.['lastPrice']?.N)).toBe(lastTrade.payload.price);
    expect(await stopChildProcess(children[2] as ChildProcess)).toMatchObject({ exitCode: 0, killed: false });
  }, 460_000);
});
