import { spawnEnricher } from '../testing/enricher-process';
import { ENRICHER_INPUT_TOPICS } from './enrichment-pipeline.service';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  buildEvent,
  DLQ_HEADERS,
  dlqTopic,
  type EnrichedV1Event,
  LATE_HEADERS,
  lateTopic,
  TOPICS,
} from '@tickwire/contracts';
import {
  type BadInputEntry,
  buildBadInputCorpus,
  CORPUS_SOURCE,
  createLocalDynamoDb,
  createLocalKafka,
  freePort,
  stopChildProcess,
  loadBadInputCorpusReference,
  produceBadInputCorpus,
  sinkTopicOf,
  uniqueName,
  waitUntil,
  expectedBadInputCounts,
  commitOffsetsAtEnd,
} from '@tickwire/testing';
import { loadReferenceDailyBars, referenceDailyFilePaths } from '@tickwire/reference-data';
import type { Admin, Consumer, IHeaders, Producer } from 'kafkajs';

/**
 * The bad-input corpus (@tickwire/testing) through the real enricher process on the real stack:
 * every bad record lands in `<topic>.dlq` (or `market.trades.v1.late`) with its original bytes and
 * the expected `x-dlq-error-class`, is counted in tickwire_dlq_records_total / tickwire_late_records_total,
 * and every good record (the corpus' own and a batch produced after it) comes out enriched.
 *
 * Like the exactly-once test, it uses the fixed raw topics with a consumer group of its own positioned
 * at their end, symbols of its own run (BK<run>, BU<run>), and its own changelog topic and tables.
 */
const AFTER_CORPUS_TRADES = 50;

interface SinkRecord {
  topic: string;
  value: Buffer | null;
  headers: Record<string, string>;
}

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

