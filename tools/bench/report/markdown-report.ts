import type { BenchResults, BenchRow } from './bench-results';

/**
 * A figure for a table cell: thousands separators at 100 and above, one decimal below 100, three
 * significant digits below 1; an en dash for a missing figure.
 */
export function formatFigure(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 1) return value.toFixed(1);
  return value.toPrecision(3);
}

/** A ratio as a percentage with no decimals (0.534 -> `53%`); an en dash when missing. */
export function formatRatio(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio)
    ? '–'
    : `${Math.round(ratio * 100)}%`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function rowLine(row: BenchRow): string {
  const latency = row.latency;
  const rounds =
    row.throughput.rounds.length > 1 ? ` (${row.throughput.rounds.map(formatFigure).join(' / ')})` : '';
  return `| ${[
    cell(row.stage),
    `${formatFigure(row.throughput.median)} ${row.unit}${rounds}`,
    row.baseline ? cell(row.baseline.name) : '',
    row.baseline ? `${formatFigure(row.baseline.throughput.median)} ${row.unit}` : '',
    formatRatio(row.ratio),
    latency ? formatFigure(latency.p50) : '–',
    latency
      ? `${formatFigure(latency.p99)}${row.latencyMultiple !== undefined ? ` (×${formatFigure(row.latencyMultiple)})` : ''}`
      : '–',
    latency ? formatFigure(latency.p999) : '–',
    formatFigure(row.peakRssMiB),
    cell(row.note ?? ''),
  ].join(' | ')} |`;
}

/**
 * The results as markdown: the machine, the table of stages (figure = median of the rounds, each
 * round in brackets; ratio = median of the per-round stage / baseline ratios), the targets and notes.
 */
export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const lines = [
    `### Benchmark results ${results.startedAt.slice(0, 10)} (${results.profile} profile, ${results.rounds} round${results.rounds === 1 ? '' : 's'})`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB RAM; Node ${m.node}, Kafka ${m.kafka}; load average at start ${m.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}.`,
    `\`${m.uname}\``,
    '',
    `Run ${results.startedAt} .. ${results.finishedAt}.`,
    '',
    '| stage | throughput (median; rounds) | baseline (same run) | baseline | ratio | p50 ms | p99 ms | p99.9 ms | peak RSS MiB | conditions |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---|',
    ...results.rows.map(rowLine),
    '',
    '| target | figure | met |',
    '|---|---|---|',
    ...results.targets.map(
      (t) =>
        `| ${cell(t.target)} | ${cell(t.figure)} | ${t.met === null ? 'not measured' : t.met ? 'yes' : '**no**'} |`,
    ),
  ];
  if (results.notes.length) lines.push('', ...results.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}
