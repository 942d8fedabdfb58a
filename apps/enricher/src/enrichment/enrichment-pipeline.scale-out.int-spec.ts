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
  type EnrichedV1Event,
  TOPICS,
  type TradeV1Event,
} from '@tickwire/contracts';
import { DAILY_CSV_HEADER, LobsterReplaySource } from '@tickwire/market-sources';
import { loadReferenceDailyBars, PreviousCloseReader } from '@tickwire/reference-data';
import {
  createLocalDynamoDb,
  createLocalKafka,
  freePort,
  stopChildProcess,
  uniqueName,
  waitUntil,
  commitOffsetsAtEnd,
} from '@tickwire/testing';
import { AssignerProtocol, type Admin, type Consumer, type Producer } from 'kafkajs';
import { enricherSettingsEnvSchema, enrichmentSettingsOf } from './enricher-env';
import { EnrichmentEngine } from './enrichment-engine.service';

/**
 * Scale-out on the real stack: two enricher processes (`node -r @swc-node/register main.ts`) in one
 * consumer group share the co-partitioned input tasks; one is stopped with SIGTERM while records
 * are in flight, and the other takes its tasks over. Read with read_committed, every trade is
 * enriched exactly once, and every enriched event and bar equals the output of a single-instance
 * reference run (the EnrichmentEngine in this process over the same per-symbol input): indicators
 * (moving averages, previous close, the bar open at the handover) continue where the stopped
 * instance left them, restored from its changelog partitions.
 *
 * Isolation as in enrichment-pipeline.int-spec.ts: the fixed raw topics, with a group of its own
 * positioned at their end, symbols of its own, and its own changelog, tables and service name
 * (hence transactional ids).
 */
const SYMBOLS = 6;
const TRADES_PER_SYMBOL = 300;
const PREVIOUS_CLOSE = 585.741;
const INPUTS = [TOPICS.trades, TOPICS.quotes, TOPICS.barsDaily];
/** Short moving averages: each symbol's ~3 minutes of trades carry averages across the handover. */
const SETTINGS_ENV = { MA_FAST_PERIOD: '2', MA_SLOW_PERIOD: '3' };

/** What must match the reference: the payload without the processing-time clock. */
function comparable(event: EnrichedV1Event | Bar1mV1Event): unknown {
  const payload: Record<string, unknown> = { ...event.payload };
  delete payload['processingTime'];
  return { id: event.id, eventTime: event.eventTime, payload };
}

