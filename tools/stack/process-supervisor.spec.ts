import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  findServerProcesses,
  isAlive,
  isOwnedProcess,
  readPidFile,
  SERVER_DIR_ENV_MARKER,
  SERVER_ENV_MARKER,
  startDetached,
  stopProcess,
  tailFile,
} from './process-supervisor';

describe('process supervisor (real child processes)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const start = (script: string) =>
    startDetached({
      command: process.execPath,
      args: ['-e', script],
      cwd: dir,
      env: { ...process.env, [SERVER_ENV_MARKER]: 'unit' },
      logFile: join(dir, 'console.log'),
      pidFile: join(dir, 'server.pid'),
    });

  it('starts a detached process with its output in the log file and its PID in the PID file', async () => {
    const pid = await start("console.log('hello from child'); setTimeout(() => {}, 60000)");
    try {
      expect(readPidFile(join(dir, 'server.pid'))).toBe(pid);
      expect(isOwnedProcess(pid, 'unit')).toBe(true);
      expect(isOwnedProcess(pid, 'kafka')).toBe(false);
      for (let i = 0; i < 50 && !tailFile(join(dir, 'console.log')).includes('hello'); i += 1)
        await sleep(100);
      expect(readFileSync(join(dir, 'console.log'), 'utf8')).toContain('hello from child');
    } finally {
      await stopProcess(pid, 5_000);
    }
    expect(isAlive(pid)).toBe(false);
  });

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    const pid = await start("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)");
    await sleep(300); // let it install the handler
    const killed = await stopProcess(pid, 500);
    expect(killed).toBe(true);
    expect(isAlive(pid)).toBe(false);
  });

  it('does not take a process without the marker for ours', () => {
    expect(isOwnedProcess(process.pid, 'unit')).toBe(false);
  });

  it("finds a server that lost its PID file by its markers, and only in its own stack's folder", async () => {
    const serverDir = join(dir, 'kafka');
    const pid = await startDetached({
      command: process.execPath,
      args: ['-e', 'setTimeout(() => {}, 60000)'],
      cwd: dir,
      env: { ...process.env, [SERVER_ENV_MARKER]: 'kafka', [SERVER_DIR_ENV_MARKER]: serverDir },
      logFile: join(dir, 'console.log'),
      pidFile: join(dir, 'server.pid'),
    });
    try {
      rmSync(join(dir, 'server.pid'));
      expect(findServerProcesses('kafka', serverDir)).toEqual([pid]);
      expect(isOwnedProcess(pid, 'kafka', serverDir)).toBe(true);
      // Another stack (chaos, bench) has its own folder; another server has its own name.
      expect(findServerProcesses('kafka', join(dir, 'other-stack', 'kafka'))).toEqual([]);
      expect(isOwnedProcess(pid, 'kafka', join(dir, 'other-stack', 'kafka'))).toBe(false);
      expect(findServerProcesses('opensearch', serverDir)).toEqual([]);
    } finally {
      await stopProcess(pid, 5_000);
    }
    expect(findServerProcesses('kafka', serverDir)).toEqual([]);
  });
});
