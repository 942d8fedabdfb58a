import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { which } from './java-runtime';
import { StackError } from './stack-errors';

/** What to fetch: a committed pom under tools/stack/poms/ whose dependencies are the artifacts. */
export interface MavenFetchSpec {
  /** Absolute path of the pom. */
  readonly pom: string;
  /** Maven properties the pom references (versions), passed as `-Dname=value`. */
  readonly properties: Readonly<Record<string, string>>;
  /** Final folder of the artifacts, e.g. `~/.cache/tickwire/kafka-4.1.2/lib`. */
  readonly outputDir: string;
}

/** Marker written after a complete fetch, so an interrupted one is redone rather than trusted. */
const COMPLETE_MARKER = '.tickwire-complete';

/** True when `outputDir` holds a complete earlier fetch. */
export function isFetched(outputDir: string): boolean {
  return existsSync(join(outputDir, COMPLETE_MARKER));
}

/**
 * Copies the pom's runtime dependencies into `spec.outputDir` with
 * `mvn dependency:copy-dependencies` (Maven's own ~/.m2 is the download cache). Skips Maven entirely
 * when the folder already holds a complete fetch, so a warm `up` needs no Maven. The copy goes to a
 * sibling temporary folder that is renamed into place, so readers never see half a classpath.
 *
 * @throws StackError when mvn is missing or fails (with the tail of its output).
 */
export async function mavenFetch(spec: MavenFetchSpec, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (isFetched(spec.outputDir)) return spec.outputDir;
  const mvn = which('mvn', env);
  if (!mvn) {
    throw new StackError(
      'mvn not found on PATH: the first `stack:up` fetches the servers from Maven Central with Maven 3.6+ ' +
        '(e.g. "apt-get install maven").',
    );
  }
  const staging = `${spec.outputDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(spec.outputDir), { recursive: true });
  const args = [
    '-q',
    '-B',
    '-f',
    spec.pom,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${staging}`,
    ...Object.entries(spec.properties).map(([name, value]) => `-D${name}=${value}`),
  ];
  const { code, output } = await run(mvn, args, env);
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new StackError(`mvn ${args.join(' ')} failed (exit ${code}):\n${output.slice(-4_000)}`);
  }
  writeFileSync(join(staging, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  rmSync(spec.outputDir, { recursive: true, force: true });
  renameSync(staging, spec.outputDir);
  return spec.outputDir;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (chunk: Buffer): void => {
      // Keep the tail only: a cold fetch can print a lot and only the end explains a failure.
      output = (output + chunk.toString('utf8')).slice(-16_000);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
