import { TOPICS } from '@tickwire/contracts';
import Table from 'cli-table3';
import type { EventOrderEvidence } from './event-order-evidence';
import { ENRICHED_OUTPUT_TOPICS, METRIC, type PipelineTotals, RAW_INPUT_TOPICS, sumValues } from './pipeline-run';
import { sumMetric } from './prometheus-scrape';

/** One line of the summary: a count, what it should equal (if anything) and whether it does. */
export interface SummaryRow {
  readonly stage: string;
  readonly count: number;
  /** The value `count` must reconcile with; undefined when the row is informational. */
  readonly expected?: number;
  readonly basis: string;
}

const pick = (counts: Readonly<Record<string, number>>, topic: string): number => counts[topic] ?? 0;

/**
 * The rows of the main job's summary, each count taken where it lands (ingest status, the services'
 * committed-record counters, OpenSearch `_count`, the archive's NDJSON lines, DLQ/late topic offsets,
 * the enricher's output topics and OpenSearch documents read back) and reconciled against its upstream:
 * - enriched = trades + quotes ingested - those the enricher dead-lettered or sent to a late topic;
 * - indexed documents = what the enricher produced, per stream;
 * - archived records = raw records ingested;
 * - records in DLQ topics = dead letters counted by every service;
 * - records in late topics = late records counted by the enricher;
 * - 0 enriched quotes whose lastPrice is not the last raw trade at or before them, and 0 other enriched
 *   fields not of their own event time, on `market.enriched.v1` and in OpenSearch (issue 12);
 * - per symbol, 0 eventTime decreases in the offset order of the enriched, bars and alerts topics, and
 *   0 same-millisecond enriched events out of source sequence (issue 12). OpenSearch documents record no
 *   topic position, so the order is checked on the topics only.
 */
export function summaryRows(totals: PipelineTotals): SummaryRow[] {
  const { ingest, metrics, sinks, order } = totals;
  const produced = (topic: string) => sumMetric(metrics.enricher, METRIC.produced, { topic });
  const trades = pick(ingest.published, TOPICS.trades);
  const quotes = pick(ingest.published, TOPICS.quotes);
  const daily = pick(ingest.published, TOPICS.barsDaily);
  const enricherDlq = sumMetric(metrics.enricher, METRIC.dlq, { topic: (t) => [TOPICS.trades, TOPICS.quotes].includes(t as never) });
  const enricherLate = sumMetric(metrics.enricher, METRIC.late);
  const enriched = produced(TOPICS.enriched);
  const bars = produced(TOPICS.bars1m);
  const alerts = produced(TOPICS.alerts);
  const ingestDlq = sumValues(ingest.deadLettered);
  const serviceDlq = ['enricher', 'opensearch-indexer', 'firehose-archiver'].reduce(
    (sum, name) => sum + sumMetric(metrics[name as keyof typeof metrics], METRIC.dlq),
    0,
  );
  const archived = RAW_INPUT_TOPICS.reduce((sum, topic) => sum + pick(sinks.archive.records, topic), 0);
  return [
    { stage: 'ingested trades', count: trades, basis: 'ingest-producer, acknowledged by Kafka' },
    { stage: 'ingested quotes', count: quotes, basis: 'ingest-producer, acknowledged by Kafka' },
    { stage: 'ingested daily bars', count: daily, basis: 'ingest-producer, acknowledged by Kafka' },
    { stage: 'enriched events', count: enriched, expected: trades + quotes - enricherDlq - enricherLate, basis: 'trades + quotes - enricher DLQ - late' },
    { stage: '1-minute bars', count: bars, basis: `enricher -> ${TOPICS.bars1m}` },
    { stage: 'alerts', count: alerts, basis: `enricher -> ${TOPICS.alerts}` },
    { stage: 'indexed enriched', count: sinks.indexed.enriched, expected: enriched, basis: 'OpenSearch market-enriched-*' },
    { stage: 'indexed bars', count: sinks.indexed['bars-1m'], expected: bars, basis: 'OpenSearch market-bars-1m-*' },
    { stage: 'indexed alerts', count: sinks.indexed.alerts, expected: alerts, basis: 'OpenSearch market-alerts-*' },
    { stage: 'archived objects', count: sinks.archive.objects, basis: 'S3 gzip NDJSON objects (raw/)' },
    { stage: 'archived records', count: archived, expected: trades + quotes + daily, basis: 'NDJSON lines = raw ingested' },
    { stage: 'archive error records', count: sinks.archive.errorRecords, basis: 'S3 errors/ (failed validation)' },
    { stage: 'dead letters (DLQ)', count: sumValues(sinks.dlq), expected: ingestDlq + serviceDlq, basis: '*.dlq topics = DLQ counted by services' },
    { stage: 'late events', count: sumValues(sinks.late), expected: enricherLate, basis: '*.late topics = late counted by the enricher' },
    ...eventOrderRows(order),
  ];
}

