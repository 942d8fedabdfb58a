/** Process helpers shared by the container and deploy commands: arguments, git state, child processes. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { parseArgs } from 'node:util';
import { imageTagFor } from './deployment-plan';

/** Options common to `container` and `deploy`. */
export interface CommandOptions {
  readonly service: string;
  readonly environment: string;
  readonly region: string;
  readonly dryRun: boolean;
  /** Explicit tag (CI), else derived from git. */
  readonly imageTag?: string;
}

/**
 * Parses `<service> --environment <env> --region <region> [--dry-run] [--image-tag <tag>]`.
 * Nx forwards `--dry-run` from `nx affected -t deploy --dry-run`, also as `--dryRun` or `--dry-run=true`.
 *
 * @throws Error when the service is missing.
 */
export function parseCommandLine(argv: readonly string[]): CommandOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    options: {
      environment: { type: 'string', default: 'prod' },
      region: { type: 'string', default: 'us-east-1' },
      'dry-run': { type: 'string' },
      dryRun: { type: 'string' },
      'image-tag': { type: 'string' },
    },
  });
  const [service] = positionals;
  if (!service)
    throw new Error(
      'usage: <service> [--environment prod] [--region us-east-1] [--dry-run] [--image-tag <tag>]',
    );
  const flag = (v: unknown): boolean => v === true || v === '' || v === 'true';
  const imageTag = typeof values['image-tag'] === 'string' ? values['image-tag'] : undefined;
  return {
    service,
    environment: String(values.environment),
    region: String(values.region),
    dryRun:
      flag(values['dry-run']) ||
      flag(values.dryRun) ||
      argv.includes('--dry-run') ||
      argv.includes('--dryRun'),
    ...(imageTag ? { imageTag } : {}),
  };
}

/** Runs a command, returning trimmed stdout, or undefined when it cannot run or exits non-zero. */
export function tryOutput(
  command: string,
  args: readonly string[],
  options: SpawnSyncOptions = {},
): string | undefined {
  const result = spawnSync(command, [...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  if (result.error || result.status !== 0) return undefined;
  return String(result.stdout).trim();
}

/**
 * Runs a command with inherited output.
 *
 * @throws Error naming the command when it cannot start or exits non-zero.
 */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): void {
  const result = spawnSync(command, [...args], { stdio: 'inherit', ...options });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${command} ${args.slice(0, 2).join(' ')} exited with ${result.status}`);
}

/** Image tag from `--image-tag`, else from the git commit (and dirtiness) of the workspace. */
export function resolveImageTag(options: CommandOptions): string {
  if (options.imageTag) return options.imageTag;
  const commit = tryOutput('git', ['rev-parse', 'HEAD']);
  if (!commit) throw new Error('not in a git work tree: pass --image-tag');
  const dirty = (tryOutput('git', ['status', '--porcelain', '--untracked-files=no']) ?? '').length > 0;
  return imageTagFor(commit, dirty);
}

/** Prints the error and exits non-zero: the commands' single failure path. */
export function exitWith(error: unknown): never {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
