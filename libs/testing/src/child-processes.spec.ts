import { spawn } from 'node:child_process';
import { stopChildProcess } from './child-processes';

/** A Node child that prints `ready` once its SIGTERM handler (given as source) is installed. */
async function child(onSigterm: string) {
  const proc = spawn(
    process.execPath,
    [
      '-e',
      `process.on('SIGTERM', () => { ${onSigterm} }); setInterval(() => {}, 1000); console.log('ready');`,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve) => proc.stdout.once('data', () => resolve()));
  return proc;
}

describe('stopChildProcess', () => {
  it('sends SIGTERM and reports the graceful exit code', async () => {
    const proc = await child('process.exit(0)');
    const outcome = await stopChildProcess(proc, 10_000);
    expect(outcome).toMatchObject({ exitCode: 0, signal: null, killed: false });
  });

  it('sends SIGKILL when SIGTERM is ignored past the grace period', async () => {
    const proc = await child('/* ignored */');
    const outcome = await stopChildProcess(proc, 300);
    expect(outcome).toMatchObject({ exitCode: null, signal: 'SIGKILL', killed: true });
    expect(outcome.exitMs).toBeGreaterThanOrEqual(300);
  });

  it('reports a process that had exited already as it ended', async () => {
    const proc = await child('process.exit(0)');
    proc.kill('SIGKILL');
    await new Promise((resolve) => proc.once('exit', resolve));
    expect(await stopChildProcess(proc)).toEqual({
      exitCode: null,
      signal: 'SIGKILL',
      exitMs: 0,
      killed: false,
    });
  });
});
