import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The only SCRAM mechanism Tickwire's customer listener enables (as MSK's SCRAM port). */
export const SCRAM_MECHANISM = 'SCRAM-SHA-512';
/** Kafka's default and smallest accepted iteration count for SCRAM-SHA-512 (RFC 7677 recommends at least 4096). */
export const SCRAM_ITERATIONS = 4096;
/** User names and passwords this tool passes to Kafka: characters ConfigCommand's `[k=v,...]` syntax cannot misread. */
const SAFE_CREDENTIAL = /^[A-Za-z0-9._~-]+$/;

/** Exit code and output of one run of a Kafka command-line tool. */
export interface KafkaToolResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `java @<argsFile>`: the JVM launcher reads the class path, main class and arguments from the
 * file, so passwords never appear in the process list. Injectable for unit tests.
 */
export type KafkaToolRunner = (javaBin: string, argsFile: string) => Promise<KafkaToolResult>;

/** Options of {@link KafkaConfigsScramTool}. */
export interface KafkaConfigsScramToolOptions {
  /** The `java` executable (Java 17+), e.g. `/usr/bin/java`. */
  readonly javaBin: string;
  /** Folder of the Kafka distribution's jars (`libs/` of a Kafka download, or the stack's `<cache>/kafka-<version>/lib`). */
  readonly kafkaLibDir: string;
  /**
   * Bootstrap servers (`host:port,...`) of a listener whose principal may ALTER the cluster: locally
   * the PLAINTEXT listener (principal ANONYMOUS, a super user).
   */
  readonly bootstrapServers: string;
  /** Optional client properties file (`--command-config`), e.g. SASL settings of an admin user. */
  readonly commandConfigFile?: string;
  /** Replaces the real JVM run (tests). */
  readonly run?: KafkaToolRunner;
}

/** Thrown when kafka-configs fails; the message carries the tool's last output lines. */
export class KafkaToolError extends Error {
  override readonly name = 'KafkaToolError';

  /** @param output the tool's whole stdout and stderr ('' when it did not run). */
  constructor(message: string, readonly output = '') {
    super(message);
  }
}

/**
 * The jar folder of the newest Kafka distribution under `cacheDir` that holds the broker's own admin
 * tools (`kafka_2.13-<version>.jar`, where `kafka.admin.ConfigCommand` lives), e.g.
 * `~/.cache/tickwire/kafka-4.1.2/lib` as the local stack fetches it. Versions compare numerically.
 * @returns the folder, or undefined when there is none.
 */
export function findKafkaLibDir(cacheDir: string): string | undefined {
  if (!existsSync(cacheDir)) return undefined;
  const candidates = readdirSync(cacheDir)
    .map((name) => ({ name, version: /^kafka-(\d+(?:\.\d+)*)$/.exec(name)?.[1] }))
    .filter((entry): entry is { name: string; version: string } => entry.version !== undefined)
    .filter(({ name }) => {
      const lib = join(cacheDir, name, 'lib');
      return existsSync(lib) && readdirSync(lib).some((file) => /^kafka_2\.\d+-.+\.jar$/.test(file));
    })
    .sort((a, b) => compareVersions(b.version, a.version));
  return candidates[0] ? join(cacheDir, candidates[0].name, 'lib') : undefined;
}

