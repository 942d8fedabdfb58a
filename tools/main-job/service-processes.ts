import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopChildProcess } from '@tickwire/testing';

/** The repository root (this file is tools/main-job/service-processes.ts). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** The five Tickwire services, in start order (consumers before the producer that feeds them). */
export const SERVICE_NAMES = [
  'enricher',
  'opensearch-indexer',
  'firehose-archiver',
  'consumer-gateway',
  'ingest-producer',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Each service's default HTTP port (health, metrics; the gateway's customer traffic), as in the README. */
export const SERVICE_PORTS: Readonly<Record<ServiceName, number>> = {
  'consumer-gateway': 8080,
  'ingest-producer': 8081,
  enricher: 8082,
  'opensearch-indexer': 8083,
  'firehose-archiver': 8084,
};

/**
 * Environment variable adding an offset to every service port, so a second pipeline (with its own
 * stack ports) can run on the same machine, e.g. for a benchmark beside a development run.
 */
export const SERVICE_PORT_OFFSET_ENV = 'TICKWIRE_SERVICE_PORT_OFFSET';

/**
 * The HTTP port of `name`: its default plus `$TICKWIRE_SERVICE_PORT_OFFSET`.
 *
 * @throws RangeError when the offset is not an integer or moves a port out of 1..65535.
 */
export function servicePort(name: ServiceName, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[SERVICE_PORT_OFFSET_ENV] ?? '0';
  const offset = Number(raw);
  const port = SERVICE_PORTS[name] + offset;
  if (!Number.isInteger(offset) || port < 1 || port > 65_535) {
    throw new RangeError(`${SERVICE_PORT_OFFSET_ENV} must be an integer keeping ports in 1..65535, got "${raw}"`);
  }
  return port;
}

/** A service started as a child process. */
export interface RunningService {
  readonly name: ServiceName;
  readonly port: number;
  readonly baseUrl: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** The environment it was started with on top of `process.env` (to start it again the same way). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Options of {@link startService}. */
export interface StartServiceOptions {
  /** Environment on top of `process.env` (stack endpoints, service settings). */
  readonly env: Readonly<Record<string, string>>;
  /** Folder for `<name>.log` (stdout and stderr, JSON lines). */
  readonly logDir: string;
  /** How long to wait for `/health/ready`; default 180 s (first start compiles TypeScript with SWC). */
  readonly readyTimeoutMs?: number;
  /**
   * Run the production bundle `dist/apps/<name>/main.js` (built by {@link buildServiceBundles}) with
   * `node --enable-source-maps`, as the container image does, instead of the TypeScript sources
   * through `@swc-node/register`. Default false.
   */
  readonly bundle?: boolean;
}

/**
 * Builds the production bundles of `names` (`nx run-many -t build --configuration=production`; Nx's
 * cache makes an unchanged service instant) into `dist/apps/<name>/main.js`, for {@link startService}'s
 * `bundle`, through {@link runRepoTool}. @throws Error with the build's output tail when it fails.
 */
export async function buildServiceBundles(names: readonly ServiceName[]): Promise<void> {
  const nx = require.resolve('nx/bin/nx.js', { paths: [REPO_ROOT] });
  await runRepoTool(
    [nx, 'run-many', '-t', 'build', `--projects=${names.join(',')}`, '--configuration=production', '--parallel=1'],
    { NX_DAEMON: 'false' },
    () => undefined,
  );
}

/**
 * Starts `apps/<name>/src/main.ts` as a child process (`node -r @swc-node/register`, no build step;
 * or its production bundle, see `bundle`)
 * with its output in `<logDir>/<name>.log`, and waits until `GET /health/ready` answers 200.
 *
 * @throws Error with the tail of the service's log when it exits early or is not ready in time.
 */
export async function startService(name: ServiceName, options: StartServiceOptions): Promise<RunningService> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  await new Promise((resolveOpen) => log.once('open', resolveOpen));
  const port = Number(options.env['HTTP_PORT'] ?? servicePort(name));
  const args = options.bundle
    ? ['--enable-source-maps', join('dist', 'apps', name, 'main.js')]
    : ['-r', '@swc-node/register', join('apps', name, 'src', 'main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      SWC_NODE_PROJECT: join('apps', name, 'tsconfig.app.json'),
      HTTP_PORT: String(port),
      ...options.env,
    },
    stdio: ['ignore', log, log],
  });
  const service: RunningService = { name, port, baseUrl: `http://127.0.0.1:${port}`, logFile, child, env: options.env };
  await waitUntilReady(service, options.readyTimeoutMs ?? 180_000);
  return service;
}

async function waitUntilReady(service: RunningService, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(`${service.name} exited (${service.child.exitCode ?? service.child.signalCode}) before it was ready:\n${logTail(service.logFile)}`);
    }
    try {
      const response = await fetch(`${service.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error(`${service.name} was not ready within ${timeoutMs / 1000} s:\n${logTail(service.logFile)}`);
}

/** The last `lines` lines of a log file, for error messages. */
export function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** How one service ended on {@link stopService}. */
export interface StopOutcome {
  readonly name: ServiceName;
  /** Time from SIGTERM to exit, ms. */
  readonly exitMs: number;
  readonly exitCode: number | null;
  /** True when it did not exit within the grace period and was killed. */
  readonly killed: boolean;
}

/**
 * Graceful stop: SIGTERM, then SIGKILL after `graceMs` (default 15 s; services are built to exit
 * within 10 s of SIGTERM after finishing in-flight work and committing offsets).
 */
export async function stopService(service: RunningService, graceMs = 15_000): Promise<StopOutcome> {
  const { exitCode, exitMs, killed } = await stopChildProcess(service.child, graceMs);
  return { name: service.name, exitMs, exitCode, killed };
}

/**
 * Sends `signal` (default SIGKILL: a crash, no shutdown hooks) to a service and waits until it exited.
 *
 * @returns how it ended (`exitMs` from the signal to the exit)
 * @throws Error when it has not exited 30 s after the signal (e.g. SIGTERM ignored)
 */
export async function killService(service: RunningService, signal: NodeJS.Signals = 'SIGKILL'): Promise<StopOutcome> {
  const started = Date.now();
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) {
    return { name: service.name, exitMs: 0, exitCode: child.exitCode, killed: false };
  }
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  child.kill(signal);
  const result = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
  if (result === 'timeout') throw new Error(`${service.name} did not exit within 30 s of ${signal}`);
  return { name: service.name, exitMs: Date.now() - started, exitCode: result, killed: signal === 'SIGKILL' };
}

/** GETs `path` of a service and parses the JSON body. @throws Error on a non-2xx status. */
export async function getJson<T>(service: RunningService, path: string): Promise<T> {
  const response = await fetch(`${service.baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${service.name} ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/**
 * Runs a TypeScript tool of the repo (`tsx <args>`) with `env` on top of `process.env`, passing each
 * output line to `log`; resolves with its standard output.
 *
 * @throws Error with the tool's last output when it exits non-zero.
 */
export function runRepoTool(args: readonly string[], env: Readonly<Record<string, string>>, log: (line: string) => void): Promise<string> {
  const tsxCli = require.resolve('tsx/cli', { paths: [REPO_ROOT] });
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [tsxCli, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-10_000);
      for (const line of text.split('\n')) if (line.trim()) log(`  ${line}`);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      onData(chunk);
    });
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolveRun(stdout) : reject(new Error(`tsx ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}
