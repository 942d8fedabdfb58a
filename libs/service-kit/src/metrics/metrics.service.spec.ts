import { MetricsService } from './metrics.service';

function service(): MetricsService {
  return new MetricsService({
    SERVICE_NAME: 'enricher',
    LOG_LEVEL: 'info',
    HTTP_PORT: 8082,
    SHUTDOWN_TIMEOUT_MS: 10_000,
  });
}

describe('MetricsService', () => {
  it('exposes default process metrics and the Kafka counters, labelled with the service', async () => {
    const metrics = service();
    metrics.recordsConsumed('market.trades.v1', 3);
    metrics.recordDeadLettered('market.trades.v1', 'SchemaViolation');
    metrics.handlerDuration('market.trades.v1', 0.004);
    metrics.recordsProduced('market.enriched.v1', 2);
    metrics.consumerLag('market.trades.v1', 1, 42);
    const text = await metrics.render();
    expect(text).toContain('process_cpu_seconds_total{service="enricher"}');
    expect(text).toContain(
      'tickwire_consumer_lag_records{topic="market.trades.v1",partition="1",service="enricher"} 42',
    );
    expect(text).toContain('tickwire_records_consumed_total{topic="market.trades.v1",service="enricher"} 3');
    expect(text).toContain(
      'tickwire_dlq_records_total{topic="market.trades.v1",reason="SchemaViolation",service="enricher"} 1',
    );
    expect(text).toContain(
      'tickwire_records_produced_total{topic="market.enriched.v1",service="enricher"} 2',
    );
    expect(text).toContain(
      'tickwire_handler_duration_seconds_bucket{le="0.005",service="enricher",topic="market.trades.v1"} 1',
    );
  });

  it('enforces the naming conventions', () => {
    const metrics = service();
    expect(() => metrics.counter('records_total', 'x')).toThrow(/tickwire_ prefix/);
    expect(() => metrics.counter('tickwire_records', 'x')).toThrow(/_total/);
    expect(() => metrics.counter('tickwire_Records_total', 'x')).toThrow(/snake_case/);
    expect(() => metrics.histogram('tickwire_bulk_latency', 'x')).toThrow(/unit suffix/);
    expect(() => metrics.gauge('tickwire_consumer_lag', 'x')).toThrow(/unit suffix/);
  });

  it('returns the same metric when registered twice and refuses a type clash', () => {
    const metrics = service();
    const first = metrics.gauge('tickwire_consumer_lag_records', 'Lag.', ['topic']);
    expect(metrics.gauge('tickwire_consumer_lag_records', 'Lag.', ['topic'])).toBe(first);
    expect(() => metrics.histogram('tickwire_consumer_lag_records', 'Lag.')).toThrow(/another type/);
  });
});
