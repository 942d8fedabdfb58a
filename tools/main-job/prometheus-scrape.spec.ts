import { parseMetrics, sumMetric } from './prometheus-scrape';

const TEXT = `# HELP tickwire_records_consumed_total Kafka records handled and committed.
# TYPE tickwire_records_consumed_total counter
tickwire_records_consumed_total{topic="market.trades.v1"} 34990
tickwire_records_consumed_total{topic="market.quotes.v1"} 118497
tickwire_records_consumed_total{topic="market.enriched.v1"} 7
# HELP tickwire_handler_duration_seconds Handler time.
# TYPE tickwire_handler_duration_seconds histogram
tickwire_handler_duration_seconds_bucket{le="0.1",topic="market.trades.v1"} 3
tickwire_handler_duration_seconds_sum{topic="market.trades.v1"} 0.2
tickwire_handler_duration_seconds_count{topic="market.trades.v1"} 3
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 123456
`;

describe('parseMetrics / sumMetric', () => {
  const families = parseMetrics(TEXT);

  it('sums a counter over samples whose labels match', () => {
    expect(sumMetric(families, 'tickwire_records_consumed_total', { topic: 'market.trades.v1' })).toBe(34_990);
    expect(
      sumMetric(families, 'tickwire_records_consumed_total', {
        topic: (t) => ['market.trades.v1', 'market.quotes.v1'].includes(t),
      }),
    ).toBe(34_990 + 118_497);
    expect(sumMetric(families, 'tickwire_records_consumed_total')).toBe(34_990 + 118_497 + 7);
  });

  it('reads gauges, skips histograms, and treats an absent counter as 0', () => {
    expect(sumMetric(families, 'process_resident_memory_bytes')).toBe(123_456);
    expect(families.has('tickwire_handler_duration_seconds')).toBe(false);
    expect(sumMetric(families, 'tickwire_dlq_records_total')).toBe(0);
  });

  it('does not match a sample that lacks the label asked for', () => {
    expect(sumMetric(families, 'process_resident_memory_bytes', { topic: 'x' })).toBe(0);
  });
});
