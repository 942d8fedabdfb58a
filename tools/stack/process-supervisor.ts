import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * True when `pid` is alive and was started by this stack as `server`: its environment holds
 * `TICKWIRE_STACK_SERVER=<server>` (inherited through the launcher scripts' exec, so it holds from the
 * first instant), so a recycled PID of an unrelated process is never taken for ours. Where /proc is
 * unavailable, liveness alone decides.
 */
export function isOwnedProcess(pid: number, server: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return environ.includes(`${SERVER_ENV_MARKER}=${server}`);
  } catch {
    return !existsSync('/proc/self');
  }
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
  return text.split('\n').slice(-lines - 1).join('\n');
}
