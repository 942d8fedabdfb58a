import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { resolve } from 'node:path';

/** The repository root, where `apps/enricher/src/main.ts` is resolved from. */
const WORKSPACE = resolve(__dirname, '../../../..');

/** The names an enricher of one test owns, so that it neither sees nor disturbs other runs. */
export interface EnricherTestNames {
  /** SERVICE_NAME, also the transactional-id prefix. */
  readonly serviceName: string;
  readonly groupId: string;
  readonly changelogTopic: string;
  /** DynamoDB reference daily-bars table. */
  readonly referenceTable: string;
  /** DynamoDB symbol-state table. */
  readonly stateTable: string;
}

/** Options of {@link spawnEnricher}. */
export interface SpawnEnricherOptions {
  readonly names: EnricherTestNames;
  /** HTTP_PORT of health, readiness and metrics. */
  readonly port: number;
  /** File the process' stdout (its JSON log) is appended to. */
  readonly logFile: string;
  /** Where stderr goes: the test's own stderr (default) or the log file too. */
  readonly stderr?: 'inherit' | 'log';
  /** More variables (settings of the test), applied last. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts the enricher as production runs it (`node -r @swc-node/register apps/enricher/src/main.ts`,
 * from the repository root), on the stack named by the test's environment, with the test's own
 * consumer group, changelog topic, tables and transactional ids, at LOG_LEVEL info.
 *
 * @returns the child process; the caller stops it (`stopChildProcess` of @tickwire/testing: SIGTERM,
 *   so that no open transaction holds the shared output topics' last stable offset)
 */
export function spawnEnricher({
  names,
  port,
  logFile,
  stderr = 'inherit',
  env = {},
}: SpawnEnricherOptions): ChildProcess {
  const log = openSync(logFile, 'a');
  return spawn(process.execPath, ['-r', '@swc-node/register', 'apps/enricher/src/main.ts'], {
    cwd: WORKSPACE,
    env: {
      ...process.env,
      SWC_NODE_PROJECT: 'apps/enricher/tsconfig.app.json',
      SERVICE_NAME: names.serviceName,
      KAFKA_CONSUMER_GROUP: names.groupId,
      ENRICHER_CHANGELOG_TOPIC: names.changelogTopic,
      REFERENCE_DAILY_BARS_TABLE: names.referenceTable,
      SYMBOL_STATE_TABLE: names.stateTable,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', log, stderr === 'log' ? log : 'inherit'],
  });
}
