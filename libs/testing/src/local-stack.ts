import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { appEnvironment, resolveStackConfig, type StackConfig } from './local-stack-config';

/** The repository root (this file is libs/testing/src/local-stack.ts). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** Environment variable naming the current test run; `npm test` sets it once for all projects. */
export const TEST_RUN_ID_ENV = 'TICKWIRE_TEST_RUN_ID';

/** Options of {@link ensureLocalStack}. */
export interface EnsureLocalStackOptions {
  /**
   * Identifies this test run. When this call has to start servers, the stack records it, and
   * {@link stopLocalStackIfStartedBy} with the same id stops the stack again. Default:
   * `$TICKWIRE_TEST_RUN_ID`, else a fresh id.
   */
  readonly runId?: string;
  /** Receives the launcher's output lines (default: discarded unless it fails). */
  readonly log?: (line: string) => void;
  /** Give up after this long; default 10 minutes (a cold first run downloads ~250 MB from Maven Central). */
  readonly timeoutMs?: number;
}

/** What {@link ensureLocalStack} leaves behind. */
export interface LocalStack {
  readonly runId: string;
  readonly config: StackConfig;
  /** KAFKA_BROKERS, OPENSEARCH_URL, DYNAMODB_ENDPOINT, S3_ENDPOINT, AWS_REGION, ARCHIVE_BUCKET for apps. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Makes sure the local stack is up and provisioned: runs `tools/stack/cli.ts up` (which reuses
 * running servers, starts missing ones, waits until all four answer, then provisions idempotently).
 * Safe when several Jest processes call it at once: the launcher holds a file lock in the stack
 * folder, so the first caller starts the servers and the others wait, then reuse them.
 *
 * It runs the launcher as a child process (tsx), so servers never become children of Jest and the
 * launcher's TypeScript path aliases resolve as they do for `npm run stack:up`.
 *
 * @throws Error with the launcher's output when it fails or times out (java/mvn missing, a port taken
 *   by another program, a server that did not come up).
 */
export async function ensureLocalStack(options: EnsureLocalStackOptions = {}): Promise<LocalStack> {
  const runId = options.runId ?? process.env[TEST_RUN_ID_ENV] ?? `run-${randomUUID()}`;
  await runStackCli(['up', '--started-by', runId], options.timeoutMs ?? 600_000, options.log);
  const config = resolveStackConfig();
  return { runId, config, env: appEnvironment(config) };
}

/**
 * Stops the local stack if, and only if, the run `runId` started it (see
 * {@link EnsureLocalStackOptions.runId}); a stack that was already running is left alone.
 * `npm test` calls the same through `tools/stack/cli.ts down --if-started-by <runId>` when CI=true.
 *
 * @throws Error with the launcher's output when stopping fails.
 */
export async function stopLocalStackIfStartedBy(runId: string, log?: (line: string) => void): Promise<void> {
  await runStackCli(['down', '--if-started-by', runId], 120_000, log);
}

function runStackCli(args: string[], timeoutMs: number, log?: (line: string) => void): Promise<void> {
  const tsxCli = require.resolve('tsx/cli', { paths: [REPO_ROOT] });
  const cliArgs = [tsxCli, '--tsconfig', join(REPO_ROOT, 'tsconfig.base.json'), join(REPO_ROOT, 'tools/stack/cli.ts'), ...args];
  return new Promise((resolvePromise, reject) => {
    // Pipes, not inherited stdio: the servers the launcher starts write to their own log files, so
    // these pipes close when the launcher exits.
    const child = spawn(process.execPath, cliArgs, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-20_000);
      if (log) for (const line of text.split('\n')) if (line.trim()) log(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`stack ${args[0]} timed out after ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise();
      else reject(new Error(`stack ${args.join(' ')} failed (exit ${code}):\n${output}`));
    });
  });
}
