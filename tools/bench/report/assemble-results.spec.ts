import type { CatchUpRoundFigures } from '../stages/catch-up-round';
import type { LiveFigures } from '../stages/live-stages';
import { catchUpRows, judgeTargets, liveRows } from './assemble-results';

const round = (
  enricher: number,
  passthrough: number,
  indexer: number,
  bulk: number,
): CatchUpRoundFigures => ({
  records: 1_000,
  meanRecordBytes: 300,
  ingest: { rate: 10_000, peakRssMiB: 150 },
  producerPerf: 40_000,
  passthroughEos: passthrough,
  passthroughAlo: 2 * passthrough,
  consumerPerf: 100_000,
  enricher: { rate: enricher, peakRssMiB: 200 },
  indexer: { rate: indexer, peakRssMiB: 120 },
  indexedDocs: 900,
  rawBulk: bulk,
  indexerConcurrent: { rate: bulk * 0.9, peakRssMiB: 125 },
  archiver: { rate: 20, peakRssMiB: 130 },
  rawPut: 40,
  archiveObjects: 10,
  archiveCompressedMiB: 1.5,
  errors: [],
});

const live: LiveFigures = {
  steps: [
    {
      kind: 'e2e',
      inputRate: 10_000,
      subscribers: 1,
      enricherMaxTaskIdleMs: 100,
      deliveredPerSecond: 9_900,
      latency: { count: 1_000, p50: 10, p99: 45, p999: 80, max: 90 },
      unmatched: 0,
      closed: 0,
      gatewayPeakRssMiB: 150,
    },
    {
      kind: 'fanout',
      inputRate: 10_000,
      subscribers: 1_000,
      enricherMaxTaskIdleMs: 100,
      deliveredPerSecond: 9_900,
      latency: { count: 1_000, p50: 5, p99: 20, p999: 30, max: 40 },
      unmatched: 0,
      closed: 0,
      gatewayPeakRssMiB: 280,
    },
    {
      kind: 'fanout',
      inputRate: 10_000,
      ingestRate: 10_000,
      subscribers: 1_000,
      enricherMaxTaskIdleMs: 100,
      deliveredPerSecond: 9_800,
      latency: { count: 1_000, p50: 10, p99: 40, p999: 80, max: 90 },
      unmatched: 0,
      closed: 3,
      gatewayPeakRssMiB: 300,
    },
    {
      kind: 'e2e',
      inputRate: 10_000,
      subscribers: 1,
      enricherMaxTaskIdleMs: 0,
      deliveredPerSecond: 9_950,
      latency: { count: 1_000, p50: 4, p99: 30, p999: 60, max: 70 },
      unmatched: 0,
      closed: 0,
      gatewayPeakRssMiB: 150,
    },
    {
      kind: 'e2e',
      inputRate: 1_000,
      subscribers: 1,
      enricherMaxTaskIdleMs: 100,
      deliveredPerSecond: 1_000,
      latency: { count: 1_000, p50: 8, p99: 40, p999: 50, max: 55 },
      unmatched: 0,
      closed: 0,
      gatewayPeakRssMiB: 150,
    },
  ],
  defaultMaxTaskIdleMs: 100,
  maxRate: { rate: 10_000, atLeast: true },
  peakRssMiB: { enricher: 210, gateway: 300, ingest: 140 },
  kafkaEndToEnd: { avgMs: 2, p50Ms: 1, p99Ms: 5, p999Ms: 20 },
  errors: [],
};

