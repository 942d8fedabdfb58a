import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MIN_JAVA_VERSION } from './stack-config';
import { StackError } from './stack-errors';

/** The Java runtime the servers run on. */
export interface JavaRuntime {
  /** Absolute path of the `java` executable. */
  readonly javaBin: string;
  /** JAVA_HOME: the folder holding `bin/java`. */
  readonly javaHome: string;
  /** Feature release, e.g. 17. */
  readonly featureVersion: number;
}

/**
 * Parses the feature release out of `java -version` output (printed on stderr), e.g.
 * `openjdk version "17.0.15" 2025-04-15` -> 17, `java version "1.8.0_392"` -> 8.
 *
 * @returns the version, or undefined when the text holds none.
 */
export function parseJavaFeatureVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(versionOutput);
  if (!match) return undefined;
  const major = Number(match[1]);
  // Before Java 9 the scheme was 1.<feature>.
  return major === 1 && match[2] !== undefined ? Number(match[2]) : major;
}

/**
 * Finds Java: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` on PATH (JAVA_HOME derived
 * from its real path), and checks it is at least {@link MIN_JAVA_VERSION}.
 *
 * @throws StackError when java is missing or too old.
 */
export function findJavaRuntime(env: NodeJS.ProcessEnv = process.env): JavaRuntime {
  const fromHome = env['JAVA_HOME'] ? join(env['JAVA_HOME'], 'bin', 'java') : undefined;
  const candidate = fromHome && existsSync(fromHome) ? fromHome : which('java', env);
  if (!candidate) {
    throw new StackError(
      `java not found (JAVA_HOME unset or wrong, and no java on PATH). Install a JDK ${MIN_JAVA_VERSION}+, ` +
        `e.g. "apt-get install openjdk-${MIN_JAVA_VERSION}-jdk-headless".`,
    );
  }
  const javaBin = realpathSync(candidate);
  const result = spawnSync(javaBin, ['-version'], { encoding: 'utf8' });
  const featureVersion = parseJavaFeatureVersion(`${result.stderr}${result.stdout}`);
  if (featureVersion === undefined) {
    throw new StackError(`could not read the version of ${javaBin}: ${result.stderr || result.error?.message}`);
  }
  if (featureVersion < MIN_JAVA_VERSION) {
    throw new StackError(
      `${javaBin} is Java ${featureVersion}; the stack needs Java ${MIN_JAVA_VERSION} or newer (set JAVA_HOME).`,
    );
  }
  return { javaBin, javaHome: dirname(dirname(javaBin)), featureVersion };
}

/** Absolute path of `command` on PATH, or undefined. */
export function which(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(':')) {
    if (!dir) continue;
    const path = join(dir, command);
    if (existsSync(path)) return path;
  }
  return undefined;
}
