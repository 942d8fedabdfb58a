import { TOPICS } from '@tickwire/contracts';
import { checkEventTimeOrder, checkNoLookAhead, MarketTape, type RawMarketEvent } from './event-order-checks';
import type { EventOrderEvidence } from './event-order-evidence';
import { parseMetrics } from './prometheus-scrape';
import type { PipelineTotals } from './pipeline-run';
import { eventOrderFailures, formatSummaryMarkdown, reconciles, summaryRows } from './pipeline-summary';

const counter = (name: string, samples: Record<string, number>, label = 'topic'): string =>
  `# TYPE ${name} counter\n` + Object.entries(samples).map(([v, n]) => `${name}{${label}="${v}"} ${n}`).join('\n') + '\n';

/** Issue 12's checks on one quote after one trade: its lastPrice `quoteLastPrice`, enriched events at `times`. */
function order(quoteLastPrice = 101, times = [1_000, 2_000]): EventOrderEvidence {
  const trade: RawMarketEvent = { id: 't', symbol: 'AAPL', kind: 'trade', eventTime: 1_000, payload: { price: 101 } };
  const quote: RawMarketEvent = { id: 'q', symbol: 'AAPL', kind: 'quote', eventTime: 2_000, payload: { bidPrice: 100, askPrice: 102 } };
  const sources = new Map([trade, quote].map((r) => [r.id, r]));
  const tape = new MarketTape(sources.values());
  const fields = { where: '0@1', sourceEventId: 'q', symbol: 'AAPL', kind: 'quote', eventTime: 2_000, lastPrice: quoteLastPrice, previousClose: null, changePercent: null } as const;
  const enriched = [{ ...fields, bidPrice: 100, askPrice: 102, bidSize: null, askSize: null }];
  const positions = times.map((eventTime, i) => ({ partition: 0, offset: String(i), symbol: 'AAPL', eventTime }));
  return {
    enrichedOrder: checkEventTimeOrder(TOPICS.enriched, positions),
    barsOrder: checkEventTimeOrder(TOPICS.bars1m, []),
    alertsOrder: checkEventTimeOrder(TOPICS.alerts, []),
    topicLookAhead: checkNoLookAhead(TOPICS.enriched, enriched, sources, tape),
    searchLookAhead: checkNoLookAhead('OpenSearch', enriched, sources, tape),
    reference: { sources, tape, late: 0, deadLettered: 0 },
  };
}

function totals(
  overrides: { indexedBars?: number; archivedTrades?: number; dlqInTopics?: number; lateInTopics?: number; order?: EventOrderEvidence } = {},
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
    order: overrides.order ?? order(),
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
    ['a quote that knows a later trade', { order: order(103) }],
    ['an enriched event earlier than the one before it', { order: order(101, [2_000, 1_000]) }],
  ])('does not reconcile with %s', (_name, overrides) => {
    expect(reconciles(summaryRows(totals(overrides)))).toBe(false);
  });

  it('counts look-ahead and order breaks in rows that must be 0, and names the failed checks', () => {
    const rows = summaryRows(totals({ order: order(103, [2_000, 1_000]) }));
    expect(rows.find((r) => r.stage === 'quotes with look-ahead (topic)')).toMatchObject({ count: 1, expected: 0 });
    expect(rows.find((r) => r.stage === 'quotes with look-ahead (OpenSearch)')).toMatchObject({ count: 1, expected: 0 });
    expect(rows.find((r) => r.stage === 'eventTime decreases: enriched')).toMatchObject({ count: 1, expected: 0 });
    expect(rows.find((r) => r.stage === 'eventTime decreases: alerts')).toMatchObject({ count: 0, expected: 0 });
    const failures = eventOrderFailures(totals({ order: order(103, [2_000, 1_000]) }).order);
    expect(failures).toHaveLength(3);
    expect(failures[0]).toContain('market.enriched.v1: no look-ahead (vs raw input): look-ahead in 100.0 % of 1 quotes');
    expect(eventOrderFailures(order())).toEqual([]);
  });

  it('renders a Markdown table with one row per stage', () => {
    const markdown = formatSummaryMarkdown(summaryRows(totals({ indexedBars: 9 })));
    expect(markdown).toContain('| indexed bars | 9 | NO (expected 10) |');
    expect(markdown.split('\n')).toHaveLength(2 + summaryRows(totals()).length);
  });
});
