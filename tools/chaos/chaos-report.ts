import Table from 'cli-table3';
import type { ChaosResult, FaultOutcome } from './chaos-run';

const secs = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
const count = (n: number): string => n.toLocaleString('en-US');

/** "when" of a fault: records published and time since the replay started (`-` for unplanned events). */
function when(fault: FaultOutcome): string {
  return fault.kind === 'service-exit' ? `${secs(fault.elapsedMs)}` : `${count(fault.publishedAt)} rec / ${secs(fault.elapsedMs)}`;
}

function faultRows(result: ChaosResult): string[][] {
  return result.faults.map((f, i) => [
    String(i + 1),
    f.description,
    when(f),
    secs(f.readyMs),
    secs(f.caughtUpMs),
    f.recovered ? 'yes' : 'NO',
    f.note ?? '',
  ]);
}

const FAULT_HEAD = ['#', 'fault', 'when (published / elapsed)', 'ready again', 'lag back', 'recovered', 'note'];
const INVARIANT_HEAD = ['invariant', 'held', 'detail'];

function summary(result: ChaosResult): string {
  const held = result.invariants.filter((i) => i.held).length;
  return (
    `chaos ${result.profile} (${result.symbols.join(', ')} at ${result.speed}): ${count(result.published)} records, ` +
    `${result.faults.length} faults, ${result.poisonRecords} poison records; invariants ${held}/${result.invariants.length} held; ` +
    `replay to caught-up ${secs(result.replayMs)}, whole run ${secs(result.durationMs)}: ${result.passed ? 'PASSED' : 'FAILED'}`
  );
}

/**
 * The run as two text tables (cli-table3): the faults (what, when, until ready, until the consumer
 * lag was back, recovered) and the invariants (held, detail), then one summary line.
 */
export function formatChaosTables(result: ChaosResult): string {
  const faults = new Table({ head: FAULT_HEAD, style: { head: [], border: [] }, wordWrap: true, colWidths: [4, 40, 22, 11, 10, 10, 40] });
  faults.push(...faultRows(result));
  const invariants = new Table({ head: INVARIANT_HEAD, style: { head: [], border: [] }, wordWrap: true, colWidths: [46, 6, 86] });
  invariants.push(...result.invariants.map((i) => [i.name, i.held ? 'yes' : 'NO', i.detail]));
  return `${faults.toString()}\n${invariants.toString()}\n${summary(result)}`;
}

/** The same as GitHub-flavoured Markdown tables (for the README). */
export function formatChaosMarkdown(result: ChaosResult): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const table = (head: string[], rows: string[][], align: string[]): string =>
    [`| ${head.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
  return [
    table(FAULT_HEAD, faultRows(result), ['---:', '---', '---:', '---:', '---:', '---', '---']),
    '',
    table(INVARIANT_HEAD, result.invariants.map((i) => [i.name, i.held ? 'yes' : '**NO**', i.detail]), ['---', '---', '---']),
    '',
    summary(result),
  ].join('\n');
}
