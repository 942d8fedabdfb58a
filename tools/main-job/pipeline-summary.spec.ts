import { TOPICS } from '@tickwire/contracts';
import { parseMetrics } from './prometheus-scrape';
import type { PipelineTotals } from './pipeline-run';
import { formatSummaryMarkdown, reconciles, summaryRows } from './pipeline-summary';

const counter = (name: string, samples: Record<string, number>, label = 'topic'): string =>
  `# TYPE ${name} counter\n` + Object.entries(samples).map(([v, n]) => `${name}{${label}="${v}"} ${n}`).join('\n') + '\n';

function totals(
  overrides: { indexedBars?: number; archivedTrades?: number; dlqInTopics?: number; lateInTopics?: number } = {},
): PipelineTotals {
  const enricher = parseMetrics(
    counter('tickwire_records_produced_total', { [TOPICS.enriched]: 149, [TOPICS.bars1m]: 10, [TOPICS.alerts]: 2 }) +
      counter('tickwire_late_records_total', { [TOPICS.trades]: 1 }) +
      `# TYPE tickwire_dlq_records_total counter\ntickwire_dlq_records_total{topic="${TOPICS.quotes}",reason="SchemaViolation"} 1\n`,
  );
  const empty = parseMetrics('');
  return {
    ingest: {
      source: 'replay',
      state: 'completed',
      published: { [TOPICS.trades]: 50, [TOPICS.quotes]: 101, [TOPICS.barsDaily]: 5 },
      deadLettered: { [TOPICS.trades]: 2 },
    },
    metrics: { enricher, 'opensearch-indexer': empty, 'firehose-archiver': empty, 'consumer-gateway': empty, 'ingest-producer': empty },
    sinks: {
      indexed: { enriched: 149, 'bars-1m': overrides.indexedBars ?? 10, alerts: 2 },
      archive: {
        objects: 3,
        records: { [TOPICS.trades]: overrides.archivedTrades ?? 50, [TOPICS.quotes]: 101, [TOPICS.barsDaily]: 5 },
        errorRecords: 0,
      },
      dlq: { [`${TOPICS.trades}.dlq`]: 2, [`${TOPICS.quotes}.dlq`]: overrides.dlqInTopics ?? 1 },
      late: { [`${TOPICS.trades}.late`]: overrides.lateInTopics ?? 1 },
    },
  };
}

describe('summaryRows', () => {
  it('reconciles a run where every sink matches its upstream', () => {
    const rows = summaryRows(totals());
    expect(rows.find((r) => r.stage === 'enriched events')).toMatchObject({ count: 149, expected: 149 });
    expect(rows.find((r) => r.stage === 'late events')).toMatchObject({ count: 1, expected: 1 });
    expect(rows.find((r) => r.stage === 'archived records')).toMatchObject({ count: 156, expected: 156 });
    expect(rows.find((r) => r.stage === 'dead letters (DLQ)')).toMatchObject({ count: 3, expected: 3 });
    expect(reconciles(rows)).toBe(true);
  });

  it.each([
    ['a missing bar in OpenSearch', { indexedBars: 9 }],
    ['a duplicate in the archive', { archivedTrades: 51 }],
    ['a dead letter nobody counted', { dlqInTopics: 2 }],
    ['a late record nobody counted', { lateInTopics: 2 }],
  ])('does not reconcile with %s', (_name, overrides) => {
    expect(reconciles(summaryRows(totals(overrides)))).toBe(false);
  });

  it('renders a Markdown table with one row per stage', () => {
    const markdown = formatSummaryMarkdown(summaryRows(totals({ indexedBars: 9 })));
    expect(markdown).toContain('| indexed bars | 9 | NO (expected 10) |');
    expect(markdown.split('\n')).toHaveLength(2 + summaryRows(totals()).length);
  });
});
