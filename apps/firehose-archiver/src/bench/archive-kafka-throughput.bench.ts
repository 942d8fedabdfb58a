/**
 * End-to-end throughput of the archiver service through Kafka: produces the real LOBSTER AAPL day
 * (trades + quote changes) into topics of its own namespace (KAFKA_TOPIC_PREFIX, 3 partitions each),
 * starts the service module with BUFFER_INTERVAL_SECONDS=1 and times until every partition is
 * committed to its end. Own bucket; topics, group and bucket are deleted at the end.
 *
 *   SWC_NODE_PROJECT=apps/firehose-archiver/tsconfig.app.json \
 *     node -r @swc-node/register apps/firehose-archiver/src/bench/archive-kafka-throughput.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { RAW_TOPICS } from '@tickwire/contracts';
import { LobsterReplaySource } from '@tickwire/market-sources';
import { startService } from '@tickwire/service-kit';
import { createLocalKafka, createLocalS3 } from '@tickwire/testing';
import { AppModule } from '../app.module';
import { FIREHOSE_ARCHIVER } from '../service-definition';

async function main(): Promise<void> {
  const token = randomBytes(4).toString('hex');
  const prefix = `bench-${token}.`;
  const bucket = `bench-archive-${token}`;
  const groupId = `bench-archiver-${token}`;
  const topics = RAW_TOPICS.map((topic) => `${prefix}${topic}`);
  const kafka = createLocalKafka('bench-archiver');
  const admin = kafka.admin();
  const producer = kafka.producer();
  const s3 = createLocalS3();
  await Promise.all([
    admin.connect(),
    producer.connect(),
    s3.send(new CreateBucketCommand({ Bucket: bucket })),
  ]);
  await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    waitForLeaders: true,
  });
  let records = 0;
  let bytes = 0;
  let batch = new Map<string, { key: string; value: string }[]>();
  const flush = async () => {
    if (batch.size > 0)
      await producer.sendBatch({
        topicMessages: [...batch].map(([topic, messages]) => ({ topic, messages })),
      });
    batch = new Map();
  };
  for await (const record of new LobsterReplaySource({ symbols: ['AAPL'], quotes: 'changes' })) {
    if (record.kind !== 'event') continue;
    const value = JSON.stringify(record.event);
    records += 1;
    bytes += value.length;
    const topic = `${prefix}${record.topic}`;
    const messages = batch.get(topic) ?? [];
    messages.push({ key: `${record.event.payload.symbol}-${records % 3}`, value });
    batch.set(topic, messages);
    if (records % 5_000 === 0) await flush();
  }
  await flush();
  const started = process.hrtime.bigint();
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
    logDestination: new Writable({ write: (_c, _e, done) => done() }),
  });
  const ends = new Map<string, string>();
  for (const topic of topics)
    for (const { partition, high } of await admin.fetchTopicOffsets(topic))
      ends.set(`${topic}[${partition}]`, high);
  const deadline = Date.now() + 300_000;
  for (;;) {
    const committed = await admin.fetchOffsets({ groupId, topics });
    // A partition nothing was produced to (end 0) has nothing to commit.
    const done = committed.every(({ topic, partitions }) =>
      partitions.every(({ partition, offset }) => {
        const end = ends.get(`${topic}[${partition}]`);
        return end === '0' || offset === end;
      }),
    );
    if (done) break;
    if (Date.now() > deadline) throw new Error('the archiver did not catch up within 5 minutes');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `archiver through Kafka: ${records} records (${(bytes / 1_048_576).toFixed(1)} MB) archived and committed in ${seconds.toFixed(1)} s ` +
      `(start-up and group join included) = ${Math.round(records / seconds)} records/s, ${(bytes / 1_048_576 / seconds).toFixed(1)} MB/s`,
  );
  await running.app.close();
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const keys = (listed.Contents ?? []).map(({ Key }) => ({ Key }));
  if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.deleteTopics({ topics });
  await Promise.all([admin.disconnect(), producer.disconnect()]);
  s3.destroy();
}

void main();
