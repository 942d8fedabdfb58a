import { Writable } from 'node:stream';
import { type RunningService, startService } from '@tickwire/service-kit';
import { CUSTOMER_TOPICS } from '@tickwire/contracts';
import { createLocalKafka, uniqueName } from '@tickwire/testing';
import { AppModule } from './app.module';
import { OPENSEARCH_INDEXER } from './service-definition';

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

describe('opensearch-indexer on the local stack', () => {
  let running: RunningService<unknown>;

  beforeAll(async () => {
    // A new group starts at the topics' ends: this smoke test must not re-index the real topics' history.
    const groupId = uniqueName('it-opensearch-indexer');
    const admin = createLocalKafka('it-opensearch-indexer-main').admin();
    await admin.connect();
    for (const topic of CUSTOMER_TOPICS) {
      const partitions = (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({
        partition,
        offset: high,
      }));
      await admin.setOffsets({ groupId, topic, partitions });
    }
    await admin.disconnect();
    running = await startService(AppModule, OPENSEARCH_INDEXER, {
      env: { ...process.env, KAFKA_CONSUMER_GROUP: groupId, LOG_LEVEL: 'warn' },
      httpPort: 0,
      logDestination: discard,
    });
  });

  afterAll(async () => {
    await running?.app.close();
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
    expect(Object.keys(body.info).sort()).toEqual(['kafka', 'kafka-consumer', 'opensearch']);
  });

  it('serves Prometheus metrics labelled with the service', async () => {
    const response = await fetch(`${running.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('process_cpu_seconds_total{service="opensearch-indexer"}');
    expect(text).toContain('# TYPE tickwire_records_consumed_total counter');
  });
});
