import type { BenchResults } from './bench-results';
import { formatFigure, formatRatio, renderMarkdown } from './markdown-report';

describe('formatFigure', () => {
  it('groups thousands, keeps one decimal under 100 and three digits under 1', () => {
    expect(formatFigure(12_345.6)).toBe('12,346');
    expect(formatFigure(42.34)).toBe('42.3');
    expect(formatFigure(0.01234)).toBe('0.0123');
    expect(formatFigure(null)).toBe('–');
    expect(formatFigure(Number.NaN)).toBe('–');
  });
});

describe('formatRatio', () => {
  it('is a whole percentage', () => {
    expect(formatRatio(0.534)).toBe('53%');
    expect(formatRatio(null)).toBe('–');
  });
});

describe('renderMarkdown', () => {
  const results: BenchResults = {
    startedAt: '2026-11-21T22:00:00.000Z',
    finishedAt: '2026-11-21T22:15:00.000Z',
    profile: 'full',
    rounds: 3,
    machine: {
      uname: 'Linux x 6.1',
      cpuModel: 'Test CPU',
      cores: 2,
      memoryGiB: 24,
      node: 'v20.19.0',
      kafka: '4.1.2',
      loadAverageAtStart: [1, 2, 3],
    },
    rows: [
      {
        id: 'enricher.eos',
        stage: 'enricher (exactly-once)',
        unit: 'events/s',
        throughput: { median: 9_000, rounds: [8_000, 9_000, 10_000] },
        baseline: { name: 'raw | passthrough', throughput: { median: 20_000, rounds: [20_000] } },
        ratio: 0.45,
        peakRssMiB: 180.4,
        note: '283,581 records',
      },
      {
        id: 'e2e.10000',
        stage: 'end to end at 10,000 events/s (merge wait 100 ms)',
        unit: 'events/s',
        throughput: { median: 10_000, rounds: [10_000] },
        latency: { count: 100, p50: 4.2, p99: 31, p999: 48.5, max: 60 },
        env: { ENRICHER_MAX_TASK_IDLE_MS: '100' },
      },
      {
        id: 'e2e.10000.wait0',
        stage: 'end to end at 10,000 events/s (merge wait 0)',
        unit: 'events/s',
        throughput: { median: 9_990, rounds: [9_990] },
        latency: { count: 100, p50: 2.1, p99: 20, p999: 30.5, max: 40 },
        env: { ENRICHER_MAX_TASK_IDLE_MS: '0' },
      },
    ],
    targets: [
      { target: 'enricher >= 50% of passthrough', figure: '45%', met: false },
      { target: 'indexer >= 80% of bulk', figure: '–', met: null },
    ],
    notes: ['a note'],
  };

  it('renders the machine, one line per row with rounds, ratio and latency, and the targets', () => {
    const markdown = renderMarkdown(results);
    expect(markdown).toContain('Test CPU, 2 cores, 24 GiB RAM; Node v20.19.0, Kafka 4.1.2');
    expect(markdown).toContain(
      '| enricher (exactly-once) | 9,000 events/s (8,000 / 9,000 / 10,000) | raw \\| passthrough | 20,000 events/s | 45% | – | – | – | 180 | 283,581 records |',
    );
    expect(markdown).toContain(
      [
        '| end to end at 10,000 events/s (merge wait 100 ms) | 10,000 events/s |  |  | – | 4.2 | 31.0 | 48.5 | – |  |',
        '| end to end at 10,000 events/s (merge wait 0) | 9,990 events/s |  |  | – | 2.1 | 20.0 | 30.5 | – |  |',
      ].join('\n'),
    );
    expect(markdown).toContain('| enricher >= 50% of passthrough | 45% | **no** |');
    expect(markdown).toContain('| indexer >= 80% of bulk | – | not measured |');
    expect(markdown).toContain('- a note');
  });
});
