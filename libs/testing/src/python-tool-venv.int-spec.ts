import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pythonToolVenv } from './python-tool-venv';

const run = promisify(execFile);

/** A real venv and a real pip install from PyPI (a small pure-Python package), in a folder of the test's own. */
describe('pythonToolVenv', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tickwire-venv-test-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('installs the pinned requirements once, then returns the same environment as it is', async () => {
    const venv = await pythonToolVenv(['six==1.17.0'], { root });
    expect(venv.dir.startsWith(root)).toBe(true);
    const { stdout } = await run(venv.bin('python'), [
      '-c',
      'import six, sys; print(six.__version__, sys.prefix)',
    ]);
    expect(stdout.trim()).toBe(`1.17.0 ${venv.dir}`);
    const marker = join(venv.dir, 'tickwire-requirements.txt');
    const madeAt = (await stat(marker)).mtimeMs;

    const again = await pythonToolVenv(['six==1.17.0'], { root });
    expect(again.dir).toBe(venv.dir);
    expect((await stat(marker)).mtimeMs).toBe(madeAt);
  }, 300_000);

  it('names pip failures with their output', async () => {
    await expect(pythonToolVenv(['tickwire-no-such-package==0.0.0'], { root })).rejects.toThrow(
      /pip install tickwire-no-such-package==0.0.0 failed/,
    );
  }, 300_000);
});