function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * One argument in the JVM launcher's `@argfile` syntax: double-quoted, with `"` and `\` escaped
 * (the launcher treats `\` as an escape inside quotes).
 */
export function quoteArgFileArgument(argument: string): string {
  return `"${argument.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Parses `kafka-configs --describe --entity-type users` output: lines such as
 * `SCRAM credential configs for user-principal 'customer.acme' are SCRAM-SHA-512=iterations=4096`.
 * @returns the users holding a credential of `mechanism`, sorted.
 */
export function parseScramUsers(output: string, mechanism: string = SCRAM_MECHANISM): string[] {
  const users: string[] = [];
  for (const line of output.split('\n')) {
    const match = /^SCRAM credential configs for user-principal '(.+)' are (.*)$/.exec(line.trim());
    if (match?.[1] && match[2]?.split(', ').some((credential) => credential.startsWith(`${mechanism}=`))) users.push(match[1]);
  }
  return users.sort();
}

/**
 * SCRAM-SHA-512 users of a Kafka cluster through the Admin API's AlterUserScramCredentials and
 * DescribeUserScramCredentials (KIP-554), which kafkajs lacks: it runs the broker distribution's own
 * `kafka-configs` (`kafka.admin.ConfigCommand`) on the distribution's jars. Each call starts a JVM
 * (about 2-3 s). Not for MSK, which refuses AlterUserScramCredentials (its SCRAM users are Secrets
 * Manager secrets associated with the cluster).
 *
 * In KRaft the credential is a metadata record: every broker applies it within moments, and a
 * deleted credential refuses new logins at once, while connections authenticated before stay open
 * (take away their ACLs to stop them).
 */
export class KafkaConfigsScramTool {
  private readonly run: KafkaToolRunner;

  constructor(private readonly options: KafkaConfigsScramToolOptions) {
    this.run = options.run ?? runJava;
  }

  /**
   * Creates `user` with `password`, or replaces its password (SCRAM-SHA-512, {@link SCRAM_ITERATIONS}).
   * @throws KafkaToolError when a name or password has characters outside `[A-Za-z0-9._~-]`, or the tool fails.
   */
  async upsert(user: string, password: string): Promise<void> {
    checkCredential('user name', user);
    checkCredential('password', password);
    await this.configs([
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      user,
      '--add-config',
      `${SCRAM_MECHANISM}=[iterations=${SCRAM_ITERATIONS},password=${password}]`,
    ]);
  }

  /**
   * Deletes the SCRAM-SHA-512 credential of `user`.
   * @returns false when the user had none (nothing to do), true when it was deleted.
   * @throws KafkaToolError when the tool fails otherwise.
   */
  async delete(user: string): Promise<boolean> {
    checkCredential('user name', user);
    try {
      await this.configs(['--alter', '--entity-type', 'users', '--entity-name', user, '--delete-config', SCRAM_MECHANISM]);
      return true;
    } catch (error) {
      if (error instanceof KafkaToolError && /ResourceNotFoundException/.test(error.output)) return false;
      throw error;
    }
  }

  /**
   * The users that hold a SCRAM-SHA-512 credential, sorted.
   * @throws KafkaToolError when the tool fails.
   */
  async listUsers(): Promise<string[]> {
    return parseScramUsers(await this.configs(['--describe', '--entity-type', 'users']));
  }

  /** Runs ConfigCommand with `args` through an args file readable only by this user, removed afterwards. */
  private async configs(args: readonly string[]): Promise<string> {
    const { javaBin, kafkaLibDir, bootstrapServers, commandConfigFile } = this.options;
    const dir = mkdtempSync(join(tmpdir(), 'tickwire-kafka-configs-'));
    const argsFile = join(dir, 'args');
    try {
      const all = [
        '-Xmx256m',
        '-cp',
        join(kafkaLibDir, '*'),
        'kafka.admin.ConfigCommand',
        '--bootstrap-server',
        bootstrapServers,
        ...(commandConfigFile ? ['--command-config', commandConfigFile] : []),
        ...args,
      ];
      writeFileSync(argsFile, `${all.map(quoteArgFileArgument).join('\n')}\n`, { mode: 0o600 });
      const result = await this.run(javaBin, argsFile);
      if (result.exitCode !== 0) {
        const output = `${result.stdout}\n${result.stderr}`.trim();
        const shown = args.map((arg) => (arg.includes('password=') ? `${SCRAM_MECHANISM}=[...]` : arg)).join(' ');
        throw new KafkaToolError(`kafka-configs ${shown} failed (exit ${result.exitCode}):\n${output.split('\n').slice(-12).join('\n')}`, output);
      }
      return result.stdout;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function checkCredential(what: string, value: string): void {
  if (!SAFE_CREDENTIAL.test(value)) throw new KafkaToolError(`SCRAM ${what} may only use [A-Za-z0-9._~-]`);
}

/** The real runner: `java @argsFile`, output collected (bounded to the last 64 kB of each stream). */
function runJava(javaBin: string, argsFile: string): Promise<KafkaToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(javaBin, [`@${argsFile}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString('utf8')).slice(-65_536)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-65_536)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
  });
}
