import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { findJavaRuntime } from './java-runtime';
import { findOpenPorts } from './port-probe';
import {
  findServerProcesses,
  isAlive,
  isOwnedProcess,
  processRunState,
  readPidFile,
  removePidFile,
  SERVER_DIR_ENV_MARKER,
  SERVER_ENV_MARKER,
  signal,
  startDetached,
  stopProcess,
  tailFile,
} from './process-supervisor';
import { createDynamoDbLocalServer } from './servers/dynamodb-local-server';
import { createKafkaServer } from './servers/kafka-server';
import { createOpenSearchServer } from './servers/opensearch-server';
import { createS3Server } from './servers/s3-server';
import type { StackContext, StackServer } from './servers/stack-server';
import { PORT_ENV, type ServerName, STACK_ENV, type StackConfig } from './stack-config';
import { StackError } from './stack-errors';

/** The four servers of `config`, in display order. */
export function createServers(config: StackConfig): StackServer[] {
  return [
    createKafkaServer(config),
    createOpenSearchServer(config),
    createDynamoDbLocalServer(config),
    createS3Server(config),
  ];
}

/** How one server came to be up. */
export type UpOutcome = 'started' | 'reused';

/** What `up` did, per server, and how long it took. */
export interface UpReport {
  readonly outcomes: Readonly<Record<ServerName, UpOutcome>>;
  readonly elapsedMs: number;
}

/** Options of {@link upStack}. */
export interface UpOptions {
  /** Progress messages. */
  readonly log?: (message: string) => void;
  /**
   * Identifies the run (e.g. a test run) starting the stack; recorded when this call started any
   * server, so {@link downStackIfStartedBy} can stop exactly what that run brought up.
   */
  readonly startedBy?: string;
  /** Called with the stack up and the lock still held (provisioning), so concurrent callers wait for it. */
  readonly afterUp?: () => Promise<void>;
}

/** Grace period between SIGTERM and SIGKILL: Kafka flushes and closes its logs in a few seconds. */
export const STOP_GRACE_MS = 30_000;
const STARTED_BY_FILE = 'started-by.json';

/**
 * Runs `fn` holding the stack's lock (a lock directory next to `<stackDir>/stack.lock`), so concurrent
 * `up`/`down` calls (several Jest processes, a developer's terminal) never start a server twice.
 * Waits up to ~10 minutes for another holder; a holder that died leaves a stale lock that is taken
 * over after 30 s.
 */
