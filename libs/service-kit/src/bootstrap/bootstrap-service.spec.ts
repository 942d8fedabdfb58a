import { Writable } from 'node:stream';
import { Module } from '@nestjs/common';
import { z } from 'zod';
import { baseEnvShape, openSearchEnvShape } from '../config/service-env-schemas';
import { ServiceConfigError } from '../config/service-config-loader';
import { type RunningService, startService } from './bootstrap-service';
import type { ServiceDefinition } from './service-definition';

/** An app without features: what service-kit alone provides. */
@Module({})
class EmptyAppModule {}

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

const schema = z.object({ ...baseEnvShape('ingest-producer'), ...openSearchEnvShape });

describe('startService (no external dependencies)', () => {
  let running: RunningService<unknown> | undefined;
  afterEach(async () => {
    await running?.app.close();
    running = undefined;
  });

  it('serves liveness, readiness and metrics, and echoes a request id', async () => {
    const definition: ServiceDefinition<typeof schema> = {
      name: 'ingest-producer',
      envSchema: schema,
      dependencies: [],
    };
    running = await startService(EmptyAppModule, definition, {
      env: {},
      httpPort: 0,
      logDestination: silent,
    });

    const live = await fetch(`${running.url}/health/live`, { headers: { 'x-request-id': 'req-123' } });
    expect(live.status).toBe(200);
    expect(live.headers.get('x-request-id')).toBe('req-123');
    expect(live.headers.get('x-powered-by')).toBeNull();
    expect(await live.json()).toMatchObject({ status: 'ok' });

    const ready = await fetch(`${running.url}/health/ready`);
    expect(ready.status).toBe(200);

    const metrics = await fetch(`${running.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain('process_resident_memory_bytes{service="ingest-producer"}');
    expect(text).toContain('# TYPE tickwire_dlq_records_total counter');
    expect(text).toContain(
      'tickwire_http_request_duration_seconds_count{service="ingest-producer",method="GET",route="/health/live",status_code="200"} 1',
    );
    await fetch(`${running.url}/no/such/route?id=1`);
    expect(await (await fetch(`${running.url}/metrics`)).text()).toContain(
      'tickwire_http_request_duration_seconds_count{service="ingest-producer",method="GET",route="unmatched",status_code="404"} 1',
    );
  });

  it('reports not ready, naming the dependency, when it does not answer', async () => {
    const definition: ServiceDefinition<typeof schema> = {
      name: 'ingest-producer',
      envSchema: schema,
      dependencies: ['opensearch'],
    };
    // Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    running = await startService(EmptyAppModule, definition, {
      env: { OPENSEARCH_URL: 'http://127.0.0.1:9' },
      httpPort: 0,
      logDestination: silent,
    });
    const ready = await fetch(`${running.url}/health/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { status: string; error: Record<string, { status: string }> };
    expect(body.status).toBe('error');
    expect(body.error['opensearch']?.status).toBe('down');
    expect((await fetch(`${running.url}/health/live`)).status).toBe(200);
  });

  it('refuses to start on an invalid environment before creating anything', async () => {
    const definition: ServiceDefinition<typeof schema> = {
      name: 'ingest-producer',
      envSchema: schema,
      dependencies: [],
    };
    await expect(
      startService(EmptyAppModule, definition, { env: { HTTP_PORT: 'http' }, logDestination: silent }),
    ).rejects.toThrow(
      new ServiceConfigError('ingest-producer', [{ variable: 'HTTP_PORT', reason: 'must be a port number' }])
        .message,
    );
  });
});
