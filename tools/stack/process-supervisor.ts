import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to start one detached server process. */
export interface DetachedProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** File that receives the process's stdout and stderr (appended). */
  readonly logFile: string;
  /** File the PID is written to. */
  readonly pidFile: string;
}

/**
 * Starts `spec.command` detached from this process: its own process group, stdin closed, stdout and
 * stderr appended to `spec.logFile` (never inherited pipes, so a CI step that started it does not wait
 * for it to close them), and not referenced by the event loop, so this process can exit while it runs.
 *
 * @returns the PID, also written to `spec.pidFile`.
 * @throws Error when the process cannot be spawned (e.g. command not found).
 */
export async function startDetached(spec: DetachedProcessSpec): Promise<number> {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => (child.pid === undefined ? reject(new Error('no pid')) : resolve(child.pid)));
    });
    child.unref();
    writeFileSync(spec.pidFile, `${pid}\n`);
    return pid;
  } finally {
    closeSync(log);
  }
}

/** PID recorded in `pidFile`, or undefined when the file is missing or unreadable. */
export function readPidFile(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** True when a process with `pid` exists (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A child of a still-running parent that exited but was not reaped yet counts as gone. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Scheduler state of a live process, as far as the stack cares: running, or stopped by SIGSTOP. */
export type ProcessRunState = 'running' | 'paused' | 'gone';

/**
 * Whether `pid` runs, is paused (SIGSTOP: state `T` in /proc/<pid>/stat) or is gone (a zombie counts
 * as gone). Where /proc is unavailable a live process counts as running.
 */
export function processRunState(pid: number): ProcessRunState {
  if (!isAlive(pid)) return 'gone';
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T') ? 'paused' : 'running';
  } catch {
    return 'running';
  }
}

/** Environment variable every server process is started with, naming the server (survives exec). */
export const SERVER_ENV_MARKER = 'TICKWIRE_STACK_SERVER';
/** Environment variable every server process is started with, naming its server folder (which stack it belongs to). */
export const SERVER_DIR_ENV_MARKER = 'TICKWIRE_STACK_SERVER_DIR';

/**
 * True when `pid` is alive and was started by this stack as `server`: its environment holds
 * `TICKWIRE_STACK_SERVER=<server>` (and, when `serverDir` is given and the process carries a folder
 * marker, `TICKWIRE_STACK_SERVER_DIR=<serverDir>`), inherited through the launcher scripts' exec, so
 * a recycled PID of an unrelated process is never taken for ours.
 *
 * A process of another user (OpenSearch runs as `nobody` under `setpriv` when the stack runs as root)
 * has an environment only a caller with CAP_SYS_PTRACE may read; where it cannot be read (EACCES /
 * EPERM), the process counts as ours when its command line names `serverDir` (every server's
 * command line holds its config, data or log folder). Where /proc is unavailable, liveness alone decides.
 */
export function isOwnedProcess(pid: number, server: string, serverDir?: string): boolean {
  if (!isAlive(pid)) return false;
  const environ = readProcFile(pid, 'environ');
  switch (environ.kind) {
    case 'no-proc':
      return true;
    case 'gone':
      return false;
    case 'denied':
      return serverDir !== undefined && commandLineOf(pid).some((arg) => arg.includes(serverDir));
    case 'text': {
      const variables = environ.text.split('\0');
      if (!variables.includes(`${SERVER_ENV_MARKER}=${server}`)) return false;
      const dir = variables.find((variable) => variable.startsWith(`${SERVER_DIR_ENV_MARKER}=`));
      return serverDir === undefined || dir === undefined || dir === `${SERVER_DIR_ENV_MARKER}=${serverDir}`;
    }
  }
}

/**
 * The process-group leaders this stack started as `server` in `serverDir` that are still alive,
 * found by scanning /proc (see {@link isOwnedProcess}; a process with a readable environment must
 * carry both markers): a server whose PID file was lost (removed by an interrupted start, or a
 * crashed `up`) can then be adopted or stopped instead of being reported as a stranger on its own
 * port. Empty where /proc is unavailable.
 */
export function findServerProcesses(server: string, serverDir: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && processGroupOf(pid) === pid)
    .filter((pid) => {
      const environ = readProcFile(pid, 'environ');
      if (
        environ.kind === 'text' &&
        !environ.text.split('\0').includes(`${SERVER_DIR_ENV_MARKER}=${serverDir}`)
      )
        return false;
      return environ.kind !== 'no-proc' && isOwnedProcess(pid, server, serverDir);
    });
}

type ProcRead = { kind: 'text'; text: string } | { kind: 'denied' | 'gone' | 'no-proc' };

/** A /proc file of `pid`, or why it cannot be read: another user's (`denied`), `gone`, or no /proc here. */
function readProcFile(pid: number, file: string): ProcRead {
  try {
    return { kind: 'text', text: readFileSync(`/proc/${pid}/${file}`, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied' };
    return { kind: existsSync('/proc/self') ? 'gone' : 'no-proc' };
  }
}

function commandLineOf(pid: number): string[] {
  const cmdline = readProcFile(pid, 'cmdline');
  return cmdline.kind === 'text' ? cmdline.text.split('\0') : [];
}

/** The process group of `pid` (field 5 of /proc/<pid>/stat), or undefined when it cannot be read. */
function processGroupOf(pid: number): number | undefined {
  const stat = readProcFile(pid, 'stat');
  if (stat.kind !== 'text') return undefined;
  const group = Number(stat.text.slice(stat.text.lastIndexOf(')') + 2).split(' ')[2]);
  return Number.isInteger(group) ? group : undefined;
}

/**
 * Stops `pid` and its process group: SIGTERM (the servers shut down cleanly on it), then SIGKILL
 * when it is still alive after `graceMs`.
 *
 * @returns true when it had to be killed.
 */
export async function stopProcess(pid: number, graceMs: number): Promise<boolean> {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return false;
    await sleep(200);
  }
  signal(pid, 'SIGKILL');
  for (let i = 0; i < 50 && isAlive(pid); i += 1) await sleep(100);
  return true;
}

/**
 * Sends `name` to `pid`'s process group (detached servers lead their own group, so helper processes
 * get it too), or to `pid` alone when it leads no group. Does nothing when the process is gone.
 */
export function signal(pid: number, name: NodeJS.Signals): void {
  // Detached children lead their own process group: signal the group so helpers die with them.
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, name);
      return;
    } catch {
      // Not a group leader (or already gone): try the PID itself, then give up.
    }
  }
}

/** Removes `pidFile` if present. */
export function removePidFile(pidFile: string): void {
  rmSync(pidFile, { force: true });
}

/** Last `lines` lines of `file` ('' when it does not exist). */
export function tailFile(file: string, lines = 40): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}
