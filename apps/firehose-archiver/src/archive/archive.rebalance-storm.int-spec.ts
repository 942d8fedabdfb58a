import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { RAW_TOPICS } from '@tickwire/contracts';
import { LobsterReplaySource } from '@tickwire/market-sources';
import { MetricsService, type RunningService, startService } from '@tickwire/service-kit';
import {
  createLocalKafka,
  createLocalS3,
  freePort,
  stopChildProcess,
  uniqueName,
  waitUntil,
} from '@tickwire/testing';
import type { Admin, Producer } from 'kafkajs';
import { AppModule } from '../app.module';
import { FIREHOSE_ARCHIVER } from '../service-definition';

/**
 * Issue 17: the S3 archive stays exactly once across consumer-group rebalances, on the real local stack
 * (Kafka, S3Mock; nothing faked). Three archiver instances in one group, 1 s buffer interval and a
 * small size hint: two Nest apps in this process (stopped and started again, each stop a graceful
 * SIGTERM-path shutdown) and one real process (`node -r @swc-node/register .../main.ts`) that is
 * SIGKILLed, restarted, and twice SIGSTOPped past its 6 s session timeout and SIGCONTed: a zombie
 * whose buffers and timer flushes come back after its partitions moved, the late upload of issue 17.
 * At least 20 membership changes (each a rebalance) run while a paced replay of real LOBSTER AAPL
 * trades and quotes (and some invalid records, archived under `errors/`) is produced to the
 * instances' own 3-partition raw topics (KAFKA_TOPIC_PREFIX) and bucket.
 *
 * Then, with every partition committed to its end and every instance stopped, the bucket must hold
 * every record of the topics (read back from Kafka) exactly once by (topic, partition, offset), and
 * nothing else; each object's `first-offset`/`last-offset` metadata must bound its lines. Before that,
 * a probe of S3Mock itself: PutObject with If-None-Match: * answers 412 on an existing key (what
 * S3ArchiveStore relies on); concurrent creates of one key are measured (S3Mock 4.7.0 lets several
 * succeed, S3 one: see the archiver's README).
 */
const REPO_ROOT = resolve(__dirname, '../../../..');
const PARTITIONS = 3;
/** Records produced in the paced replay (about 300 per second over the storm). */
const RECORDS = 24_000;
const PRODUCE_ROUNDS = 160;
const PRODUCE_EVERY_MS = 500;
/** Every INVALID_EVERY-th record is not a valid event (archived as an error line). */
const INVALID_EVERY = 400;
const SESSION_TIMEOUT_MS = 6_000;
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

interface Produced {
  topic: string;
  value: string;
}

/** A record position: `<consumed topic>|<partition>|<offset>`. */
type Position = string;

