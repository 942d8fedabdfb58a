import {
  parseConsumerPerfOutput,
  parseEndToEndLatencyOutput,
  parseProducerPerfOutput,
} from './kafka-perf-tools';

describe('parseProducerPerfOutput', () => {
  it('reads the summary line of ProducerPerformance (Kafka 4.1)', () => {
    const output = [
      'SLF4J: Defaulting to no-operation (NOP) logger implementation',
      '51421 records sent, 10284.2 records/sec (2.94 MB/sec), 563.4 ms avg latency, 866.0 ms max latency.',
      '100000 records sent, 34542.3 records/sec (9.88 MB/sec), 709.59 ms avg latency, 950.00 ms max latency, 785 ms 50th, 910 ms 95th, 942 ms 99th, 949 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerfOutput(output)).toEqual({
      records: 100_000,
      recordsPerSecond: 34_542.3,
      mbPerSecond: 9.88,
      avgLatencyMs: 709.59,
      p50Ms: 785,
      p99Ms: 942,
      p999Ms: 949,
    });
  });

  it('fails on output without a summary', () => {
    expect(() =>
      parseProducerPerfOutput(
        '51421 records sent, 10284.2 records/sec (2.94 MB/sec), 563.4 ms avg latency, 866.0 ms max latency.',
      ),
    ).toThrow(/no ProducerPerformance summary/);
  });
});

describe('parseConsumerPerfOutput', () => {
  it('reads the CSV header and values of ConsumerPerformance by name', () => {
    const output = [
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      '2026-11-21 21:21:26:759, 2026-11-21 21:21:28:443, 28.6102, 16.9894, 100000, 59382.4228, 827, 857, 33.3842, 116686.1144',
    ].join('\n');
    expect(parseConsumerPerfOutput(output)).toEqual({
      records: 100_000,
      megabytes: 28.6102,
      recordsPerSecond: 59_382.4228,
      fetchRecordsPerSecond: 116_686.1144,
      fetchMbPerSecond: 33.3842,
      rebalanceMs: 827,
    });
  });

  it('fails when the values line is missing', () => {
    expect(() => parseConsumerPerfOutput('start.time, end.time\n')).toThrow(/no ConsumerPerformance summary/);
  });
});

describe('parseEndToEndLatencyOutput', () => {
  it('reads the average and the percentiles of EndToEndLatency (kafka-tools 4.1.2, as printed here)', () => {
    const output = [
      'Topic "e2e-latency-probe" does not exist. Will create topic with 1 partition(s) and replication factor = 1',
      '0\t190.10173600000002',
      '1000\t16.794613000000002',
      'Avg latency: 6.4707 ms',
      'Percentiles: 50th = 3, 99th = 37, 99.9th = 97',
    ].join('\n');
    expect(parseEndToEndLatencyOutput(output)).toEqual({ avgMs: 6.4707, p50Ms: 3, p99Ms: 37, p999Ms: 97 });
  });

  it('fails on output without the summary', () => {
    expect(() => parseEndToEndLatencyOutput('0\t190.1\n')).toThrow(/no EndToEndLatency summary/);
  });
});
