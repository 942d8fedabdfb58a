import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOwnedProcess, processRunState, readPidFile } from './process-supervisor';
import type { StackServer } from './servers/stack-server';
import { resolveStackConfig, serverDirs, type StackConfig } from './stack-config';
import { controlServer } from './stack-control';
import { stackStatus } from './stack-runner';

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * A stand-in for one of the stack's servers: a real Node HTTP process on `port` whose probe is a real
 * request, so start, kill, pause and stop act on a real process and a real socket.
 */
function httpServer(config: StackConfig, port: number): StackServer {
  const dirs = serverDirs(config, 's3');
  return {
    name: 's3',
    title: 'test http server',
    mainPort: port,
    ports: ['s3'],
    dirs,
    mainLogFile: join(dirs.logs, 'console.log'),
    install: () => Promise.resolve(),
    prepare: () => {
      mkdirSync(dirs.logs, { recursive: true });
      return Promise.resolve();
    },
    launch: () => ({
      command: process.execPath,
      args: ['-e', `require('node:http').createServer((q, r) => r.end('ok')).listen(${port}, '127.0.0.1')`],
      env: process.env,
      cwd: dirs.root,
    }),
    probe: async (timeoutMs) => {
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
  };
}

describe('controlServer (real processes)', () => {
  let dir: string;
  let config: StackConfig;
  let server: StackServer;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stack-control-'));
    const port = await freePort();
    config = resolveStackConfig({ TICKWIRE_STACK_DIR: dir, S3_PORT: String(port) });
    server = httpServer(config, port);
  });
  afterEach(async () => {
    await controlServer(config, 's3', 'stop', { servers: [server], graceMs: 2_000 });
    rmSync(dir, { recursive: true, force: true });
  });

  const control = (action: Parameters<typeof controlServer>[2]) => controlServer(config, 's3', action, { servers: [server], graceMs: 2_000 });
  const answers = () => server.probe(1_000).then(() => true, () => false);

  it('starts a server, reuses it on a second start, and records its PID', async () => {
    const first = await control('start');
    expect(first).toMatchObject({ server: 's3', action: 'start', outcome: 'done' });
    expect(readPidFile(server.dirs.pidFile)).toBe(first.pid);
    expect(isOwnedProcess(first.pid!, 's3')).toBe(true);
    expect(await answers()).toBe(true);
    expect(await control('start')).toMatchObject({ outcome: 'already-running', pid: first.pid });
  });

  it('kills with SIGKILL, removes the PID file, and starts a new process afterwards', async () => {
    const { pid } = await control('start');
    expect(await control('kill')).toMatchObject({ outcome: 'done', pid });
    expect(processRunState(pid!)).toBe('gone');
    expect(readPidFile(server.dirs.pidFile)).toBeUndefined();
    expect(await answers()).toBe(false);
    expect(await control('kill')).toMatchObject({ outcome: 'not-running' });
    const restarted = await control('start');
    expect(restarted.outcome).toBe('done');
    expect(restarted.pid).not.toBe(pid);
    expect(await answers()).toBe(true);
  });

  it('pauses (no answer, status paused, PID kept) and resumes', async () => {
    const { pid } = await control('start');
    await control('pause');
    expect(processRunState(pid!)).toBe('paused');
    expect(readPidFile(server.dirs.pidFile)).toBe(pid);
    expect(await answers()).toBe(false);
    await control('resume');
    expect(processRunState(pid!)).toBe('running');
    expect(await answers()).toBe(true);
  });

  it('start resumes a paused server instead of starting a second one', async () => {
    const { pid } = await control('start');
    await control('pause');
    expect(await control('start')).toMatchObject({ outcome: 'already-running', pid });
    expect(processRunState(pid!)).toBe('running');
  });

  it('stops a paused server cleanly (SIGCONT before SIGTERM, no wait for the grace period)', async () => {
    const { pid } = await control('start');
    await control('pause');
    const stopped = await control('stop');
    expect(stopped).toMatchObject({ outcome: 'done', pid });
    expect(stopped.elapsedMs).toBeLessThan(2_000);
    expect(processRunState(pid!)).toBe('gone');
    expect(readPidFile(server.dirs.pidFile)).toBeUndefined();
  });

  it('refuses an unknown server name', async () => {
    await expect(controlServer(config, 'redis', 'kill', { servers: [server] })).rejects.toThrow('unknown server "redis"');
  });
});

describe('stackStatus of a paused server', () => {
  it('reports it paused and not healthy without probing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-status-'));
    const port = await freePort();
    const config = resolveStackConfig({ TICKWIRE_STACK_DIR: dir, S3_PORT: String(port) });
    const server = httpServer(config, port);
    try {
      await controlServer(config, 's3', 'start', { servers: [server] });
      await controlServer(config, 's3', 'pause', { servers: [server] });
      const rows = await stackStatus(config);
      expect(rows.find((row) => row.server === 's3')).toMatchObject({ healthy: false, paused: true });
    } finally {
      await controlServer(config, 's3', 'stop', { servers: [server], graceMs: 2_000 });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
