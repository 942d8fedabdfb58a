import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of the machine and of named processes over a window, from Linux's `/proc`: what a live step
 * costs in cores (1.0 = one core busy for the whole window), to show how much of the machine's budget
 * each process takes at a given input rate.
 */

/** Clock ticks per second of `/proc/<pid>/stat` and `/proc/stat` (USER_HZ, 100 on every Linux ABI). */
const USER_HZ = 100;

/** Busy and total jiffies of the whole machine (first `cpu` line of `/proc/stat`). */
export interface MachineTicks {
  readonly busy: number;
  readonly total: number;
}

/**
 * Parses the aggregate `cpu` line of a `/proc/stat` text: busy = everything but idle and iowait.
 *
 * @throws Error when the text has no aggregate `cpu` line
 */
export function parseMachineTicks(stat: string): MachineTicks {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat: no aggregate "cpu" line');
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already counted in user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * utime + stime of a `/proc/<pid>/stat` text, in clock ticks. The command name (field 2) may hold
 * spaces and parentheses, so fields are counted after its last `)`.
 *
 * @throws Error when the text is not a stat line
 */
export function parseProcessTicks(stat: string): number {
  const end = stat.lastIndexOf(')');
  if (end < 0) throw new Error('not a /proc/<pid>/stat line');
  // After ")": state(3) ppid(4) ... utime(14) stime(15): indexes 11 and 12 of the rest.
  const rest = stat.slice(end + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

/** CPU ticks of `pid` (utime + stime), or null when the process is gone. */
function processTicks(pid: number): number | null {
  try {
    return parseProcessTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** One live process: its pid, parent pid and command line (NUL-separated arguments joined by spaces). */
export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly cmdline: string;
}

/** Every live process from one pass over `/proc` (processes that end meanwhile are left out). */
export function readProcessTable(): ProcessEntry[] {
  const table: ProcessEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      table.push({ pid: Number(entry), ppid, cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** The pids of `table` whose command line contains `needle` (e.g. a stack server's config folder). */
export function pidsMatching(table: readonly ProcessEntry[], needle: string): number[] {
  return table.filter((p) => p.cmdline.includes(needle)).map((p) => p.pid);
}

/** Cores used over a window: the machine's busy share times its cores, and each named process's. */
export interface CpuUsage {
  /** Wall time of the window, seconds. */
  readonly seconds: number;
  /** Logical cores of the machine. */
  readonly cores: number;
  /** Cores busy machine-wide on average (0 .. cores). */
  readonly machineBusyCores: number;
  /** Per name: cores used on average (CPU seconds / wall seconds), over all its pids; null when unreadable. */
  readonly byProcess: Readonly<Record<string, number | null>>;
}

/**
 * Starts measuring: call the returned function at the window's end. `processes` names groups of pids
 * (a service and its children share the name); a pid that ends meanwhile counts what it used until
 * its last read at the start only, so keep windows inside the processes' lives.
 */
export function startCpuWindow(
  processes: Readonly<Record<string, readonly number[]>>,
  cores: number,
): () => CpuUsage {
  const startedAt = process.hrtime.bigint();
  const machineStart = parseMachineTicks(readFileSync('/proc/stat', 'utf8'));
  const starts = Object.entries(processes).map(
    ([name, pids]) => [name, pids.map((pid) => [pid, processTicks(pid)] as const)] as const,
  );
  return () => {
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    const machineEnd = parseMachineTicks(readFileSync('/proc/stat', 'utf8'));
    const total = machineEnd.total - machineStart.total;
    const machineBusyCores = total > 0 ? ((machineEnd.busy - machineStart.busy) / total) * cores : 0;
    const byProcess: Record<string, number | null> = {};
    for (const [name, pids] of starts) {
      let ticks = 0;
      let readable = false;
      for (const [pid, start] of pids) {
        const end = processTicks(pid);
        if (start === null || end === null) continue;
        ticks += end - start;
        readable = true;
      }
      byProcess[name] = readable && seconds > 0 ? ticks / USER_HZ / seconds : null;
    }
    return { seconds, cores, machineBusyCores, byProcess };
  };
}

/**
 * `pid` and every descendant of it in `table` (a `tsx` launcher runs its script in a child node process).
 */
export function withDescendants(table: readonly ProcessEntry[], pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const { pid: child, ppid } of table) children.set(ppid, [...(children.get(ppid) ?? []), child]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    found.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return found;
}

/**
 * `machine 1.93 of 2 (enricher 0.71, kafka 0.40, ...)`: cores used in a window, the largest users
 * first (below 0.005 left out), for the bench's log and table; `–` when not measured.
 */
export function cpuText(cpu: CpuUsage | undefined): string {
  if (!cpu) return '–';
  const parts = Object.entries(cpu.byProcess)
    .filter((entry): entry is [string, number] => entry[1] !== null && entry[1] >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([name, cores]) => `${name} ${cores.toFixed(2)}`);
  return `machine ${cpu.machineBusyCores.toFixed(2)} of ${cpu.cores} (${parts.join(', ')})`;
}
