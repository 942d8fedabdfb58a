import { createServer, type Server } from 'node:net';
import { createS3Server } from './servers/s3-server';
import { resolveStackConfig } from './stack-config';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findJavaRuntime } from './java-runtime';
import {
  isAlive,
  SERVER_DIR_ENV_MARKER,
  SERVER_ENV_MARKER,
  startDetached,
  stopProcess,
} from './process-supervisor';
import type { StackServer } from './servers/stack-server';
import { bringUp, findPortConflicts, waitUntilHealthy } from './stack-runner';

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

describe('findPortConflicts', () => {
  it('names each taken port of a server with the variable that moves it', async () => {
    const http = await listen();
    const https = await listen();
    try {
      const config = resolveStackConfig({ S3_PORT: String(http.port), S3_HTTPS_PORT: String(https.port) });
      expect(await findPortConflicts(createS3Server(config), config)).toEqual([
        { port: http.port, variable: 'S3_PORT' },
        { port: https.port, variable: 'S3_HTTPS_PORT' },
      ]);
    } finally {
      await Promise.all([close(http.server), close(https.server)]);
    }
  });

  it('reports nothing when the ports are free', async () => {
    const probe = await listen();
    await close(probe.server);
    const other = await listen();
    await close(other.server);
    const config = resolveStackConfig({ S3_PORT: String(probe.port), S3_HTTPS_PORT: String(other.port) });
    expect(await findPortConflicts(createS3Server(config), config)).toEqual([]);
  });
});

describe('start-up of a server process (real child processes)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stack-runner-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A server whose probe answers once `answersAfterMs` passed; ports unused (0 = none to check). */
  const fakeServer = (answersAfterMs: number): StackServer => {
    const since = Date.now();
    const root = join(dir, 'fake');
    return {
      name: 'opensearch',
      title: 'Fake server',
      mainPort: 0,
      ports: [],
      dirs: {
        root,
        data: join(root, 'data'),
        logs: join(root, 'logs'),
        conf: join(root, 'conf'),
        pidFile: join(dir, 'fake.pid'),
      },
      mainLogFile: join(dir, 'console.log'),
      install: () => Promise.resolve(),
      prepare: () => Promise.resolve(),
      launch: () => ({
        command: process.execPath,
        args: ['-e', 'setTimeout(() => {}, 60000)'],
        env: {},
        cwd: dir,
      }),
      probe: () =>
        Date.now() - since >= answersAfterMs ? Promise.resolve() : Promise.reject(new Error('not yet')),
    };
  };
  const spawnChild = (script: string, env: NodeJS.ProcessEnv) =>
    startDetached({
      command: process.execPath,
      args: ['-e', script],
      cwd: dir,
      env: { ...process.env, ...env },
      logFile: join(dir, 'console.log'),
      pidFile: join(dir, 'fake.pid'),
    });

  it('waits for a live process whose environment shows no marker (setpriv start-up as another user) instead of taking it for dead', async () => {
    // Issue 16: OpenSearch, started under setpriv, was taken for exited during start-up while it came up.
    const pid = await spawnChild('setTimeout(() => {}, 60000)', {});
    try {
      await expect(waitUntilHealthy(fakeServer(1_200), pid, 10_000)).resolves.toBeUndefined();
    } finally {
      await stopProcess(pid, 5_000);
    }
  });

  it('reports a process that exits during start-up', async () => {
    const pid = await spawnChild('process.exit(3)', {});
    await expect(waitUntilHealthy(fakeServer(60_000), pid, 10_000)).rejects.toThrow(
      `process ${pid} exited during start-up`,
    );
    expect(isAlive(pid)).toBe(false);
  });

  it('adopts a running server of this stack whose PID file was lost instead of refusing its port', async () => {
    const server = fakeServer(0);
    const pid = await spawnChild('setTimeout(() => {}, 60000)', {
      [SERVER_ENV_MARKER]: server.name,
      [SERVER_DIR_ENV_MARKER]: server.dirs.root,
    });
    try {
      rmSync(server.dirs.pidFile);
      const logged: string[] = [];
      const started: string[] = [];
      const context = {
        config: resolveStackConfig({ TICKWIRE_STACK_DIR: dir }),
        java: findJavaRuntime(),
        stackToolsDir: __dirname,
        log: (message: string) => logged.push(message),
      };
      const outcome = await bringUp(
        server,
        context,
        () => Promise.resolve(),
        () => started.push('start'),
      );
      expect(outcome).toBe('reused');
      expect(started).toEqual([]);
      expect(readFileSync(server.dirs.pidFile, 'utf8').trim()).toBe(String(pid));
      expect(logged.join('\n')).toContain(`adopting it`);
    } finally {
      await stopProcess(pid, 5_000);
    }
  });
});
