import { setTimeout as sleep } from 'node:timers/promises';
import { findJavaRuntime } from './java-runtime';
import {
  findServerProcesses,
  isOwnedProcess,
  processRunState,
  readPidFile,
  removePidFile,
  signal,
  stopProcess,
} from './process-supervisor';
import type { StackContext, StackServer } from './servers/stack-server';
import { SERVER_NAMES, type ServerName, type StackConfig } from './stack-config';
import { StackError } from './stack-errors';
import {
  bringUp,
  createServers,
  STOP_GRACE_MS,
  type UpOutcome,
  waitUntilHealthy,
  withStackLock,
} from './stack-runner';

/**
 * What can be done to one server of a running stack, for fault injection and operations:
 * - `kill`: SIGKILL (a crash: no shutdown hooks, no log flush), PID file removed;
 * - `pause` / `resume`: SIGSTOP / SIGCONT (a hung or partitioned process: sockets stay open, nothing answers);
 * - `stop`: SIGTERM, SIGKILL after the grace period (a clean shutdown), PID file removed;
 * - `start`: start it if it is not running (as `up` does for one server) and wait until it answers.
 */
export type ServerAction = 'kill' | 'pause' | 'resume' | 'stop' | 'start';

/** Every {@link ServerAction}, for argument checking. */
export const SERVER_ACTIONS: readonly ServerAction[] = ['kill', 'pause', 'resume', 'stop', 'start'];

/** What one {@link controlServer} call did. */
export interface ServerControlResult {
  readonly server: ServerName;
  readonly action: ServerAction;
  /** The PID acted on (the new one after `start`); undefined when the server was not running. */
  readonly pid?: number;
  /**
   * - `done`: the signal was delivered / the process exited / it started and answers;
   * - `not-running`: kill, pause, resume or stop found no process of ours (nothing to do);
   * - `already-running`: start found it running (after resuming it if it was paused) and answering.
   */
  readonly outcome: 'done' | 'not-running' | 'already-running';
  /** Wall time of the call, ms (for `start`: until the server answered its probe). */
  readonly elapsedMs: number;
}

/** Options of {@link controlServer}. */
export interface ControlOptions {
  readonly log?: (message: string) => void;
  /** `stop`: SIGTERM to SIGKILL, ms; default 30 s as `down`. */
  readonly graceMs?: number;
  /** The servers of the stack; default {@link createServers}`(config)` (tests pass their own). */
  readonly servers?: readonly StackServer[];
}

/** True when `name` is one of the stack's servers (`kafka`, `opensearch`, `dynamodb`, `s3`). */
export function isServerName(name: string): name is ServerName {
  return (SERVER_NAMES as readonly string[]).includes(name);
}

/**
 * Applies `action` to the server `name` of the stack `config` describes, holding the stack lock, so it
 * never races `up`/`down` of another process; the PID file stays the truth `up`, `down` and `status`
 * read (removed when the process is gone, rewritten on start; a paused process keeps its file and
 * `status` shows it paused).
 *
 * Only processes this stack started are signalled (PID file + environment marker), never whatever
 * else listens on the port.
 *
 * @throws StackError when the server name is unknown, a killed/stopped process does not go away
 *   within 10 s, or `start` fails (port taken by another program, no answer in time).
 */
export async function controlServer(
  config: StackConfig,
  name: string,
  action: ServerAction,
  options: ControlOptions = {},
): Promise<ServerControlResult> {
  const servers = options.servers ?? createServers(config);
  const server = servers.find((s) => s.name === name);
  if (!server) {
    throw new StackError(`unknown server "${name}": one of ${servers.map((s) => s.name).join(', ')}`);
  }
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  return withStackLock(config, async () => {
    const recorded = readPidFile(server.dirs.pidFile);
    const pid =
      recorded !== undefined && isOwnedProcess(recorded, server.name, server.dirs.root)
        ? recorded
        : findServerProcesses(server.name, server.dirs.root)[0];
    const result = (outcome: ServerControlResult['outcome'], resultPid = pid): ServerControlResult => ({
      server: server.name,
      action,
      ...(resultPid !== undefined ? { pid: resultPid } : {}),
      outcome,
      elapsedMs: Date.now() - started,
    });

    if (action === 'start') {
      const context: StackContext = { config, java: findJavaRuntime(), stackToolsDir: __dirname, log };
      const outcome: UpOutcome = await bringUp(
        server,
        context,
        (s) => s.install(context),
        () => undefined,
      );
      const newPid = readPidFile(server.dirs.pidFile);
      return result(outcome === 'reused' ? 'already-running' : 'done', newPid);
    }
    if (pid === undefined) {
      // A stale file (process gone, or a recycled PID that is not ours) describes nothing.
      if (recorded !== undefined) removePidFile(server.dirs.pidFile);
      log(`${server.name}: not running`);
      return result('not-running', undefined);
    }
    switch (action) {
      case 'kill':
        signal(pid, 'SIGKILL');
        await waitUntilGone(server, pid);
        removePidFile(server.dirs.pidFile);
        log(`${server.name}: killed (pid ${pid})`);
        return result('done');
      case 'pause':
        signal(pid, 'SIGSTOP');
        await waitForRunState(pid, 'paused');
        log(`${server.name}: paused (pid ${pid})`);
        return result('done');
      case 'resume':
        signal(pid, 'SIGCONT');
        await waitForRunState(pid, 'running');
        log(`${server.name}: resumed (pid ${pid})`);
        return result('done');
      case 'stop': {
        if (processRunState(pid) === 'paused') signal(pid, 'SIGCONT');
        const killed = await stopProcess(pid, options.graceMs ?? STOP_GRACE_MS);
        await waitUntilGone(server, pid);
        removePidFile(server.dirs.pidFile);
        log(`${server.name}: stopped (pid ${pid}${killed ? ', killed after the grace period' : ''})`);
        return result('done');
      }
    }
  });
}

/**
 * Waits until the kernel reports `pid` in `state` (a signal is delivered asynchronously: on a busy
 * machine a process read right after SIGSTOP was still running), or it is gone, for at most
 * `timeoutMs` (default 5 s); polls /proc every 10 ms.
 *
 * @throws StackError when the state is not reached in time
 */
async function waitForRunState(pid: number, state: 'paused' | 'running', timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = processRunState(pid);
    if (now === state || now === 'gone') return;
    if (Date.now() > deadline)
      throw new StackError(`process ${pid} still ${now} ${timeoutMs} ms after the signal`);
    await sleep(10);
  }
}

/**
 * Waits until `server` answers its probe again (after `start`, `resume`, or a server restarting by
 * itself), without taking the lock.
 *
 * @throws StackError when it is not running or does not answer within `timeoutMs` (default: the
 *   stack's start timeout).
 */
export async function waitForServer(
  config: StackConfig,
  name: ServerName,
  timeoutMs = config.startTimeoutMs,
  servers = createServers(config),
): Promise<void> {
  const server = servers.find((s) => s.name === name);
  const pid = server ? readPidFile(server.dirs.pidFile) : undefined;
  if (!server || pid === undefined) throw new StackError(`${name} is not running`);
  await waitUntilHealthy(server, pid, timeoutMs);
}

async function waitUntilGone(server: StackServer, pid: number): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (processRunState(pid) === 'gone') return;
    await sleep(100);
  }
  throw new StackError(`${server.name}: process ${pid} still exists 10 s after it was signalled`);
}
