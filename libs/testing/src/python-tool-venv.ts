import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveStackConfig } from './local-stack-config';

const run = promisify(execFile);

/** A Python virtual environment holding pinned tools from PyPI. */
export interface PythonToolVenv {
  /** The environment's folder. */
  readonly dir: string;
  /** Path of an executable the environment installed, e.g. `bin('st')` for schemathesis' CLI. */
  bin(name: string): string;
}

/**
 * A Python virtual environment with exactly `requirements` (pinned PyPI specifiers such as
 * `schemathesis==4.32.5`) for a test to run Python tools (schemathesis, an SDK) as a customer would,
 * without installing anything into the machine's Python. Created with `python3 -m venv` (the
 * interpreter in `$PYTHON`, default `python3`, 3.9+) and `pip install` from PyPI in a folder of its
 * own under `$TICKWIRE_CACHE_DIR/python-venvs/<hash of the requirements>`, kept across runs: a later
 * call with the same requirements returns at once; one that finds a half-made folder makes it anew.
 *
 * @param requirements pip requirement specifiers; pin them (`==`) so every run tests the same tool.
 * @param options.timeoutMs bound of each of `venv` and `pip install` (default 10 min).
 * @param options.root folder of the environments (default `$TICKWIRE_CACHE_DIR/python-venvs`).
 * @throws Error (with pip's output) when the environment cannot be made or an install fails.
 */
export async function pythonToolVenv(
  requirements: readonly string[],
  options: { timeoutMs?: number; root?: string } = {},
): Promise<PythonToolVenv> {
  const timeout = options.timeoutMs ?? 600_000;
  const wanted = [...requirements].sort().join('\n');
  const hash = createHash('sha256').update(wanted).digest('hex').slice(0, 16);
  const dir = join(options.root ?? join(resolveStackConfig().cacheDir, 'python-venvs'), hash);
  const marker = join(dir, 'tickwire-requirements.txt');
  const venv: PythonToolVenv = { dir, bin: (name) => join(dir, 'bin', name) };
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === wanted) return venv;
  await rm(dir, { recursive: true, force: true });
  await run(process.env['PYTHON'] || 'python3', ['-m', 'venv', dir], { timeout });
  try {
    await run(
      venv.bin('pip'),
      ['install', '--quiet', '--disable-pip-version-check', '--no-input', ...requirements],
      { timeout, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `pip install ${requirements.join(' ')} failed in ${dir}:\n${stderr ?? ''}${stdout ?? ''}`,
      { cause: error },
    );
  }
  // Written last: its presence means the environment is complete.
  await writeFile(marker, wanted);
  return venv;
}