/** Issue 12's rows: each count must be 0 (see event-order-checks.ts for what is compared). */
function eventOrderRows(order: EventOrderEvidence): SummaryRow[] {
  const lookAhead = 'lastPrice != last raw trade at or before (same ms counts)';
  const fields = 'own price / quote, trade bid/ask, changePercent vs raw input';
  const search = 'market-enriched-* documents';
  const { enrichedOrder, barsOrder, alertsOrder, topicLookAhead, searchLookAhead } = order;
  return [
    { stage: 'quotes with look-ahead (topic)', count: topicLookAhead.quotesWithLookAhead, expected: 0, basis: `${TOPICS.enriched} read_committed: ${lookAhead}` },
    { stage: 'quotes with look-ahead (OpenSearch)', count: searchLookAhead.quotesWithLookAhead, expected: 0, basis: `${search}: ${lookAhead}` },
    { stage: 'enriched fields not of their time (topic)', count: topicLookAhead.otherFieldProblems, expected: 0, basis: `${TOPICS.enriched}: ${fields}` },
    { stage: 'enriched fields not of their time (OpenSearch)', count: searchLookAhead.otherFieldProblems, expected: 0, basis: `${search}: ${fields}` },
    { stage: 'eventTime decreases: enriched', count: enrichedOrder.decreases, expected: 0, basis: `per symbol, ${TOPICS.enriched} offset order (OpenSearch keeps no offset)` },
    { stage: 'other order breaks: enriched', count: enrichedOrder.offenders - enrichedOrder.decreases, expected: 0, basis: 'same ms out of source sequence, or a symbol in two partitions' },
    { stage: 'eventTime decreases: 1-minute bars', count: barsOrder.offenders, expected: 0, basis: `per symbol, ${TOPICS.bars1m} offset order (eventTime, startTime)` },
    { stage: 'eventTime decreases: alerts', count: alertsOrder.offenders, expected: 0, basis: `per symbol, ${TOPICS.alerts} offset order` },
  ];
}

/** `<check>: <detail>` of each of issue 12's checks that failed (counts and first offenders), for below the table. */
export function eventOrderFailures(order: EventOrderEvidence): string[] {
  return [order.topicLookAhead, order.searchLookAhead, order.enrichedOrder, order.barsOrder, order.alertsOrder]
    .filter((check) => !check.held)
    .map((check) => `${check.name}: ${check.detail}`);
}

/** True when every row with an expectation matches it. */
export function reconciles(rows: readonly SummaryRow[]): boolean {
  return rows.every((row) => row.expected === undefined || row.expected === row.count);
}

const mark = (row: SummaryRow): string => (row.expected === undefined ? '' : row.expected === row.count ? 'yes' : `NO (expected ${row.expected})`);

/** The summary as a terminal table. */
export function formatSummaryTable(rows: readonly SummaryRow[]): string {
  const table = new Table({ head: ['stage', 'count', 'reconciles', 'basis'], style: { head: [], border: [] } });
  for (const row of rows) table.push([row.stage, row.count.toLocaleString('en-US'), mark(row), row.basis]);
  return table.toString();
}

/** The summary as a Markdown table (for the README). */
export function formatSummaryMarkdown(rows: readonly SummaryRow[]): string {
  const lines = ['| stage | count | reconciles | basis |', '|---|---:|---|---|'];
  for (const row of rows) lines.push(`| ${row.stage} | ${row.count.toLocaleString('en-US')} | ${mark(row)} | ${row.basis} |`);
  return lines.join('\n');
}

export { ENRICHED_OUTPUT_TOPICS };
