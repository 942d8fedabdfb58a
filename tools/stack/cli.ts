/**
 * `npm run stack:up | stack:down | stack:status | stack:provision`: the local stack (Kafka, OpenSearch,
 * DynamoDB Local, S3Mock) as plain JVM processes on 127.0.0.1, fetched from Maven Central.
 * Configuration: environment variables listed in stack-config.ts (`cli.ts env` prints them).
 *
 * tsx maps the workspace path aliases (@tickwire/*) only when it finds them in a tsconfig; the repo
 * keeps them in tsconfig.base.json. So when run as plain `tsx tools/stack/cli.ts`, this entry point
 * re-runs itself once with TSX_TSCONFIG_PATH pointing there before loading anything that needs them.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const TSCONFIG = join(__dirname, '..', '..', 'tsconfig.base.json');

function workspaceAliasesResolve(): boolean {
  try {
    require.resolve('@tickwire/testing');
    return true;
  } catch {
    return false;
  }
}

if (!workspaceAliasesResolve() && process.env['TSX_TSCONFIG_PATH'] !== TSCONFIG) {
  const result = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
  });
  process.exit(result.status ?? 1);
} else {
  void import('./stack-cli').then(({ runStackCli }) => runStackCli(process.argv));
}
