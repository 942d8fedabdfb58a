import { Writable } from 'node:stream';
import { DLQ_HEADERS, MAX_EVENT_RECORD_BYTES, parseDlqHeaders, parseSourceSequence, RAW_TOPICS, safeParseEvent, TOPICS, type TickwireEvent } from '@tickwire/contracts';
import { AlpacaProtocolServer, LobsterReplaySource, type MarketDataSource } from '@tickwire/market-sources';
import { type RunningService, startService } from '@tickwire/service-kit';
import { buildAlpacaBadInputFrames, createLocalKafka, uniqueName } from '@tickwire/testing';
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import { AppModule } from '../app.module';
import { INGEST_PRODUCER } from '../service-definition';
import { IngestRunService } from './ingest-run.service';
import type { IngestStatus } from './ingest-status';

/**
 * ingest-producer on the real local Kafka: the service is started as in production (startService, env
 * only) with TOPIC_PREFIX set to a unique prefix per test, so its records never mix with the real
 * topics or other tests; the prefixed raw topics and DLQs are created like the provisioned ones
 * (3 partitions for raw topics).
 */
jest.setTimeout(120_000);

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
const kafka: Kafka = createLocalKafka('it-ingest-producer');
let admin: Admin;
const createdTopics: string[] = [];

interface ReadRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  headers: IHeaders;
}

async function createTopics(prefix: string): Promise<void> {
  const topics = RAW_TOPICS.flatMap((topic) => [
    { topic: `${prefix}${topic}`, numPartitions: 3, replicationFactor: 1 },
    { topic: `${prefix}${topic}.dlq`, numPartitions: 1, replicationFactor: 1 },
  ]);
  await admin.createTopics({ topics, waitForLeaders: true });
  createdTopics.push(...topics.map(({ topic }) => topic));
}

/** Records in `topic` (sum of high watermarks). */
async function topicSize(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
}

/** Reads every record of `topics` from the beginning (they must hold `expected` records in all). */
async function readAll(topics: string[], expected: number): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  if (expected === 0) return records;
  const consumer = kafka.consumer({ groupId: uniqueName('it-ingest-reader'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${records.length} of ${expected} records`)), 60_000);
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            records.push({
              topic: batch.topic,
              partition: batch.partition,
              offset: Number(message.offset),
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? '',
              headers: message.headers ?? {},
            });
          }
          if (records.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

async function startIngest(env: Record<string, string>): Promise<RunningService<unknown>> {
  return startService(AppModule, INGEST_PRODUCER, { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, httpPort: 0, logDestination: discard });
}

async function status(running: RunningService<unknown>): Promise<IngestStatus> {
  const response = await fetch(`${running.url}/v1/ingest/status`);
  expect(response.status).toBe(200);
  return (await response.json()) as IngestStatus;
}

async function waitForStatus(running: RunningService<unknown>, done: (status: IngestStatus) => boolean, timeoutMs = 90_000): Promise<IngestStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await status(running);
    if (current.state === 'failed') throw new Error(`ingest failed: ${current.error}`);
    if (done(current)) return current;
    if (Date.now() > deadline) throw new Error(`timed out; last status ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, count) => sum + count, 0);

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  if (createdTopics.length > 0) await admin.deleteTopics({ topics: createdTopics }).catch(() => undefined);
  await admin.disconnect();
});

