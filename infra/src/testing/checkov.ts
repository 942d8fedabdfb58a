/**
 * Checkov (bridgecrewio/checkov, static analysis of infrastructure code) from PyPI, in a Python virtual
 * environment of its own, and its findings on synthesized Terraform JSON. Used by checkov.int-spec.ts.
 */
import { spawnSync } from 'node:child_process';
import { pythonToolVenv } from '@tickwire/testing';

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
 * The checkov executable of {@link CHECKOV_VERSION}, installing it first when needed: `pip install
 * checkov==<version>` from PyPI into a Python virtual environment of its own (@tickwire/testing's
 * {@link pythonToolVenv}: `python3 -m venv` under the tickwire cache, kept across runs), and checks the
 * version it reports.
 *
 * @throws Error naming the failed step (no Python, no venv module, pip or network failure).
 */
export async function installCheckov(): Promise<string> {
  const venv = await pythonToolVenv([`checkov==${CHECKOV_VERSION}`]);
  const executable = venv.bin('checkov');
  const version = run(executable, ['--version'], 'checkov --version').trim();
  if (version !== CHECKOV_VERSION) throw new Error(`installed checkov reports ${version}, expected ${CHECKOV_VERSION}`);
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