export async function withStackLock<T>(config: StackConfig, fn: () => Promise<T>): Promise<T> {
  mkdirSync(config.stackDir, { recursive: true });
  const target = join(config.stackDir, 'stack.lock');
  if (!existsSync(target)) writeFileSync(target, '');
  const release = await lockfile.lock(target, {
    stale: 30_000,
    update: 5_000,
    retries: { retries: 1_200, factor: 1, minTimeout: 500, maxTimeout: 500 },
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Brings every server up: reuses one that is already running (ours, by PID file and environment
 * marker), otherwise fetches it (first time only), prepares and starts it detached, and waits until
 * it answers a real request. Servers start in parallel; Maven fetches run one at a time (they share ~/.m2)
 * and each server starts as soon as its own fetch is done.
 *
 * @throws StackError when java/mvn is missing, a port is taken by a process that is not ours, or a
 *   server does not answer in time (with the tail of its logs). Servers that did come up keep running.
 */
export async function upStack(config: StackConfig, options: UpOptions = {}): Promise<UpReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  return withStackLock(config, async () => {
    const context: StackContext = {
      config,
      java: findJavaRuntime(),
      stackToolsDir: __dirname,
      log,
    };
    let fetchChain: Promise<unknown> = Promise.resolve();
    const fetchInOrder = (server: StackServer): Promise<void> => {
      const step = fetchChain.then(() => server.install(context));
      fetchChain = step.catch(() => undefined);
      return step;
    };
    // Recorded as soon as this call starts a process, so a run whose `up` failed half-way can still
    // stop what it started (`down --if-started-by`).
    const recordStart = (): void => {
      if (options.startedBy) {
        const record = { runId: options.startedBy, at: new Date().toISOString() };
        writeFileSync(join(config.stackDir, STARTED_BY_FILE), `${JSON.stringify(record)}\n`);
      }
    };
    const servers = createServers(config);
    const results = await Promise.all(
      servers.map((server) =>
        bringUp(server, context, fetchInOrder, recordStart).then(
          (outcome) => ({ server, outcome, error: undefined }),
          (error: unknown) => ({ server, outcome: undefined, error }),
        ),
      ),
    );
    const failures = results.flatMap(({ server, error }) =>
      error === undefined ? [] : [`${server.title}: ${describe(error)}`],
    );
    if (failures.length > 0) throw new StackError(failures.join('\n\n'));

    const outcomes = Object.fromEntries(
      results.map(({ server, outcome }) => [server.name, outcome]),
    ) as Record<ServerName, UpOutcome>;
    await options.afterUp?.();
    return { outcomes, elapsedMs: Date.now() - started };
  });
}

/**
 * Brings one server up (see {@link upStack}), without the lock: the caller holds it. A server of ours
 * that is paused (SIGSTOP, e.g. by a fault-injection run that did not finish) is resumed first.
 *
 * @param fetchInOrder runs `server.install` (callers serialise Maven fetches through it)
 * @param recordStart called right before a process is started
 * @throws StackError as {@link upStack}
 */
export async function bringUp(
  server: StackServer,
  context: StackContext,
  fetchInOrder: (server: StackServer) => Promise<void>,
  recordStart: () => void,
): Promise<UpOutcome> {
  const { config, log } = context;
  const recorded = readPidFile(server.dirs.pidFile);
  const owned = recorded !== undefined && isOwnedProcess(recorded, server.name, server.dirs.root);
  // A server of ours whose PID file was lost (e.g. an interrupted start removed it) is adopted, not
  // taken for a stranger on its own port.
  const pid = owned ? recorded : findServerProcesses(server.name, server.dirs.root)[0];
  if (pid !== undefined) {
    if (!owned) {
      log(`${server.name}: found running without its PID file (pid ${pid}), adopting it`);
      writeFileSync(server.dirs.pidFile, `${pid}\n`);
    }
    if (processRunState(pid) === 'paused') {
      log(`${server.name}: paused (pid ${pid}), resuming it`);
      signal(pid, 'SIGCONT');
    }
    await waitUntilHealthy(server, pid, config.startTimeoutMs);
    log(`${server.name}: already running (pid ${pid})`);
    return 'reused';
  }
  if (recorded !== undefined) removePidFile(server.dirs.pidFile);
  await assertPortsFree(server, config);

  await fetchInOrder(server);
  await server.prepare(context);
  const spec = server.launch(context);
  mkdirSync(server.dirs.logs, { recursive: true });
  recordStart();
  const newPid = await startDetached({
    ...spec,
    env: { ...spec.env, [SERVER_ENV_MARKER]: server.name, [SERVER_DIR_ENV_MARKER]: server.dirs.root },
    logFile: consoleLog(server),
    pidFile: server.dirs.pidFile,
  });
  log(`${server.name}: started (pid ${newPid}), waiting for it to answer`);
  const t0 = Date.now();
  await waitUntilHealthy(server, newPid, config.startTimeoutMs);
  log(`${server.name}: healthy after ${((Date.now() - t0) / 1000).toFixed(1)} s on port ${server.mainPort}`);
  return 'started';
}

function consoleLog(server: StackServer): string {
  return join(server.dirs.logs, 'console.log');
}

/** A port of a server that already accepts connections, with the variable that moves it. */
export interface PortConflict {
  readonly port: number;
  readonly variable: string;
}

/**
 * The ports of `server` (as `config` sets them) that already accept connections on 127.0.0.1.
 * Called only when no process of ours is recorded for `server`, so whatever answers is someone else's.
 */
export async function findPortConflicts(server: StackServer, config: StackConfig): Promise<PortConflict[]> {
  const ports = server.ports.map((key) => ({
    port: config.ports[key],
    variable: STACK_ENV[PORT_ENV[key]].name,
  }));
  const open = new Set(
    await findOpenPorts(
      config.host,
      ports.map(({ port }) => port),
    ),
  );
  return ports.filter(({ port }) => open.has(port));
}

/**
 * Fails when a port of `server` is taken: starting would only fail later with a bind error deep in
 * a log.
 *
 * @throws StackError naming each port and its environment variable.
 */
async function assertPortsFree(server: StackServer, config: StackConfig): Promise<void> {
  const taken = await findPortConflicts(server, config);
  if (taken.length > 0) {
    const list = taken.map(({ port, variable }) => `${port} (${variable})`).join(', ');
    throw new StackError(
      `${taken.length > 1 ? 'ports' : 'port'} ${list} on ${config.host} ${taken.length > 1 ? 'are' : 'is'} in use ` +
        `by a process this stack did not start: stop it, or set the variable to a free port`,
    );
  }
}

/**
 * Waits until `server` (process `pid`, one this stack started or adopted) answers its probe.
 *
 * The process counts as exited only when it is gone (or a zombie), never because its environment
 * cannot be read: during a start under `setpriv` (OpenSearch as `nobody` when the stack runs as
 * root) the process is another user's, and taking it for dead there once left a healthy OpenSearch
 * running without its PID file (issue 16).
 *
 * @throws StackError when the process exits or it does not answer within `timeoutMs` (with log tails).
 */
export async function waitUntilHealthy(server: StackServer, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      removePidFile(server.dirs.pidFile);
      throw new StackError(`process ${pid} exited during start-up.${logTails(server)}`);
    }
    try {
      await server.probe(5_000);
      return;
    } catch (error) {
      lastError = error;
    }
    await sleep(500);
  }
  throw new StackError(
    `did not answer within ${timeoutMs / 1000} s (last probe: ${describe(lastError)}); ` +
      `still running as pid ${pid}, stop it with stack:down.${logTails(server)}`,
  );
}

