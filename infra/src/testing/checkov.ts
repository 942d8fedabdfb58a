/**
 * Checkov (bridgecrewio/checkov, static analysis of infrastructure code) from PyPI, in a Python virtual
 * environment of its own, and its findings on synthesized Terraform JSON. Used by checkov.int-spec.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The pinned checkov release; a new release may add checks, so moving it is a reviewed change. */
export const CHECKOV_VERSION = '3.3.30';

/** One check result of a checkov run. */
export interface CheckovFinding {
  readonly checkId: string;
  readonly checkName: string;
  /** `<type>.<name>` of the resource, e.g. `aws_ssm_parameter.kafka-topics_parameter_1A2B3C4D`. */
  readonly resource: string;
}

/** What checkov reported on one directory. */
export interface CheckovReport {
  readonly passed: number;
  readonly failed: readonly CheckovFinding[];
  readonly skipped: readonly CheckovFinding[];
}

/** Output of a finished process, with why it failed. */
function run(command: string, args: readonly string[], what: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${what} exited with ${result.status}: ${(result.stderr || result.stdout).trim().slice(-2000)}`);
  }
  return result.stdout;
}

/**
 * The checkov executable of {@link CHECKOV_VERSION}, installing it first when needed: a virtual
 * environment `<cache>/checkov-<version>` (cache = TICKWIRE_CACHE_DIR, default ~/.cache/tickwire, the
 * local stack's download cache) made with `python3 -m venv`, then `pip install checkov==<version>`
 * from PyPI. A `.installed` marker is written last, so an interrupted install is redone from scratch.
 *
 * @param python the Python 3.9+ interpreter to make the environment with (default `python3`).
 * @throws Error naming the failed step (no Python, no venv module, pip or network failure).
 */
export function installCheckov(python = 'python3'): string {
  const cache = process.env['TICKWIRE_CACHE_DIR'] || join(homedir(), '.cache', 'tickwire');
  const venv = join(cache, `checkov-${CHECKOV_VERSION}`);
  const executable = join(venv, 'bin', 'checkov');
  const marker = join(venv, '.installed');
  if (existsSync(marker) && existsSync(executable)) return executable;
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  run(python, ['-m', 'venv', venv], `${python} -m venv ${venv} (checkov needs Python 3.9+ with venv)`);
  run(
    join(venv, 'bin', 'pip'),
    ['install', '--disable-pip-version-check', '--no-input', '--quiet', `checkov==${CHECKOV_VERSION}`],
    `pip install checkov==${CHECKOV_VERSION}`,
  );
  const version = run(executable, ['--version'], 'checkov --version').trim();
  if (version !== CHECKOV_VERSION) throw new Error(`installed checkov reports ${version}, expected ${CHECKOV_VERSION}`);
  writeFileSync(marker, `${version}\n`);
  return executable;
}

interface RawCheck {
  check_id: string;
  check_name: string;
  resource: string;
}
interface RawReport {
  check_type: string;
  results: { passed_checks: RawCheck[]; failed_checks: RawCheck[]; skipped_checks: RawCheck[] };
}

/**
 * Runs checkov on the Terraform JSON files of `directory` (`--framework terraform_json`), with the
 * settings of `configFile` (`.checkov.yaml`: skipped checks, ...). Nothing is downloaded from the
 * vendor's platform (`--skip-download`), so the result depends only on the pinned release.
 *
 * @throws Error when checkov fails to run (exit code 1 only means failed checks: those are returned).
 */
export function runCheckov(executable: string, directory: string, configFile: string): CheckovReport {
  const result = spawnSync(
    executable,
    ['--config-file', configFile, '-d', directory, '--framework', 'terraform_json', '--skip-download', '-o', 'json'],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (result.error) throw new Error(`checkov: ${result.error.message}`);
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`checkov exited with ${result.status}: ${result.stderr.trim().slice(-2000)}`);
  }
  const parsed = JSON.parse(result.stdout) as RawReport | RawReport[] | { passed: number; failed: number };
  // With nothing to scan checkov prints a bare summary instead of a report.
  const reports = Array.isArray(parsed) ? parsed : 'results' in parsed ? [parsed] : [];
  const findings = (checks: RawCheck[]): CheckovFinding[] =>
    checks.map((c) => ({ checkId: c.check_id, checkName: c.check_name, resource: c.resource }));
  return {
    passed: reports.reduce((n, r) => n + r.results.passed_checks.length, 0),
    failed: reports.flatMap((r) => findings(r.results.failed_checks)),
    skipped: reports.flatMap((r) => findings(r.results.skipped_checks)),
  };
}
