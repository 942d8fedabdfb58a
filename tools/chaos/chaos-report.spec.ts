import { formatChaosMarkdown, formatChaosTables } from './chaos-report';
import type { ChaosResult } from './chaos-run';

const result: ChaosResult = {
  profile: 'short',
  speed: 'x250',
  symbols: ['GOOG'],
  startedAt: '2026-11-21T21:00:00.000Z',
  durationMs: 180_000,
  replayMs: 120_000,
  published: 61_160,
  poisonRecords: 48,
  faults: [
    { description: 'SIGKILL enricher (down 1 s)', kind: 'service-kill', publishedAt: 9_174, elapsedMs: 14_200, readyMs: 21_500, caughtUpMs: 40_100, recovered: true },
    { description: 'SIGKILL Kafka broker (down 2 s)', kind: 'broker-kill', publishedAt: 21_406, elapsedMs: 60_000, readyMs: 23_000, recovered: true, note: 'lag not back within 60 s' },
  ],
  invariants: [
    { name: 'enriched: no duplicate ids (read_committed)', held: true, detail: '61,163 records, all ids distinct' },
    { name: 'bars = fault-free reference (from the raw files)', held: false, detail: '1 bars differ: GOOG:1 (volume 1 | 2)' },
  ],
  passed: false,
};

describe('chaos report', () => {
  it('prints a Markdown row per fault (when, ready, lag back) and per invariant, then the verdict', () => {
    const lines = formatChaosMarkdown(result).split('\n');
    expect(lines).toContain('| 1 | SIGKILL enricher (down 1 s) | 9,174 rec / 14.2 s | 21.5 s | 40.1 s | yes |  |');
    expect(lines).toContain('| 2 | SIGKILL Kafka broker (down 2 s) | 21,406 rec / 60.0 s | 23.0 s | - | yes | lag not back within 60 s |');
    expect(lines).toContain('| bars = fault-free reference (from the raw files) | **NO** | 1 bars differ: GOOG:1 (volume 1 \\| 2) |');
    expect(lines[lines.length - 1]).toBe(
      'chaos short (GOOG at x250): 61,160 records, 2 faults, 48 poison records; invariants 1/2 held; replay to caught-up 120.0 s, whole run 180.0 s: FAILED',
    );
  });

  it('prints the same as text tables', () => {
    const text = formatChaosTables(result);
    expect(text).toContain('SIGKILL enricher (down 1 s)');
    expect(text).toContain('│ NO');
    expect(text.trimEnd().endsWith('FAILED')).toBe(true);
  });
});