function logTails(server: StackServer): string {
  const files = [...new Set([consoleLog(server), server.mainLogFile])];
  return files
    .map((file) => {
      const tail = tailFile(file, 30).trim();
      return tail ? `\n--- ${file} (tail) ---\n${tail}` : '';
    })
    .join('');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One row of `status`. */
export interface ServerStatus {
  readonly server: ServerName;
  readonly title: string;
  readonly port: number;
  readonly pid?: number;
  readonly healthy: boolean;
  /** True when its process is stopped by SIGSTOP (then it cannot answer: healthy is false). */
  readonly paused?: boolean;
  readonly dataDir: string;
}

/** Status of every server: PID (when ours and alive) and whether it answers now. */
export async function stackStatus(config: StackConfig): Promise<ServerStatus[]> {
  return Promise.all(
    createServers(config).map(async (server): Promise<ServerStatus> => {
      const recorded = readPidFile(server.dirs.pidFile);
      const pid =
        recorded !== undefined && isOwnedProcess(recorded, server.name, server.dirs.root)
          ? recorded
          : findServerProcesses(server.name, server.dirs.root)[0];
      let healthy = false;
      const paused = pid !== undefined && processRunState(pid) === 'paused';
      if (pid !== undefined && !paused) {
        healthy = await server.probe(3_000).then(
          () => true,
          () => false,
        );
      }
      return {
        server: server.name,
        title: server.title,
        port: server.mainPort,
        ...(pid !== undefined ? { pid } : {}),
        healthy,
        ...(paused ? { paused } : {}),
        dataDir: server.dirs.data,
      };
    }),
  );
}

/** Options of {@link downStack}. */
export interface DownOptions {
  readonly log?: (message: string) => void;
  /** Also delete data, logs and generated config (a fresh stack next `up`). */
  readonly purge?: boolean;
}

/**
 * Stops the servers this stack started (by PID file and environment marker; anything else on the ports is left
 * alone): SIGTERM, then SIGKILL after a grace period. Stops them in parallel.
 */
export async function downStack(config: StackConfig, options: DownOptions = {}): Promise<void> {
  const log = options.log ?? (() => undefined);
  await withStackLock(config, async () => {
    await Promise.all(
      createServers(config).map(async (server) => {
        const recorded = readPidFile(server.dirs.pidFile);
        const pids = new Set(findServerProcesses(server.name, server.dirs.root));
        if (recorded !== undefined && isOwnedProcess(recorded, server.name, server.dirs.root))
          pids.add(recorded);
        for (const pid of pids) {
          // A paused process would only see SIGTERM after the grace period, as SIGKILL.
          if (processRunState(pid) === 'paused') signal(pid, 'SIGCONT');
          const killed = await stopProcess(pid, STOP_GRACE_MS);
          log(`${server.name}: stopped (pid ${pid}${killed ? ', killed after the grace period' : ''})`);
        }
        if (pids.size === 0) log(`${server.name}: not running`);
        removePidFile(server.dirs.pidFile);
        if (options.purge) rmSync(server.dirs.root, { recursive: true, force: true });
      }),
    );
    rmSync(join(config.stackDir, STARTED_BY_FILE), { force: true });
  });
}

/** The run id recorded by the last `up` that started servers, if any. */
export function stackStartedBy(config: StackConfig): string | undefined {
  const file = join(config.stackDir, STARTED_BY_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { runId?: string }).runId;
  } catch {
    return undefined;
  }
}

/**
 * Stops the stack only when `runId` started it (see {@link UpOptions.startedBy}); a stack that was
 * already running when that run began is left alone.
 *
 * @returns true when it stopped the stack.
 */
export async function downStackIfStartedBy(
  config: StackConfig,
  runId: string,
  options: DownOptions = {},
): Promise<boolean> {
  if (stackStartedBy(config) !== runId) return false;
  await downStack(config, options);
  return true;
}
