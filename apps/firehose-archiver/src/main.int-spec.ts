import { Writable } from 'node:stream';
import { CreateBucketCommand, DeleteBucketCommand } from '@aws-sdk/client-s3';
import { RAW_TOPICS } from '@tickwire/contracts';
import { type RunningService, startService } from '@tickwire/service-kit';
import { createLocalKafka, createLocalS3, uniqueName } from '@tickwire/testing';
import { AppModule } from './app.module';
import { FIREHOSE_ARCHIVER } from './service-definition';

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

describe('firehose-archiver on the local stack', () => {
  let running: RunningService<unknown>;
  // Its own bucket and topic namespace: a second consumer group archiving the real topics into the
  // real bucket would write objects at other boundaries than the real archiver's (duplicates there).
  const s3 = createLocalS3();
  const admin = createLocalKafka('it-firehose-archiver-main').admin();
  const bucket = uniqueName('it-archiver-main');
  const prefix = `${uniqueName('it-archiver-main')}.`;
  const topics = RAW_TOPICS.map((topic) => `${prefix}${topic}`);

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await admin.connect();
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    running = await startService(AppModule, FIREHOSE_ARCHIVER, {
      env: {
        ...process.env,
        KAFKA_CONSUMER_GROUP: uniqueName('it-firehose-archiver'),
        KAFKA_TOPIC_PREFIX: prefix,
        ARCHIVE_BUCKET: bucket,
        LOG_LEVEL: 'warn',
      },
      httpPort: 0,
      logDestination: discard,
    });
  });

  afterAll(async () => {
    await running?.app.close();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    s3.destroy();
  });

  it('answers liveness', async () => {
    const live = await fetch(`${running.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
  });

  it('is ready once its dependencies answer, and checks only those', async () => {
    const ready = await fetch(`${running.url}/health/ready`);
    const body = (await ready.json()) as { status: string; info: Record<string, { status: string }> };
    expect(ready.status).toBe(200);
    expect(Object.keys(body.info).sort()).toEqual(['kafka', 'kafka-consumer', 's3']);
  });

  it('serves Prometheus metrics labelled with the service', async () => {
    const response = await fetch(`${running.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('process_cpu_seconds_total{service="firehose-archiver"}');
    expect(text).toContain('# TYPE tickwire_records_consumed_total counter');
  });
});
