import type { JavaRuntime } from '../java-runtime';
import type { PortKey, ServerDirs, ServerName, StackConfig } from '../stack-config';

/** What every server of the stack needs to be fetched, started and probed. */
export interface StackContext {
  readonly config: StackConfig;
  readonly java: JavaRuntime;
  /** Absolute path of tools/stack (for the committed poms). */
  readonly stackToolsDir: string;
  /** Progress messages for the user. */
  readonly log: (message: string) => void;
}

/** The command line of a server process. */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/**
 * One server of the local stack. `install` and `prepare` are idempotent; `launch` only describes the
 * process, the supervisor starts it.
 */
export interface StackServer {
  readonly name: ServerName;
  /** Human name for messages, e.g. `Kafka 4.1.2`. */
  readonly title: string;
  /** The port clients use and the probe asks. */
  readonly mainPort: number;
  /** Every port setting it binds on 127.0.0.1 (checked free before a start), main port included. */
  readonly ports: readonly PortKey[];
  readonly dirs: ServerDirs;
  /** The log that explains a failed start. */
  readonly mainLogFile: string;
  /** Fetches the artifacts (Maven) into the cache; needs no running server. */
  install(context: StackContext): Promise<void>;
  /** Creates folders, writes config, formats storage; before every start. */
  prepare(context: StackContext): Promise<void>;
  launch(context: StackContext): LaunchSpec;
  /**
   * Resolves when the server answers a real request (not just an open port).
   *
   * @throws Error when it does not answer within `timeoutMs`.
   */
  probe(timeoutMs: number): Promise<void>;
}

