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
import { RAW_TOPICS, TOPICS } from '@tickwire/contracts';
import { LobsterReplaySource } from '@tickwire/market-sources';
import { MetricsService, type RunningService, startService } from '@tickwire/service-kit';
import { createLocalKafka, createLocalS3, uniqueName, waitUntil } from '@tickwire/testing';
import type { Admin, Producer } from 'kafkajs';
import { AppModule } from '../app.module';
import { FIREHOSE_ARCHIVER } from '../service-definition';
import { ArchiveConsumer } from './archive-consumer';

/**
 * Scale-out and shutdown of the archiver on the real stack (Kafka, S3Mock): two instances (Nest apps
 * in this process, each with its own DeferredCommitConsumer) in one group split the raw topics'
 * partitions co-partitioned; one is shut down as on SIGTERM while trades stream in (final flush,
 * upload, commit, leave: within 10 s), and the other takes its partitions over from the committed
 * offsets. Afterwards every partition is committed to its end and the bucket holds every produced
 * trade exactly once.
 *
 * Isolation as in archive.int-spec.ts: topics of its own (KAFKA_TOPIC_PREFIX) and a bucket of its own.
 */
const TRADES = 4_000;
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });


/** Every NDJSON line under `prefix` of `bucket`. */
async function archivedLines(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const lines: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const { Key } of page.Contents ?? []) {
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))
      ).Body!.transformToByteArray();
      lines.push(...gunzipSync(body).toString('utf8').split('\n').slice(0, -1));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return lines;
}

describe('firehose-archiver scale-out: two instances, one group, graceful handover (real Kafka, S3)', () => {
  const kafka = createLocalKafka('it-archiver-scale');
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer();
  const s3 = createLocalS3();
  const prefix = `${uniqueName('it-arch-scale')}.`;
  const bucket = uniqueName('it-archive-scale');
  const groupId = uniqueName('it-archiver-scale');
  const topics = RAW_TOPICS.map((topic) => `${prefix}${topic}`);
  const tradesTopic = `${prefix}${TOPICS.trades}`;
  const instances: RunningService<unknown>[] = [];
  /** Records this instance counted as handled (tickwire_records_consumed_total of `topic`). */
  const handled = async (running: RunningService<unknown>, topic: string): Promise<number> =>
    (await running.app.get(MetricsService).recordsConsumedTotal.get()).values
      .filter((value) => value.labels.topic === topic)
      .reduce((sum, value) => sum + value.value, 0);
  let trades: string[] = [];

  const start = async () => {
    const running = await startService(AppModule, FIREHOSE_ARCHIVER, {
      env: {
        ...process.env,
        KAFKA_CONSUMER_GROUP: groupId,
        KAFKA_TOPIC_PREFIX: prefix,
        ARCHIVE_BUCKET: bucket,
        BUFFER_INTERVAL_SECONDS: '1',
        LOG_LEVEL: 'warn',
      },
      httpPort: 0,
      logDestination: discard,
    });
    instances.push(running);
    return running;
  };
  const owned = (running: RunningService<unknown>) => running.app.get(ArchiveConsumer).currentAssignment();
  const produce = async (values: string[]) => {
    for (let i = 0; i < values.length; i += 250)
      await producer.send({
        topic: tradesTopic,
        acks: -1,
        messages: values.slice(i, i + 250).map((value, j) => ({ key: `k${(i + j) % 11}`, value })),
      });
  };
  const lagging = async (): Promise<number> => {
    let behind = 0;
    const committed = await admin.fetchOffsets({ groupId, topics: [tradesTopic] });
    for (const { partition, high } of await admin.fetchTopicOffsets(tradesTopic)) {
      const offset = committed[0]?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      if (offset !== high && high !== '0') behind += 1;
    }
    return behind;
  };

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for await (const record of new LobsterReplaySource({ symbols: ['AAPL'], quotes: 'none' })) {
      if (record.kind !== 'event') continue;
      trades.push(JSON.stringify(record.event));
      if (trades.length === TRADES) break;
    }
  }, 120_000);

  afterAll(async () => {
    for (const running of instances) await running.shutdown('SIGTERM').catch(() => undefined);
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
    if (keys.length > 0)
      await s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
      );
    await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    s3.destroy();
    trades = [];
  });

  it('splits partitions, hands them over on SIGTERM within 10 s, and archives every trade exactly once', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    await waitUntil(
      'both instances to own a partition',
      () => (owned(a!)[tradesTopic] ?? []).length === 1 && (owned(b!)[tradesTopic] ?? []).length === 1,
    );
    for (const running of [a!, b!]) {
      const assignment = owned(running);
      for (const topic of topics) expect(assignment[topic]).toEqual(assignment[tradesTopic]);
    }

    await produce(trades.slice(0, TRADES / 2));
    await waitUntil('the first half committed', async () => (await lagging()) === 0);
    const streaming = produce(trades.slice(TRADES / 2));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = Date.now();
    await a!.shutdown('SIGTERM');
    const shutdownMs = Date.now() - stopping;
    instances.splice(instances.indexOf(a!), 1);
    await streaming;
    expect(shutdownMs).toBeLessThan(10_000);

    await waitUntil(
      'the other instance to own both partitions',
      () => (owned(b!)[tradesTopic] ?? []).length === 2,
    );
    await waitUntil('every partition committed to its end', async () => (await lagging()) === 0, 40_000);
    const lines = await archivedLines(s3, bucket, `raw/${TOPICS.trades}/`);
    expect(lines.length).toBe(TRADES);
    expect([...lines].sort()).toEqual([...trades].sort());
    // Committed == processed: the stopped instance committed all it uploaded, nothing was uploaded twice.
    expect((await handled(a!, tradesTopic)) + (await handled(b!, tradesTopic))).toBe(TRADES);
    console.info(`archiver SIGTERM under load: shutdown ${shutdownMs} ms`);
  }, 90_000);
});
