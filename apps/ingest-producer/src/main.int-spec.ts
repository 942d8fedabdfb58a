import { Writable } from 'node:stream';
import { RAW_TOPICS } from '@tickwire/contracts';
import { type RunningService, startService } from '@tickwire/service-kit';
import { createLocalKafka, uniqueName } from '@tickwire/testing';
import { AppModule } from './app.module';
import type { IngestStatus } from './ingest/ingest-status';
import { INGEST_PRODUCER } from './service-definition';

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

describe('ingest-producer on the local stack', () => {
  const kafka = createLocalKafka('it-ingest-producer-main');
  const admin = kafka.admin();
  // A unique topic prefix keeps the records of this run out of the real topics.
  const prefix = `${uniqueName('it-ingest-main')}.`;
  const topics = RAW_TOPICS.flatMap((topic) => [`${prefix}${topic}`, `${prefix}${topic}.dlq`]);
  let running: RunningService<unknown>;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })), waitForLeaders: true });
    running = await startService(AppModule, INGEST_PRODUCER, {
      env: { ...process.env, SOURCE: 'synthetic', SYNTHETIC_LIMIT: '500', REPLAY_SPEED: 'max', TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn' },
      httpPort: 0,
      logDestination: discard,
    });
  });

  afterAll(async () => {
    await running?.app.close();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
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
    expect(Object.keys(body.info).sort()).toEqual(['kafka']);
  });

  it('reports the run on /v1/ingest/status, completed once a limited source is published', async () => {
    let status: IngestStatus;
    const deadline = Date.now() + 30_000;
    do {
      status = (await (await fetch(`${running.url}/v1/ingest/status`)).json()) as IngestStatus;
      if (status.state === 'completed' || status.state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } while (Date.now() < deadline);
    expect(status).toEqual({
      source: 'synthetic',
      dataset: null,
      speed: 'max',
      state: 'completed',
      startedAt: expect.any(Number),
      completedAt: expect.any(Number),
      published: { [`${prefix}market.trades.v1`]: expect.any(Number), [`${prefix}market.quotes.v1`]: expect.any(Number) },
      deadLettered: {},
      rejected: 0,
    });
    expect(Object.values(status.published).reduce((sum, count) => sum + count, 0)).toBe(500);
    // Still serving after completion.
    expect((await fetch(`${running.url}/health/live`)).status).toBe(200);
  });

  it('serves Prometheus metrics labelled with the service', async () => {
    const response = await fetch(`${running.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('process_cpu_seconds_total{service="ingest-producer"}');
    expect(text).toContain('# TYPE tickwire_records_produced_total counter');
    expect(text).toContain('# TYPE tickwire_ingest_publish_batch_duration_seconds histogram');
    expect(text).toContain('# TYPE tickwire_ingest_replay_lag_seconds gauge');
  });
});