describe('enricher: bad-input corpus to the DLQ and late topics (real Kafka, DynamoDB Local)', () => {
  const corpus = buildBadInputCorpus();
  const { known, unknown } = corpus.symbols;
  const groupId = uniqueName('it-enricher-bad-input');
  const serviceName = uniqueName('enricher-bad-input');
  const changelogTopic = uniqueName('it-enricher-bad-changelog');
  const referenceTable = uniqueName('it-bad-reference');
  const stateTable = uniqueName('it-bad-symbol-state');
  const kafka = createLocalKafka('enricher-bad-input-test');
  const sinkTopics = [TOPICS.trades, TOPICS.quotes, TOPICS.barsDaily].map((t) => dlqTopic(t)) as string[];
  sinkTopics.push(lateTopic(TOPICS.trades), lateTopic(TOPICS.quotes));
  const sinks: SinkRecord[] = [];
  /** `<topic> <error class>` -> records this test's enricher sent to a sink (any symbol: the topics are shared). */
  const byService = new Map<string, number>();
  const enriched: EnrichedV1Event[] = [];
  let admin: Admin;
  let producer: Producer;
  let reader: Consumer;
  let dynamo: DynamoDBClient;
  let enricher: ChildProcess | undefined;
  let dir: string;
  let logFile: string;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'enricher-bad-input-'));
    logFile = join(dir, 'enricher.log');
    dynamo = createLocalDynamoDb();
    // The real reference data too: records of other runs on the shared raw topics are then enriched
    // (as before this test existed) instead of dead-lettered as unknown symbols into the shared DLQs.
    await loadReferenceDailyBars(dynamo, { files: referenceDailyFilePaths(), tableName: referenceTable });
    await loadBadInputCorpusReference(dynamo, corpus, referenceTable);
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
    const readerGroup = uniqueName('it-enricher-bad-input-reader');
    await commitOffsetsAtEnd(admin, readerGroup, [...sinkTopics, TOPICS.enriched]);
    reader = kafka.consumer({ groupId: readerGroup, readUncommitted: false, maxWaitTimeInMs: 200 });
    await reader.connect();
    await reader.subscribe({ topics: [...sinkTopics, TOPICS.enriched] });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        const headers = headerStrings(message.headers);
        if (headers[DLQ_HEADERS.service] === serviceName || headers[LATE_HEADERS.service] === serviceName) {
          const label = `${topic} ${headers[DLQ_HEADERS.errorClass] ?? 'LateEvent'}`;
          byService.set(label, (byService.get(label) ?? 0) + 1);
        }
        const key = message.key?.toString();
        if (key !== known && key !== unknown) return;
        if (topic === TOPICS.enriched) enriched.push(JSON.parse(message.value?.toString() ?? 'null'));
        else sinks.push({ topic, value: message.value, headers });
      },
    });
    producer = kafka.producer({ idempotent: true });
    await producer.connect();

    enricher = spawnEnricher({
      names: { serviceName, groupId, changelogTopic, referenceTable, stateTable },
      port,
      logFile,
    });
  }, 120_000);

  afterAll(async () => {
    // SIGTERM (SIGKILL only after 15 s): a killed enricher's open transaction would hold the last
    // stable offset of the shared output topics for 60 s, stalling other tests' readers.
    if (enricher) await stopChildProcess(enricher);
    await reader?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [changelogTopic] }).catch(() => undefined);
    await admin?.disconnect();
    for (const table of [referenceTable, stateTable])
      await dynamo?.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    dynamo?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('routes every corpus entry to its sink with its error class, counts it, and enriches every good record', async () => {
    const expected = expectedBadInputCounts(corpus);
    await produceBadInputCorpus(producer, corpus);
    // The pipeline keeps going: good trades of the known symbol after the whole corpus.
    const after = Array.from({ length: AFTER_CORPUS_TRADES }, (_, i) =>
      buildEvent('market.trade.v1', {
        eventTime: Date.UTC(2012, 5, 21, 13, 26, 0) + i * 100,
        ingestTime: Date.now(),
        source: CORPUS_SOURCE,
        payload: {
          symbol: known,
          price: 100 + i / 100,
          size: 10 + i,
          aggressorSide: 'sell',
          tradeId: `${corpus.runId}-after-${i}`,
        },
      }),
    );
    await producer.send({
      topic: TOPICS.trades,
      acks: -1,
      messages: after.map((event) => ({ key: known, value: JSON.stringify(event) })),
    });
    const goodIds = [...corpus.good.filter((g) => g.enriched).map((g) => g.id), ...after.map((e) => e.id)];
    const good = new Set(goodIds);
    /**
     * Good records late by the enricher's out-of-order rule, each justified: its late header's
     * watermark is a later event of its symbol that was enriched before it (as `npm run chaos`
     * excuses them). A partition holds several symbols on different clocks (the corpus' unknown symbol,
     * the after-corpus trades, other tests' records on the shared raw topics), and the per-partition
     * event-time merge (only queue heads compete) can take one of this symbol's records after a later
     * one of the same symbol: a known limit (enricher README), seen here on its own in about half the runs.
     */
    const excusedLate = (): Map<string, string> => {
      const applied = new Set(enriched.map((e) => e.eventTime));
      const excused = new Map<string, string>();
      for (const sink of sinks) {
        if (!sink.topic.endsWith('.late') || sink.value === null) continue;
        const event = JSON.parse(sink.value.toString()) as { id: string; eventTime: number };
        const watermark = Number(sink.headers[LATE_HEADERS.watermark]);
        if (good.has(event.id) && watermark > event.eventTime && applied.has(watermark))
          excused.set(event.id, `${sink.topic} at ${event.eventTime} after ${watermark}`);
      }
      return excused;
    };
    const poisonSinks = () => sinks.length - excusedLate().size;

    await waitUntil(
      'every dead letter, late record and enriched record',
      () => poisonSinks() >= expected.total && enriched.length + excusedLate().size >= goodIds.length,
      // 150 s: the topics are shared with the other tests, and a transaction another test's enricher
      // left open when it was killed holds read_committed readers of its partition until the
      // coordinator aborts it (transaction timeout 60 s, then a 10 s cleanup interval).
      150_000,
      () => {
        const seen = new Set(enriched.map((e) => e.payload.sourceEventId));
        const missing = goodIds.filter((id) => !seen.has(id));
        const lateGood = sinks
          .filter((sink) => sink.topic.endsWith('.late') && sink.value !== null)
          .map((sink) => ({
            sink,
            event: JSON.parse(String(sink.value)) as { id: string; eventTime: number },
          }))
          .filter(({ event }) => good.has(event.id))
          .map(
            ({ sink, event }) =>
              `${event.id} in ${sink.topic} (eventTime ${event.eventTime}, watermark ${sink.headers[LATE_HEADERS.watermark]})`,
          );
        return `(sinks ${sinks.length}/${expected.total}, enriched ${enriched.length}/${goodIds.length}, missing ${missing.join(' ')}; good records in a late topic: ${lateGood.join(', ') || 'none'}); enricher log:\n${readFileSync(logFile, 'utf8').slice(-4_000)}`;
      },
    );
    await new Promise((r) => setTimeout(r, 1_500)); // anything extra would arrive now

    const excused = excusedLate();
    if (excused.size > 0)
      console.info(`good records late by the out-of-order rule: ${[...excused.values()].join('; ')}`);
    const poison = sinks.filter(
      (sink) =>
        !(
          sink.topic.endsWith('.late') &&
          sink.value !== null &&
          excused.has((JSON.parse(String(sink.value)) as { id: string }).id)
        ),
    );
    const landed = (entry: BadInputEntry) => {
      const want = entry.value === null ? null : Buffer.from(entry.value);
      const found = poison.filter((s) =>
        want === null ? s.value === null : s.value !== null && want.equals(s.value),
      );
      return found.map((s) => [
        entry.name,
        s.topic,
        s.topic.endsWith('.late') ? 'LateEvent' : s.headers[DLQ_HEADERS.errorClass],
      ]);
    };
    expect(corpus.entries.flatMap(landed)).toEqual(
      corpus.entries.map((e) => [e.name, sinkTopicOf(e), e.expected.errorClass]),
    );
    expect(poison).toHaveLength(expected.total);
    // The reason travels with each dead letter; the original coordinates and the service too.
    for (const sink of poison.filter((s) => s.topic.endsWith('.dlq'))) {
      expect(sink.headers).toMatchObject({
        [DLQ_HEADERS.service]: serviceName,
        [DLQ_HEADERS.originalTopic]: sink.topic.replace(/\.dlq$/, ''),
        [DLQ_HEADERS.errorMessage]: expect.stringMatching(/.{8,}/),
      });
    }
    const late = poison.find((s) => s.topic.endsWith('.late'));
    expect(late?.headers).toMatchObject({
      [LATE_HEADERS.originalTopic]: TOPICS.trades,
      [LATE_HEADERS.service]: serviceName,
    });

    expect([...enriched.map((e) => e.payload.sourceEventId), ...excused.keys()].sort()).toEqual(
      [...goodIds].sort(),
    );
    expect(enriched.every((e) => e.payload.previousClose === 100)).toBe(true);

    // Counted in metrics: tickwire_dlq_records_total{topic,reason} and tickwire_late_records_total{topic}
    // equal what this enricher wrote to the sinks (others' records may share the topics), and include the corpus.
    const metricsOf = async () => {
      const text = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).replace(
        /,?service="[^"]*"/g,
        '',
      );
      const counted = new Map<string, number>();
      for (const [, topic, reason, value] of text.matchAll(
        /^tickwire_dlq_records_total\{topic="([^"]+)",reason="([^"]+)"\} (\d+)$/gm,
      ))
        counted.set(`${topic}.dlq ${reason}`, Number(value));
      for (const [, topic, value] of text.matchAll(
        /^tickwire_late_records_total\{topic="([^"]+)"\} (\d+)$/gm,
      ))
        if (Number(value) > 0) counted.set(`${topic}.late LateEvent`, Number(value));
      return counted;
    };
    const sorted = (map: Map<string, number>) => [...map].sort(([a], [b]) => (a < b ? -1 : 1));
    let counted = new Map<string, number>();
    // Metrics count at commit; the reader sees the records a moment later (or earlier): poll until both agree.
    await waitUntil(
      'the metrics to match the sinks',
      async () => JSON.stringify(sorted((counted = await metricsOf()))) === JSON.stringify(sorted(byService)),
      15_000,
      () => JSON.stringify({ metrics: sorted(counted), sinks: sorted(byService) }),
    );
    expect(sorted(counted)).toEqual(sorted(byService));
    for (const entry of corpus.entries) {
      const label = `${sinkTopicOf(entry)} ${entry.expected.errorClass}`;
      const corpusCount = corpus.entries.filter(
        (e) => `${sinkTopicOf(e)} ${e.expected.errorClass}` === label,
      ).length;
      expect([label, (counted.get(label) ?? 0) >= corpusCount]).toEqual([label, true]);
    }

    // A clean stop on SIGTERM (exit 0, no SIGKILL after the grace period), so no transaction of this
    // enricher stays open on the shared output topics.
    expect(await stopChildProcess(enricher as ChildProcess)).toMatchObject({ exitCode: 0, killed: false });
  }, 210_000);
});
