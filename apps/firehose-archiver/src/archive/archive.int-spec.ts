import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GOLDEN_FIXTURES, RAW_TOPICS, TOPIC_SCHEMAS, TOPICS } from '@tickwire/contracts';
import { LobsterReplaySource } from '@tickwire/market-sources';
import { type RunningService, startService } from '@tickwire/service-kit';
import { createLocalKafka, createLocalS3, freePort, uniqueName } from '@tickwire/testing';
import type { Admin, Producer } from 'kafkajs';
import { AppModule } from '../app.module';
import { FIREHOSE_ARCHIVER } from '../service-definition';

/**
 * The archiver on the real local stack (Kafka 9092, S3Mock 9090): its own topics (KAFKA_TOPIC_PREFIX
 * namespace, 2 partitions each) and its own bucket per run. Input: a slice of the real LOBSTER AAPL
 * day (every 25th trade and every 100th quote, spanning 13:30-20:00 UTC, so objects split by hour),
 * the golden daily bars, and one invalid record per topic.
 */

const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
const INVALID_VALUE = '{"schema":"market.trade.v1","id":"x","payload":{"symbol":"AAPL","price":-1}}';

interface Produced {
  topic: string;
  value: string;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every object of `bucket`: key -> NDJSON lines. */
async function readArchive(s3: S3Client, bucket: string): Promise<Map<string, string[]>> {
  const objects = new Map<string, string[]>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))
      ).Body!.transformToByteArray();
      objects.set(Key!, gunzipSync(body).toString('utf8').split('\n').slice(0, -1));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<void> {
  const keys = [...(await readArchive(s3, bucket).catch(() => new Map<string, string[]>())).keys()];
  if (keys.length > 0)
    await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    );
  await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
}

