import { Writable } from 'node:stream';
import { type RunningService, startService } from '@tickwire/service-kit';
import { uniqueName } from '@tickwire/testing';
import { AppModule } from './app.module';
import { MarketFeedConsumer } from './market-feed/market-feed-consumer';
import { CONSUMER_GATEWAY } from './service-definition';

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

describe('consumer-gateway on the local stack', () => {
  let running: RunningService<unknown>;

  beforeAll(async () => {
    running = await startService(AppModule, CONSUMER_GATEWAY, {
      env: { ...process.env, GATEWAY_INSTANCE_ID: uniqueName('it'), LOG_LEVEL: 'warn' },
      httpPort: 0,
      logDestination: discard,
    });
    await running.app.get(MarketFeedConsumer).whenLive();
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
    expect(Object.keys(body.info).sort()).toEqual(['dynamodb', 'kafka', 'market-feed', 'opensearch']);
  });

  it('lists the customer streams', async () => {
    const response = await fetch(`${running.url}/v1/streams`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { streams: { topic: string }[] };
    expect(body.streams.map((stream) => stream.topic)).toEqual([
      'market.enriched.v1',
      'market.bars.1m.v1',
      'market.alerts.v1',
      'market.corrections.v1',
      'market.halts.v1',
    ]);
  });

  it('serves Prometheus metrics labelled with the service', async () => {
    const response = await fetch(`${running.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('process_cpu_seconds_total{service="consumer-gateway"}');
    expect(text).toContain('# TYPE tickwire_records_consumed_total counter');
  });
});
