import type { ServerStatus } from './stack-runner';

/**
 * Renders `rows` as a fixed-width text table: server, port, pid, healthy yes/no, data dir.
 * A server that is not running shows `-` as its PID; a paused one (SIGSTOP) `no (paused)`.
 */
export function formatStatusTable(rows: readonly ServerStatus[]): string {
  const header = ['server', 'port', 'pid', 'healthy', 'data dir'];
  const body = rows.map((row) => [
    row.title,
    String(row.port),
    row.pid === undefined ? '-' : String(row.pid),
    row.healthy ? 'yes' : row.paused ? 'no (paused)' : 'no',
    row.dataDir,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