describe('enricher scale-out: two instances, one group, SIGTERM hands tasks over (real Kafka, DynamoDB Local)', () => {
  const token = Math.random()
    .toString(36)
    .slice(2, 6)
    .toUpperCase()
    .replace(/[^A-Z]/g, 'Q');
  const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${token}${String.fromCharCode(65 + i)}`);
  const groupId = uniqueName('it-enricher-scale');
  const serviceName = uniqueName('enricher-scale');
  const changelogTopic = uniqueName('it-enricher-scale-changelog');
  const referenceTable = uniqueName('it-scale-reference');
  const stateTable = uniqueName('it-scale-state');
  const kafka = createLocalKafka('enricher-scale-test');
  let admin: Admin;
  let producer: Producer;
  let reader: Consumer;
  let dynamo: DynamoDBClient;
  let dir: string;
  const trades = new Map<string, TradeV1Event[]>();
  const children: { child: ChildProcess; log: string }[] = [];
  const enriched: EnrichedV1Event[] = [];
  const bars: Bar1mV1Event[] = [];

  const startEnricher = async (name: string): Promise<ChildProcess> => {
    const log = join(dir, `${name}.log`);
    const child = spawnEnricher({
      names: { serviceName, groupId, changelogTopic, referenceTable, stateTable },
      port: await freePort(),
      logFile: log,
      stderr: 'log',
      env: {
        ...SETTINGS_ENV,
        // No processing-time flush: whether an instance idles while the test waits must not close
        // minutes early (trades would turn late). Bars close in event time only, as in the reference.
        BAR_IDLE_FLUSH_MS: '0',
      },
    });
    children.push({ child, log });
    return child;
  };
  const logs = () => children.map(({ log }) => readFileSync(log, 'utf8').slice(-3_000)).join('\n---\n');

  /** Assignment per live member: topic -> partitions, decoded from the group description. */
  const assignments = async (): Promise<Record<string, number[]>[]> => {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    if (group?.state !== 'Stable') return [];
    return group.members.map(
      (member) => AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {},
    );
  };
  const committed = async (): Promise<bigint> => {
    let sum = 0n;
    for (const [offsets] of [await admin.fetchOffsets({ groupId, topics: [TOPICS.trades] })])
      for (const p of offsets?.partitions ?? []) if (BigInt(p.offset) > 0n) sum += BigInt(p.offset);
    return sum;
  };
  const endOffsets = async (): Promise<bigint> =>
    (await admin.fetchTopicOffsets(TOPICS.trades)).reduce((sum, p) => sum + BigInt(p.offset), 0n);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'enricher-scale-'));
    // Real LOBSTER AAPL trades, a different stretch of the day for every symbol of this run.
    const aapl: TradeV1Event[] = [];
    for await (const record of new LobsterReplaySource({ symbols: ['AAPL'], quotes: 'none' })) {
      if (record.kind !== 'event') continue;
      aapl.push(record.event as TradeV1Event);
      if (aapl.length === SYMBOLS * TRADES_PER_SYMBOL) break;
    }
    symbols.forEach((symbol, i) => {
      const slice = aapl.slice(i * TRADES_PER_SYMBOL, (i + 1) * TRADES_PER_SYMBOL);
      trades.set(
        symbol,
        slice.map((raw) =>
          buildEvent('market.trade.v1', {
            eventTime: raw.eventTime,
            ...(raw.eventTimeNs !== undefined ? { eventTimeNs: raw.eventTimeNs } : {}),
            ingestTime: raw.ingestTime,
            source: raw.source,
            payload: { ...raw.payload, symbol },
          }),
        ),
      );
    });

    dynamo = createLocalDynamoDb();
    const file = join(dir, 'daily.csv.gz');
    // The real AAPL 2012-06-20 row, under each symbol of this run: every symbol has a previous close.
    const rows = symbols.map(
      (s) => `${s},2012-06-20,588.21,589.25,580.8,${PREVIOUS_CLOSE},18.0168179067,12819400,0.0,1.0`,
    );
    await writeFile(file, gzipSync(`${DAILY_CSV_HEADER.join(',')}\n${rows.join('\n')}\n`));
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
    const readerGroup = uniqueName('it-enricher-scale-reader');
    await commitOffsetsAtEnd(admin, readerGroup, [TOPICS.enriched, TOPICS.bars1m]);
    const mine = new Set(symbols);
    reader = kafka.consumer({ groupId: readerGroup, readUncommitted: false, maxWaitTimeInMs: 200 });
    await reader.connect();
    await reader.subscribe({ topics: [TOPICS.enriched, TOPICS.bars1m] });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        if (!mine.has(message.key?.toString() ?? '')) return;
        const event = JSON.parse(message.value?.toString() ?? 'null') as EnrichedV1Event | Bar1mV1Event;
        if (topic === TOPICS.bars1m) bars.push(event as Bar1mV1Event);
        else enriched.push(event as EnrichedV1Event);
      },
    });
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    // SIGTERM (SIGKILL only after 15 s): a killed enricher's open transaction would hold the last
    // stable offset of the shared output topics for 60 s, stalling other tests' readers.
    await Promise.all(children.map(({ child }) => stopChildProcess(child)));
    await reader?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [changelogTopic] }).catch(() => undefined);
    await admin?.disconnect();
    for (const table of [referenceTable, stateTable])
      await dynamo?.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    dynamo?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Symbol i goes to partition i mod 3: every task has symbols, whatever the key hash. */
  const produce = async (from: number, to: number) => {
    const messages = symbols.flatMap((symbol, i) =>
      (trades.get(symbol) ?? [])
        .slice(from, to)
        .map((t) => ({ key: symbol, value: JSON.stringify(t), partition: i % 3 })),
    );
    for (let i = 0; i < messages.length; i += 300)
      await producer.send({ topic: TOPICS.trades, acks: -1, messages: messages.slice(i, i + 300) });
  };

  it('splits co-partitioned tasks over two instances; after a SIGTERM the other continues every symbol exactly once', async () => {
    const a = await startEnricher('a');
    await startEnricher('b');
    let split: Record<string, number[]>[] = [];
    await waitUntil(
      'both instances to own tasks',
      async () => {
        split = await assignments();
        return split.length === 2 && split.every((assignment) => Object.keys(assignment).length > 0);
      },
      60_000,
      logs,
    );
    // Co-partitioned: each member owns the same partition numbers of all three inputs; together all.
    for (const assignment of split) {
      const numbers = assignment[TOPICS.trades] ?? [];
      for (const topic of INPUTS) expect(assignment[topic]).toEqual(numbers);
    }
    expect(split.flatMap((assignment) => assignment[TOPICS.trades] ?? []).sort()).toEqual([0, 1, 2]);

    const half = TRADES_PER_SYMBOL / 2;
    await produce(0, half);
    const afterFirst = await endOffsets();
    await waitUntil(
      'the first half to be committed',
      async () => (await committed()) >= afterFirst,
      60_000,
      logs,
    );

    // SIGTERM one instance while the second half streams in.
    await produce(half, half + 50);
    const stopping = Date.now();
    a.kill('SIGTERM');
    await produce(half + 50, TRADES_PER_SYMBOL);
    const exitCode = await new Promise<number | null>((r) => a.once('exit', (code) => r(code)));
    const shutdownMs = Date.now() - stopping;
    expect(exitCode).toBe(0);
    expect(shutdownMs).toBeLessThan(10_000);

    await waitUntil(
      'the other instance to own every task',
      async () => {
        const now = await assignments();
        return now.length === 1 && (now[0]?.[TOPICS.trades] ?? []).length === 3;
      },
      30_000,
      logs,
    );
    const end = await endOffsets();
    await waitUntil('every trade to be committed', async () => (await committed()) >= end, 60_000, logs);

    // The single-instance reference: the engine over each symbol's trades in order.
    const config = enricherSettingsEnvSchema.parse(SETTINGS_ENV);
    const engine = new EnrichmentEngine(enrichmentSettingsOf(config));
    const references = new PreviousCloseReader(dynamo, { tableName: referenceTable });
    const expectedEnriched: EnrichedV1Event[] = [];
    const expectedBars: Bar1mV1Event[] = [];
    for (const symbol of symbols) {
      const reference = await references.referenceFor(symbol);
      for (const trade of trades.get(symbol) ?? []) {
        const output = engine.processTrade(trade, reference);
        expectedEnriched.push(...output.enriched);
        expectedBars.push(...output.bars);
      }
    }

    await waitUntil(
      'every enriched event and bar to be read',
      async () => enriched.length >= expectedEnriched.length && bars.length >= expectedBars.length,
      30_000,
      () =>
        `(enriched ${enriched.length}/${expectedEnriched.length}, bars ${bars.length}/${expectedBars.length})\n${logs()}`,
    );
    await new Promise((r) => setTimeout(r, 1_500)); // a duplicate would arrive now

    const byId = <T extends { id: string }>(events: T[]) =>
      [...events].sort((x, y) => x.id.localeCompare(y.id));
    expect(new Set(enriched.map((e) => e.id)).size).toBe(enriched.length);
    expect(new Set(bars.map((b) => b.id)).size).toBe(bars.length);
    expect(byId(enriched).map(comparable)).toEqual(byId(expectedEnriched).map(comparable));
    expect(byId(bars).map(comparable)).toEqual(byId(expectedBars).map(comparable));
    // The averages really ran, so carried-over bar history shows in the comparison.
    expect(enriched.filter((e) => e.payload.smaSlow != null).length).toBeGreaterThan(0);
    console.info(
      `enricher scale-out: SIGTERM to exit ${shutdownMs} ms; ${enriched.length} enriched, ${bars.length} bars equal to the reference`,
    );
  }, 420_000); // above the sum of the steps' own budgets, so a slow step fails with its own message and logs
});