describe('firehose-archiver on the local stack: archiving', () => {
  const kafka = createLocalKafka('it-firehose-archiver');
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer();
  const s3 = createLocalS3();
  const prefix = `${uniqueName('it-arch')}.`;
  const bucket = uniqueName('it-archive');
  const groupId = uniqueName('it-archiver');
  const topics = RAW_TOPICS.map((topic) => `${prefix}${topic}`);
  const produced: Produced[] = [];
  let running: RunningService<unknown> | null = null;

  const env = (extra: Record<string, string> = {}) => ({
    ...process.env,
    KAFKA_CONSUMER_GROUP: groupId,
    KAFKA_TOPIC_PREFIX: prefix,
    ARCHIVE_BUCKET: bucket,
    BUFFER_INTERVAL_SECONDS: '1',
    UPLOAD_MAX_RETRIES: '1',
    LOG_LEVEL: 'warn',
    ...extra,
  });
  const start = async (extra: Record<string, string> = {}) => {
    running = await startService(AppModule, FIREHOSE_ARCHIVER, {
      env: env(extra),
      httpPort: 0,
      logDestination: discard,
    });
  };
  const stop = async () => {
    if (!running) return;
    await running.app.close();
    running = null;
    await waitFor('the consumer group to be empty', async () =>
      (await admin.describeGroups([groupId])).groups[0]?.state === 'Empty' ? true : undefined,
    );
  };
  const committed = async (): Promise<Record<string, string>> => {
    const result: Record<string, string> = {};
    for (const entry of await admin.fetchOffsets({ groupId, topics })) {
      for (const { partition, offset } of entry.partitions) result[`${entry.topic}[${partition}]`] = offset;
    }
    return result;
  };
  const ends = async (): Promise<Record<string, string>> => {
    const result: Record<string, string> = {};
    for (const topic of topics)
      for (const { partition, high } of await admin.fetchTopicOffsets(topic))
        result[`${topic}[${partition}]`] = high;
    return result;
  };
  const allCommitted = async () => {
    const [positions, targets] = await Promise.all([committed(), ends()]);
    // A partition that never got a record (the small topics' few keys may all hash to one) has nothing to commit.
    return Object.entries(targets).every(([key, end]) => positions[key] === end || (end === '0' && BigInt(positions[key] ?? '-1') <= 0n))
      ? true
      : undefined;
  };

  /** Checks the archive holds every produced valid record exactly once, verbatim, and the invalid ones under errors/. */
  const expectExactlyOnce = async () => {
    const archive = await readArchive(s3, bucket);
    const dataLines: string[] = [];
    const errorLines: {
      reason: string;
      errorClass: string;
      topic: string;
      offset: string;
      rawValue: string;
    }[] = [];
    for (const [key, lines] of archive) {
      const match =
        /^(raw|errors)\/(market\.[a-z0-9.-]+\.v1)\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})\/\2\+(\d+)\+(\d{20})\.json\.gz$/.exec(
          key,
        );
      expect(match).not.toBeNull();
      const [, kind, topic, year, month, day, hour] = match!;
      if (kind === 'raw') {
        for (const line of lines) {
          const event = JSON.parse(line) as { schema: string; eventTime: number };
          expect(TOPIC_SCHEMAS[topic as keyof typeof TOPIC_SCHEMAS]).toBe(event.schema);
          // Filed by event time (UTC hour).
          expect(new Date(event.eventTime).toISOString().slice(0, 13)).toBe(
            `${year}-${month}-${day}T${hour}`,
          );
        }
        dataLines.push(...lines);
      } else {
        errorLines.push(...lines.map((line) => JSON.parse(line) as (typeof errorLines)[number]));
      }
    }
    const valid = produced.filter((record) => record.value !== INVALID_VALUE);
    expect(dataLines.length).toBe(valid.length);
    expect([...dataLines].sort()).toEqual(valid.map((record) => record.value).sort());
    expect(errorLines.map((line) => line.topic).sort()).toEqual(topics.slice().sort());
    for (const line of errorLines) {
      expect(line.rawValue).toBe(INVALID_VALUE);
      expect(line.errorClass).toBe('SchemaViolation');
      expect(line.reason.length).toBeGreaterThan(0);
    }
    return archive;
  };

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    const trades: string[] = [];
    const quotes: string[] = [];
    let tradeCount = 0;
    let quoteCount = 0;
    for await (const record of new LobsterReplaySource({ symbols: ['AAPL'], quotes: 'changes' })) {
      if (record.kind !== 'event') continue;
      if (record.topic === TOPICS.trades && tradeCount++ % 25 === 0)
        trades.push(JSON.stringify(record.event));
      if (record.topic === TOPICS.quotes && quoteCount++ % 100 === 0)
        quotes.push(JSON.stringify(record.event));
    }
    const fixturesOf = (topic: (typeof RAW_TOPICS)[number]) =>
      GOLDEN_FIXTURES[TOPIC_SCHEMAS[topic]].map((fixture) => JSON.stringify(fixture.event));
    // Every raw topic, the source's bars, corrections, cancels and trading statuses included (their golden fixtures).
    for (const [topic, values] of [
      [TOPICS.trades, trades],
      [TOPICS.quotes, quotes],
      ...RAW_TOPICS.filter((topic) => topic !== TOPICS.trades && topic !== TOPICS.quotes).map((topic) => [topic, fixturesOf(topic)] as const),
    ] as const) {
      const target = `${prefix}${topic}`;
      const messages = [...values, INVALID_VALUE].map((value, position) => ({
        key: `k${position % 7}`,
        value,
      }));
      await producer.send({ topic: target, messages });
      produced.push(...messages.map((message) => ({ topic: target, value: message.value })));
    }
  }, 120_000);

  afterEach(async () => {
    await stop();
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await emptyAndDeleteBucket(s3, bucket);
    s3.destroy();
  });

  it('commits nothing while the bucket is missing', async () => {
    await start();
    await waitFor('a failed flush', async () => {
      const metrics = await (await fetch(`${running!.url}/metrics`)).text();
      return /tickwire_archive_flush_failures_total\{topic="[^"]+",service="firehose-archiver"\} [1-9]/.test(
        metrics,
      )
        ? true
        : undefined;
    });
    expect(Object.values(await committed()).every((offset) => offset === '-1')).toBe(true);
  });

  it('archives every record exactly once after recovery, then commits', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await start();
    await waitFor('every partition to be committed to its end', allCommitted, 60_000);
    const archive = await expectExactlyOnce();
    // The LOBSTER day spans 13:30-20:00 UTC: objects per hour.
    const tradeHours = new Set(
      [...archive.keys()]
        .filter((key) => key.startsWith(`raw/${TOPICS.trades}/`))
        .map((key) => /hour=(\d{2})/.exec(key)![1]),
    );
    expect([...tradeHours].sort()).toEqual(['13', '14', '15', '16', '17', '18', '19']);
    const metrics = await (await fetch(`${running!.url}/metrics`)).text();
    const archivedTrades =
      /tickwire_archived_records_total\{topic="[^"]*market\.trades\.v1",service="firehose-archiver"\} (\d+)/.exec(
        metrics,
      );
    expect(Number(archivedTrades?.[1])).toBe(
      produced.filter((record) => record.topic.endsWith(TOPICS.trades) && record.value !== INVALID_VALUE)
        .length,
    );
    expect(metrics).toMatch(
      /tickwire_archive_error_records_total\{topic="[^"]*market\.trades\.v1",reason="SchemaViolation",service="firehose-archiver"\} 1/,
    );
    expect(metrics).toMatch(
      /tickwire_archive_upload_duration_seconds_count\{service="firehose-archiver",kind="data"\} [1-9]/,
    );
  });

  it('adopts the existing objects rather than duplicating when the same records are delivered again with other buffer boundaries', async () => {
    const before = await readArchive(s3, bucket);
    for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: true });
    // 16 KiB buffers: flushes at other boundaries than the first run's (one buffer per partition).
    await start({ BUFFER_SIZE_MIB: String(16 / 1024) });
    await waitFor('every partition to be committed to its end again', allCommitted, 60_000);
    const metrics = await (await fetch(`${running!.url}/metrics`)).text();
    await stop();
    const after = await expectExactlyOnce();
    // Create-only (If-None-Match: *): every object of the first delivery is kept as it was, and its
    // records are not written again under the new boundaries.
    expect(after).toEqual(before);
    expect(metrics).toMatch(/tickwire_archive_objects_existing_total\{[^}]*kind="data"[^}]*\} [1-9]/);
  });

  it('flushes, uploads and commits on SIGTERM and exits within 10 s, as a standalone process', async () => {
    const tradesTopic = `${prefix}${TOPICS.trades}`;
    // New records for the process to buffer: copies of archived trades at new offsets (the archive keeps every record).
    const more = produced
      .filter((record) => record.topic === tradesTopic && record.value !== INVALID_VALUE)
      .slice(0, 50)
      .map((record) => record.value);
    await producer.send({ topic: tradesTopic, messages: more.map((value) => ({ key: 'AAPL', value })) });
    const port = await freePort();
    const child: ChildProcess = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/firehose-archiver/src/main.ts'],
      {
        cwd: REPO_ROOT,
        env: {
          ...env({ BUFFER_INTERVAL_SECONDS: '900', HTTP_PORT: String(port) }),
          SWC_NODE_PROJECT: 'apps/firehose-archiver/tsconfig.app.json',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitFor(
        'the process to buffer the new records',
        async () => {
          const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null);
          if (!ready) return undefined;
          const body = (await ready.json()) as {
            info?: Record<string, { records?: number }>;
            error?: Record<string, { records?: number }>;
          };
          const consumer = body.info?.['kafka-consumer'] ?? body.error?.['kafka-consumer'];
          return (consumer?.records ?? 0) >= more.length ? true : undefined;
        },
        60_000,
      );
      expect(await allCommitted()).toBeUndefined();
      const signalled = Date.now();
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
      expect(Date.now() - signalled).toBeLessThan(10_000);
      expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
      expect(await allCommitted()).toBe(true);
      const archive = await readArchive(s3, bucket);
      const tradeLines = [...archive.entries()]
        .filter(([key]) => key.startsWith(`raw/${TOPICS.trades}/`))
        .flatMap(([, lines]) => lines);
      const expectedTrades =
        produced.filter((record) => record.topic === tradesTopic && record.value !== INVALID_VALUE).length +
        more.length;
      expect(tradeLines).toHaveLength(expectedTrades);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});