describe('results assembly', () => {
  it('pairs each catch-up stage with its baseline per round', () => {
    const rows = catchUpRows([
      round(5_000, 10_000, 8_000, 10_000),
      round(6_000, 10_000, 7_000, 10_000),
      round(4_000, 10_000, 9_000, 10_000),
    ]);
    const enricher = rows.find((r) => r.id === 'enricher.eos');
    expect(enricher?.throughput).toEqual({ median: 5_000, rounds: [5_000, 6_000, 4_000] });
    expect(enricher?.ratio).toBeCloseTo(0.5);
    expect(enricher?.peakRssMiB).toBe(200);
  });

  it('judges the four targets, a slow-client close failing the gateway target', () => {
    const rows = [...catchUpRows([round(5_000, 10_000, 7_000, 10_000)]), ...liveRows(live)];
    expect(judgeTargets(rows).map((t) => t.met)).toEqual([true, false, true, false, false]);
    expect(judgeTargets(rows)[3]?.figure).toBe('p99 40.0 ms, some subscribers closed as slow');
  });

  it('judges the gateway target on the step with ingest running, never on the gateway alone', () => {
    const rows = liveRows(live);
    expect(rows.find((r) => r.id === 'fanout.1000')?.stage).toBe('consumer-gateway to 1,000 subscribers');
    expect(rows.find((r) => r.id === 'fanout.1000.ingest')?.stage).toBe(
      'consumer-gateway to 1,000 subscribers while ingest runs at 10,000 events/s',
    );
    const alone = { ...live, steps: live.steps.filter((s) => s.ingestRate === undefined) };
    expect(judgeTargets(liveRows(alone))[3]).toMatchObject({ met: null, figure: '–' });
  });

  it('marks a target not measured when its stage is missing', () => {
    expect(judgeTargets([]).map((t) => t.met)).toEqual([null, null, null, null, null]);
  });

  it('pairs each end-to-end rate at the default merge wait with the same rate without it', () => {
    const rows = liveRows(live);
    expect(rows.filter((r) => r.id.startsWith('e2e.')).map((r) => [r.id, r.stage])).toEqual([
      ['e2e.1000', 'end to end at 1,000 events/s (merge wait 100 ms)'],
      ['e2e.10000', 'end to end at 10,000 events/s (merge wait 100 ms)'],
      ['e2e.10000.wait0', 'end to end at 10,000 events/s (merge wait 0)'],
      ['e2e.max', 'end to end: highest input rate with p99 < 50 ms (merge wait 100 ms)'],
    ]);
    expect(rows.find((r) => r.id === 'e2e.10000.wait0')).toMatchObject({
      env: { ENRICHER_MAX_TASK_IDLE_MS: '0' },
      note: expect.stringContaining('enricher (ENRICHER_MAX_TASK_IDLE_MS=0)'),
      latency: { p99: 30 },
    });
    expect(rows.find((r) => r.id === 'e2e.10000')).toMatchObject({
      env: { ENRICHER_MAX_TASK_IDLE_MS: '100' },
      note: expect.stringContaining('enricher (ENRICHER_MAX_TASK_IDLE_MS=100, its default)'),
    });
  });

  it('judges the end-to-end target on the default merge wait, not on the step without it', () => {
    const withoutDefault = { ...live, steps: live.steps.filter((s) => s.enricherMaxTaskIdleMs === 0) };
    expect(judgeTargets(liveRows(withoutDefault))[2]).toMatchObject({ met: null, figure: '–' });
    expect(judgeTargets(liveRows(live))[2]).toMatchObject({ met: true, figure: 'p99 45.0 ms' });
  });

  it('reports the highest passing rate as a lower bound when every rate passed', () => {
    expect(liveRows(live).find((r) => r.id === 'e2e.max')?.note).toMatch(/^at least/);
  });

  it("reports Kafka's own end-to-end latency as a baseline row and every p99 as a multiple of it", () => {
    const rows = liveRows(live);
    expect(rows[0]).toMatchObject({ id: 'kafka.e2e', latency: { p50: 1, p99: 5, p999: 20 } });
    expect(rows.find((r) => r.id === 'e2e.10000')?.latencyMultiple).toBe(9);
    expect(rows.find((r) => r.id === 'fanout.1000.ingest')?.latencyMultiple).toBe(8);
    expect(
      liveRows({ ...live, kafkaEndToEnd: null }).some(
        (r) => r.id === 'kafka.e2e' || r.latencyMultiple !== undefined,
      ),
    ).toBe(false);
  });

  it('judges the 1,000 events/s target at 25 ms', () => {
    const fast = {
      ...live,
      steps: live.steps.map((s) =>
        s.inputRate === 1_000 ? { ...s, latency: { count: 1, p50: 5, p99: 25, p999: 30, max: 30 } } : s,
      ),
    };
    expect(judgeTargets(liveRows(fast))[4]).toMatchObject({ met: true, figure: 'p99 25.0 ms' });
    expect(judgeTargets(liveRows(live))[4]).toMatchObject({ met: false, figure: 'p99 40.0 ms' });
  });
});