describe('firehose-archiver rebalance storm: every raw record in S3 exactly once (real Kafka, S3Mock)', () => {
  const kafka = createLocalKafka('it-archiver-storm');
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const s3 = createLocalS3();
  const prefix = `${uniqueName('it-arch-storm')}.`;
  const bucket = uniqueName('it-archive-storm');
  const groupId = uniqueName('it-archiver-storm');
  const topics = RAW_TOPICS.map((topic) => `${prefix}${topic}`);
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    ...process.env,
    KAFKA_CONSUMER_GROUP: groupId,
    KAFKA_TOPIC_PREFIX: prefix,
    ARCHIVE_BUCKET: bucket,
    BUFFER_INTERVAL_SECONDS: '1',
    // About 170 records: flushes on the size hint in the fetch loop as well as on the interval timer.
    BUFFER_SIZE_MIB: '0.05',
    KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    LOG_LEVEL: 'warn',
    ...extra,
  });
  const inProcess = new Map<string, RunningService<unknown>>();
  const processes: { child: ChildProcess; port: number; stderr: string[] }[] = [];
  let replay: Produced[] = [];
  /** Creates refused because the key existed, per instance that was stopped gracefully. */
  let refusedCreates = 0;
  const log: string[] = [];
  const note = (line: string) => log.push(`${new Date().toISOString().slice(11, 23)} ${line}`);

  const existingTotal = async (metricsText: string): Promise<number> =>
    metricsText
      .split('\n')
      .filter((line) => line.startsWith('tickwire_archive_objects_existing_total{'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);

  const startInProcess = async (name: string) => {
    const running = await startService(AppModule, FIREHOSE_ARCHIVER, {
      env: env({}),
      httpPort: 0,
      logDestination: discard,
    });
    inProcess.set(name, running);
    note(`started ${name} (in-process)`);
  };
  const stopInProcess = async (name: string) => {
    const running = inProcess.get(name);
    if (!running) throw new Error(`no instance ${name}`);
    inProcess.delete(name);
    refusedCreates += await existingTotal(await running.app.get(MetricsService).registry.metrics());
    await running.shutdown('SIGTERM');
    note(`stopped ${name} (SIGTERM path)`);
  };
  const spawnProcess = async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/firehose-archiver/src/main.ts'],
      {
        cwd: REPO_ROOT,
        env: {
          ...env({ HTTP_PORT: String(port) }),
          SWC_NODE_PROJECT: 'apps/firehose-archiver/tsconfig.app.json',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const entry = { child, port, stderr: [] as string[] };
    child.stderr!.on('data', (chunk: Buffer) => entry.stderr.push(chunk.toString()));
    processes.push(entry);
    note(`spawned process pid ${child.pid}`);
    return entry;
  };
  const processReady = async (entry: { port: number }) =>
    (await fetch(`http://127.0.0.1:${entry.port}/health/ready`).catch(() => null))?.ok === true;
  const current = () => processes[processes.length - 1]!;

  /** Every record of the topics, read back from Kafka: position -> value. */
  const readTopics = async (): Promise<Map<Position, string>> => {
    const ends = new Map<string, bigint>();
    for (const topic of topics)
      for (const { partition, high } of await admin.fetchTopicOffsets(topic))
        ends.set(`${topic}|${partition}`, BigInt(high));
    const all = new Map<Position, string>();
    const consumer = kafka.consumer({ groupId: uniqueName('it-archiver-storm-reader') });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const done = new Set<string>([...ends].filter(([, high]) => high === 0n).map(([key]) => key));
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        all.set(`${topic}|${partition}|${message.offset}`, message.value?.toString('utf8') ?? '');
        if (BigInt(message.offset) + 1n >= ends.get(`${topic}|${partition}`)!)
          done.add(`${topic}|${partition}`);
      },
    });
    await waitUntil('the reader to reach the end of every partition', () => done.size === ends.size, 60_000);
    await consumer.disconnect();
    return all;
  };

  /** Partitions whose committed offset is not yet their end. */
  const lagging = async (): Promise<string[]> => {
    const behind: string[] = [];
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const topic of topics) {
      const offsets = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
        const offset = offsets.find((p) => p.partition === partition)?.offset ?? '-1';
        if (high !== '0' && offset !== high) behind.push(`${topic}[${partition}] at ${offset} of ${high}`);
      }
    }
    return behind;
  };

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // The real LOBSTER AAPL day, one event in six: trades and quotes over all its hours (13..19 UTC).
    let seen = 0;
    for await (const record of new LobsterReplaySource({ symbols: ['AAPL'] })) {
      if (record.kind !== 'event') continue;
      seen += 1;
      if (seen % 6 !== 0) continue;
      const index = replay.length;
      const topic = `${prefix}${record.topic}`;
      replay.push(
        index % INVALID_EVERY === INVALID_EVERY - 1
          ? { topic, value: `{"broken":${index}` }
          : { topic, value: JSON.stringify(record.event) },
      );
      if (replay.length === RECORDS) break;
    }
    expect(replay.length).toBe(RECORDS);
  }, 120_000);

  afterAll(async () => {
    for (const name of [...inProcess.keys()]) await stopInProcess(name).catch(() => undefined);
    for (const { child } of processes) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
      await stopChildProcess(child, 12_000).catch(() => undefined);
    }
    await producer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map(({ Key }) => Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    for (let i = 0; i < keys.length; i += 1_000)
      await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.slice(i, i + 1_000).map((Key) => ({ Key })) },
        }),
      );
    await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    s3.destroy();
    replay = [];
  }, 60_000);

  it('S3Mock answers a create-only PutObject of an existing key with 412 (not atomic for concurrent creates of one key)', async () => {
    // A bucket of its own, so that nothing of this probe is left in the storm's bucket.
    const probeBucket = uniqueName('it-archive-probe');
    await s3.send(new CreateBucketCommand({ Bucket: probeBucket }));
    const keys: string[] = [];
    const put = (Key: string, body: string) => {
      keys.push(Key);
      return s3.send(
        new PutObjectCommand({ Bucket: probeBucket, Key, Body: body, IfNoneMatch: '*', Metadata: { body } }),
      );
    };
    const status = (error: unknown) =>
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    try {
      // What S3ArchiveStore relies on: an existing key is refused, and the first object stays.
      await put('probe/one', 'first');
      await expect(put('probe/one', 'second').catch(status)).resolves.toBe(412);
      const head = await s3.send(new HeadObjectCommand({ Bucket: probeBucket, Key: 'probe/one' }));
      expect(head.Metadata).toEqual({ body: 'first' });
      // S3 lets exactly one of concurrent creates of a key succeed (the others: 412, or 409 to retry).
      // S3Mock 4.7.0 does not serialize them: several can succeed. Measured, not asserted,
      // so the README's note on it stays checked against the version the stack runs.
      const winners: number[] = [];
      for (let round = 0; round < 10; round += 1) {
        const racing = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => put(`probe/race-${round}`, `w${i}`)),
        );
        const outcomes = racing.map((result) =>
          result.status === 'fulfilled' ? 200 : status(result.reason),
        );
        expect(outcomes.every((code) => code === 200 || code === 412 || code === 409)).toBe(true);
        winners.push(outcomes.filter((code) => code === 200).length);
      }
      console.info(
        `S3Mock conditional create: ${winners.filter((n) => n > 1).length} of 10 rounds of 8 concurrent ` +
          `creates of one key had more than one success (winners per round: ${winners.join(', ')}; S3: always 1)`,
      );
    } finally {
      await s3
        .send(
          new DeleteObjectsCommand({
            Bucket: probeBucket,
            Delete: { Objects: [...new Set(keys)].map((Key) => ({ Key })) },
          }),
        )
        .catch(() => undefined);
      await s3.send(new DeleteBucketCommand({ Bucket: probeBucket })).catch(() => undefined);
    }
  });

  it('three instances, 20+ rebalances (one SIGKILL, two SIGSTOP zombies) during a paced replay: every record once', async () => {
    const started = Date.now();
    await Promise.all([startInProcess('A'), startInProcess('B'), spawnProcess()]);
    await waitUntil(
      'the archiver process to be ready',
      () => processReady(current()),
      60_000,
      () => current().stderr.join('').slice(-2_000),
    );

    // The paced replay, in the background: round-robin over the partitions, keyed only for the log.
    let producedCount = 0;
    const producing = (async () => {
      const perRound = Math.ceil(RECORDS / PRODUCE_ROUNDS);
      for (let round = 0; round < PRODUCE_ROUNDS; round += 1) {
        const due = Date.now() + PRODUCE_EVERY_MS;
        const slice = replay.slice(round * perRound, (round + 1) * perRound);
        const byTopic = new Map<string, { value: string; partition: number }[]>();
        slice.forEach(({ topic, value }, i) => {
          const list = byTopic.get(topic) ?? [];
          list.push({ value, partition: (round * perRound + i) % PARTITIONS });
          byTopic.set(topic, list);
        });
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        producedCount += slice.length;
        await sleep(Math.max(0, due - Date.now()));
      }
    })();

    // The storm: each step changes the group's membership once (a rebalance), about every 3 s.
    let changes = 0;
    const gap = () => sleep(3_000);
    const cycleInProcess = async (name: string) => {
      await stopInProcess(name);
      changes += 1;
      await gap();
      await startInProcess(name);
      changes += 1;
      await gap();
    };
    const zombie = async () => {
      await waitUntil(
        'the archiver process to be ready before SIGSTOP',
        () => processReady(current()),
        60_000,
        () => current().stderr.join('').slice(-2_000),
      );
      current().child.kill('SIGSTOP');
      note(`SIGSTOP pid ${current().child.pid}`);
      // Past the session timeout: the group drops it and its partitions move, its buffers stay.
      await sleep(SESSION_TIMEOUT_MS + 4_000);
      changes += 1;
      current().child.kill('SIGCONT');
      note(`SIGCONT pid ${current().child.pid}`);
      changes += 1;
      await gap();
    };
    await cycleInProcess('A');
    await cycleInProcess('B');
    current().child.kill('SIGKILL');
    note(`SIGKILL pid ${current().child.pid}`);
    changes += 1;
    await gap();
    await spawnProcess();
    changes += 1;
    await cycleInProcess('A');
    await zombie();
    await cycleInProcess('B');
    await cycleInProcess('A');
    await zombie();
    await cycleInProcess('B');
    await cycleInProcess('A');
    await cycleInProcess('B');
    const stormMs = Date.now() - started;
    await producing;
    note(`replay done: ${producedCount} records`);
    expect(changes).toBeGreaterThanOrEqual(20);

    await waitUntil(
      'every partition committed to its end',
      async () => (await lagging()).length === 0,
      90_000,
    ).catch(async (error: unknown) => {
      throw new Error(
        `${(error as Error).message}\nbehind: ${(await lagging()).join(', ')}\n${log.join('\n')}`,
      );
    });
    // Every writer stops before the bucket is read, so no late upload can land after the check.
    for (const name of [...inProcess.keys()]) await stopInProcess(name);
    const last = current();
    refusedCreates += await existingTotal(
      (await (
        await fetch(`http://127.0.0.1:${last.port}/metrics`).catch(() => null)
      )
        ?.text()
        .catch(() => '')) ?? '',
    );
    const outcome = await stopChildProcess(last.child, 12_000);
    expect(outcome).toMatchObject({ exitCode: 0, killed: false });

    // Ground truth: the topics as Kafka holds them.
    const inKafka = await readTopics();
    expect(inKafka.size).toBe(RECORDS);
    const positionOfValue = new Map<string, Position>();
    for (const [position, value] of inKafka) {
      expect(positionOfValue.has(value)).toBe(false);
      positionOfValue.set(value, position);
    }

    // The bucket: every object, every line, mapped to the record it archives.
    const seen = new Map<Position, string[]>();
    const strays: string[] = [];
    let objects = 0;
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const { Key } of page.Contents ?? []) {
        objects += 1;
        const key = Key!;
        const match =
          /^(raw|errors)\/([^/]+)\/year=\d{4}\/month=\d\d\/day=\d\d\/hour=\d\d\/([^+]+)\+(\d+)\+(\d{20})\.json\.gz$/.exec(
            key,
          );
        if (!match || match[2] !== match[3]) {
          strays.push(`object ${key}`);
          continue;
        }
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const first = BigInt(object.Metadata?.['first-offset'] ?? '-1');
        const lastOffset = BigInt(object.Metadata?.['last-offset'] ?? '-1');
        const lines = gunzipSync(await object.Body!.transformToByteArray())
          .toString('utf8')
          .split('\n')
          .slice(0, -1);
        const offsets: bigint[] = [];
        for (const line of lines) {
          let position: Position | undefined;
          if (match[1] === 'raw') position = positionOfValue.get(line);
          else {
            const error = JSON.parse(line) as {
              topic: string;
              partition: number;
              offset: string;
              rawValue: string;
            };
            position = `${error.topic}|${error.partition}|${error.offset}`;
            if (inKafka.get(position) !== error.rawValue) position = undefined;
          }
          if (!position || !position.startsWith(`${prefix}${match[2]}|${Number(match[4])}|`)) {
            strays.push(`line of ${key}: ${line.slice(0, 120)}`);
            continue;
          }
          offsets.push(BigInt(position.split('|')[2]!));
          seen.set(position, [...(seen.get(position) ?? []), key]);
        }
        if (offsets.length !== lines.length) continue;
        if (
          offsets[0] !== BigInt(match[5]!) ||
          offsets[0] !== first ||
          offsets[offsets.length - 1] !== lastOffset ||
          Number(object.Metadata?.['record-count']) !== lines.length
        )
          strays.push(
            `object ${key}: lines ${offsets[0]}..${offsets[offsets.length - 1]}, metadata ${first}..${lastOffset}`,
          );
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);

    const missing = [...inKafka.keys()].filter((position) => !seen.has(position));
    const duplicated = [...seen].filter(([, keys]) => keys.length > 1);
    const report = [
      `records in Kafka: ${inKafka.size}, archived positions: ${seen.size}, objects: ${objects}`,
      `missing (${missing.length}): ${missing.slice(0, 20).join(', ')}`,
      `duplicated (${duplicated.length}): ${duplicated
        .slice(0, 20)
        .map(([position, keys]) => `${position} in ${keys.join(' + ')}`)
        .join('; ')}`,
      `not a record of the topics (${strays.length}): ${strays.slice(0, 20).join('; ')}`,
    ].join('\n');
    if (missing.length + duplicated.length + strays.length > 0)
      throw new Error(`${report}\n${log.join('\n')}`);
    console.info(
      `archiver rebalance storm: ${changes} membership changes in ${(stormMs / 1000).toFixed(1)} s, ` +
        `${inKafka.size} records in ${objects} objects exactly once, ${refusedCreates} creates refused (412, ` +
        `not counting the killed process), whole test ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 240_000);
});