describe('ingest-producer replaying LOBSTER into Kafka', () => {
  const LIMIT = 20_000;
  const prefix = `${uniqueName('it-ingest-lobster')}.`;
  let running: RunningService<unknown>;
  let finalStatus: IngestStatus;
  let records: ReadRecord[];

  beforeAll(async () => {
    await createTopics(prefix);
    running = await startIngest({ SOURCE: 'replay', REPLAY_DATASET: 'lobster', REPLAY_SPEED: 'max', REPLAY_LIMIT: String(LIMIT), TOPIC_PREFIX: prefix });
    finalStatus = await waitForStatus(running, (current) => current.state === 'completed');
    records = await readAll([`${prefix}${TOPICS.trades}`, `${prefix}${TOPICS.quotes}`], LIMIT);
  });

  afterAll(async () => {
    await running?.app.close();
  });

  it('completes once every record is acknowledged, and says so on the status endpoint', () => {
    expect(finalStatus).toMatchObject({ source: 'replay', dataset: 'lobster', speed: 'max', state: 'completed', deadLettered: {}, rejected: 0 });
    expect(total(finalStatus.published)).toBe(LIMIT);
    expect(finalStatus.completedAt).toBeGreaterThanOrEqual(finalStatus.startedAt!);
  });

  it('holds exactly the acknowledged records in the topics, every value a valid contract event keyed by its symbol', async () => {
    expect(records).toHaveLength(LIMIT);
    for (const [topic, count] of Object.entries(finalStatus.published)) expect(await topicSize(topic)).toBe(count);
    for (const record of records) {
      const parsed = safeParseEvent(record.topic.slice(prefix.length), record.value);
      expect(parsed.success).toBe(true);
      expect(record.key).toBe((parsed as { event: TickwireEvent }).event.payload.symbol);
    }
  });

  it('keeps each symbol in one partition, in the order of the source', async () => {
    const expected = new Map<string, string[]>();
    let read = 0;
    for await (const record of new LobsterReplaySource()) {
      if (record.kind !== 'event') continue;
      const stream = `${prefix}${record.topic} ${record.event.payload.symbol}`;
      expected.set(stream, [...(expected.get(stream) ?? []), record.event.id]);
      if (++read >= LIMIT) break;
    }
    const actual = new Map<string, string[]>();
    const partitions = new Map<string, Set<number>>();
    const sorted = [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    for (const record of sorted) {
      const stream = `${record.topic} ${record.key}`;
      actual.set(stream, [...(actual.get(stream) ?? []), (JSON.parse(record.value) as TickwireEvent).id]);
      partitions.set(stream, (partitions.get(stream) ?? new Set()).add(record.partition));
    }
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(expected.size).toBe(6); // trades and quotes of AAPL, AMZN, GOOG
    for (const [stream, ids] of expected) expect(actual.get(stream)).toEqual(ids);
    for (const used of partitions.values()) expect(used.size).toBe(1);
  });

  it('numbers each symbol\'s records from 1 over trades and quotes together, in the order of the source, in one session', async () => {
    const expected = new Map<string, string[]>();
    let read = 0;
    for await (const record of new LobsterReplaySource()) {
      if (record.kind !== 'event') continue;
      const symbol = record.event.payload.symbol;
      expected.set(symbol, [...(expected.get(symbol) ?? []), record.event.id]);
      if (++read >= LIMIT) break;
    }
    const sessions = new Set<string>();
    const sequenceOf = new Map<string, number>();
    for (const record of records) {
      const source = parseSourceSequence(record.headers);
      expect(source).toBeDefined();
      sessions.add(source!.session);
      sequenceOf.set((JSON.parse(record.value) as TickwireEvent).id, source!.sequence);
    }
    expect(sessions.size).toBe(1);
    for (const ids of expected.values()) expect(ids.map((id) => sequenceOf.get(id))).toEqual(ids.map((_, i) => i + 1));
  });

  it('exposes publish metrics', async () => {
    const text = await (await fetch(`${running.url}/metrics`)).text();
    expect(text).toContain(`tickwire_records_produced_total{topic="${prefix}${TOPICS.trades}",service="ingest-producer"} ${finalStatus.published[`${prefix}${TOPICS.trades}`]}`);
    expect(text).toContain(`tickwire_ingest_source_records_total{kind="event",service="ingest-producer"} ${LIMIT}`);
    expect(text).toMatch(/tickwire_ingest_publish_batch_duration_seconds_count\{service="ingest-producer"\} [1-9]/);
  });
});

describe('ingest-producer dead-lettering the malformed rows of the daily file', () => {
  it('sends each malformed row verbatim to the DLQ with the reason in headers, and keeps going', async () => {
    const prefix = `${uniqueName('it-ingest-daily')}.`;
    await createTopics(prefix);
    // The first 1,100 rows of the S&P 500 file span two dates, each with one row whose symbol column holds a file name.
    const running = await startIngest({ SOURCE: 'replay', REPLAY_DATASET: 'daily', REPLAY_SPEED: 'max', REPLAY_LIMIT: '1100', TOPIC_PREFIX: prefix });
    try {
      const done = await waitForStatus(running, (current) => current.state === 'completed');
      const dlq = `${prefix}${TOPICS.barsDaily}.dlq`;
      expect(done).toMatchObject({ dataset: 'daily', rejected: 2, published: { [`${prefix}${TOPICS.barsDaily}`]: 1098 }, deadLettered: { [dlq]: 2 } });
      const letters = await readAll([dlq], 2);
      expect(letters.map((letter) => letter.value)).toEqual([
        'T-2021-04-21.csv,2020-01-02,238.75,239.91,236.72,239.91,239.431438468,5941969,0.0,1.0',
        'T-2021-04-21.csv,2020-01-03,235.1,237.83,234.1,236.07,235.599098325,5144308,0.0,1.0',
      ]);
      const headers = parseDlqHeaders(letters[0]!.headers);
      expect(headers.success).toBe(true);
      expect(headers.data).toMatchObject({
        [DLQ_HEADERS.originalTopic]: `${prefix}${TOPICS.barsDaily}`,
        [DLQ_HEADERS.errorClass]: 'SchemaViolation',
        [DLQ_HEADERS.service]: 'ingest-producer',
        'x-dlq-source-origin': 'daily/sp500_daily_2020-01-02_2021-04-21.csv.gz line 426',
      });
      expect(headers.data?.[DLQ_HEADERS.errorMessage]).toMatch(/symbol/);
      const metrics = await (await fetch(`${running.url}/metrics`)).text();
      expect(metrics).toContain(`tickwire_dlq_records_total{topic="${prefix}${TOPICS.barsDaily}",reason="SchemaViolation",service="ingest-producer"} 2`);
    } finally {
      await running.app.close();
    }
  });
});

describe('ingest-producer with the Alpaca source', () => {
  it('streams trades and quotes from an Alpaca v2 protocol server into Kafka, dead-lettering a malformed frame', async () => {
    const prefix = `${uniqueName('it-ingest-alpaca')}.`;
    await createTopics(prefix);
    const credentials = { keyId: 'it-key', secretKey: 'it-secret' };
    // 100x realtime keeps the stream (and the read-back below) small; the opening minutes are the busiest.
    const server = new AlpacaProtocolServer({ credentials, pacing: { mode: 'scaled', speed: 100 } });
    const url = await server.start();
    const running = await startIngest({
      SOURCE: 'alpaca',
      ALPACA_URL: url,
      ALPACA_KEY: credentials.keyId,
      ALPACA_SECRET: credentials.secretKey,
      ALPACA_SYMBOLS: 'AAPL,AMZN,GOOG',
      ALPACA_CHANNELS: 'trades,quotes',
      TOPIC_PREFIX: prefix,
    });
    try {
      await waitForStatus(running, (current) => total(current.published) >= 1_000);
      server.injectFrame('[{"T":"t","S":"AAPL",');
      const withLetter = await waitForStatus(running, (current) => total(current.deadLettered) >= 1);
      expect(withLetter).toMatchObject({ source: 'alpaca', dataset: null, speed: null, state: 'running', rejected: 1 });
    } finally {
      await running.app.close();
      await server.close();
    }
    // Shutdown drained the in-flight batches: the final counts are exactly what the topics hold.
    const stopped = running.app.get(IngestRunService).status();
    const trades = `${prefix}${TOPICS.trades}`;
    const quotes = `${prefix}${TOPICS.quotes}`;
    expect(await topicSize(trades)).toBe(stopped.published[trades]);
    expect(await topicSize(quotes)).toBe(stopped.published[quotes]);
    const published = await readAll([trades, quotes], total(stopped.published));
    for (const record of published) {
      const parsed = safeParseEvent(record.topic.slice(prefix.length), record.value);
      expect(parsed.success && parsed.event.source === 'alpaca' && parsed.event.payload.symbol === record.key).toBe(true);
    }
    const [letter] = await readAll([`${trades}.dlq`], 1);
    expect(letter!.value).toBe('[{"T":"t","S":"AAPL",');
    expect(letter!.key).toBeNull();
    expect(parseDlqHeaders(letter!.headers).data).toMatchObject({ [DLQ_HEADERS.errorClass]: 'MalformedJson', [DLQ_HEADERS.originalTopic]: trades });
  });
  it('fails the run, naming the Alpaca error, when the credentials are refused (402), and keeps serving', async () => {
    const server = new AlpacaProtocolServer({ credentials: { keyId: 'it-key', secretKey: 'it-secret' } });
    const url = await server.start();
    const prefix = `${uniqueName('it-ingest-alpaca-auth')}.`;
    const running = await startIngest({ SOURCE: 'alpaca', ALPACA_URL: url, ALPACA_KEY: 'it-key', ALPACA_SECRET: 'wrong', TOPIC_PREFIX: prefix });
    try {
      const deadline = Date.now() + 20_000;
      let current = await status(running);
      while (current.state !== 'failed' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        current = await status(running);
      }
      expect(current).toMatchObject({ source: 'alpaca', state: 'failed', published: {} });
      expect(current.error).toMatch(/AlpacaStreamError: Alpaca error 402/);
      expect((await fetch(`${running.url}/health/live`)).status).toBe(200);
    } finally {
      await running.app.close();
      await server.close();
    }
  });
});

describe('ingest-producer shutting down mid-replay', () => {
  it('stops reading, finishes the in-flight batches and closes within 10 s, losing and hiding nothing', async () => {
    const prefix = `${uniqueName('it-ingest-stop')}.`;
    await createTopics(prefix);
    const running = await startIngest({ SOURCE: 'replay', REPLAY_DATASET: 'lobster', REPLAY_SPEED: 'max', TOPIC_PREFIX: prefix, PUBLISH_MAX_IN_FLIGHT: '3' });
    await waitForStatus(running, (current) => total(current.published) >= 5_000);
    const began = Date.now();
    await running.app.close();
    expect(Date.now() - began).toBeLessThan(10_000);
    const stopped = running.app.get(IngestRunService).status();
    expect(stopped.state).toBe('running'); // stopped before the end of the day: not completed
    for (const topic of [`${prefix}${TOPICS.trades}`, `${prefix}${TOPICS.quotes}`]) {
      expect(await topicSize(topic)).toBe(stopped.published[topic]);
    }
    expect(total(stopped.published)).toBeLessThan(283_000);
  });
});

describe('ingest-producer with bad Alpaca input (the bad-input corpus through the Alpaca protocol)', () => {
  it('dead-letters every malformed frame and bad message with its error class, and keeps publishing good ones', async () => {
    const prefix = `${uniqueName('it-ingest-alpaca-bad')}.`;
    await createTopics(prefix);
    const credentials = { keyId: 'it-key', secretKey: 'it-secret' };
    // No replayed data: only the frames this test injects flow.
    const empty: MarketDataSource = {
      name: 'empty',
      close: async () => undefined,
      async *[Symbol.asyncIterator]() {
        // nothing to replay
      },
    };
    const server = new AlpacaProtocolServer({ credentials, feed: () => empty });
    const url = await server.start();
    const bad = buildAlpacaBadInputFrames();
    const running = await startIngest({
      SOURCE: 'alpaca',
      ALPACA_URL: url,
      ALPACA_KEY: credentials.keyId,
      ALPACA_SECRET: credentials.secretKey,
      ALPACA_CHANNELS: 'trades,quotes',
      TOPIC_PREFIX: prefix,
      PUBLISH_LINGER_MS: '5',
    });
    try {
      const deadline = Date.now() + 30_000;
      while (server.stats.subscribeRequests === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 200)); // the acknowledgement reaches the client
      server.injectFrame(bad.goodFrame);
      for (const { frame } of bad.frames) server.injectFrame(frame);
      server.injectFrame(bad.goodFrame.replace(/"i":"([A-Z0-9]+)"/, '"i":"$1-again"'));
      const done = await waitForStatus(
        running,
        (current) => total(current.deadLettered) >= bad.frames.length && total(current.published) >= 2 * bad.goodEvents,
        60_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 500)); // one frame too many would show now
      expect({ ...(await status(running)), startedAt: 0 }).toMatchObject({ state: 'running', rejected: bad.frames.length, deadLettered: done.deadLettered });
      expect(total(done.published)).toBe(2 * bad.goodEvents);

      const dlqOf = (role: 'trades' | 'quotes') => `${prefix}${TOPICS[role]}.dlq`;
      const letters = await readAll([dlqOf('trades'), dlqOf('quotes')], bad.frames.length);
      const classes = (list: readonly (readonly [string, string])[]) => [...list].map((e) => e.join(' ')).sort();
      expect(classes(letters.map((l) => [l.topic, String(parseDlqHeaders(l.headers).data?.[DLQ_HEADERS.errorClass])] as const))).toEqual(
        classes(bad.frames.map((f) => [dlqOf(f.expected.topic as 'trades' | 'quotes'), f.expected.errorClass] as const)),
      );
      for (const letter of letters) {
        const headers = parseDlqHeaders(letter.headers);
        expect(headers.success).toBe(true);
        expect(headers.data?.[DLQ_HEADERS.errorMessage]).toMatch(/.{8,}/);
        expect(headers.data?.['x-dlq-source']).toBe('alpaca');
      }
      // The malformed frame is kept verbatim; the oversized message is cut to the record limit, its size in a header.
      const truncated = bad.frames.find((f) => f.name === 'alpaca-frame-truncated')?.frame;
      expect(letters.some((l) => l.value === truncated)).toBe(true);
      const oversized = letters.find((l) => parseDlqHeaders(l.headers).data?.[DLQ_HEADERS.errorClass] === 'OversizedRecord');
      expect([Buffer.byteLength(oversized?.value ?? ''), Number(oversized?.headers['x-dlq-source-original-bytes']?.toString())]).toEqual([
        MAX_EVENT_RECORD_BYTES,
        expect.any(Number),
      ]);

      const metrics = await (await fetch(`${running.url}/metrics`)).text();
      for (const [label, count] of Object.entries(
        bad.frames.reduce<Record<string, number>>((acc, f) => {
          const key = `topic="${prefix}${TOPICS[f.expected.topic as 'trades' | 'quotes']}",reason="${f.expected.errorClass}"`;
          return { ...acc, [key]: (acc[key] ?? 0) + 1 };
        }, {}),
      )) {
        expect(metrics).toContain(`tickwire_dlq_records_total{${label},service="ingest-producer"} ${count}`);
      }
    } finally {
      await running.app.close();
      await server.close();
    }
  });
});
