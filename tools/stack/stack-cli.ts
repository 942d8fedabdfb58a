/**
 * The `stack` command line (commander): up, down, status, provision, env. Started by cli.ts.
 */
import { Command, Option } from 'commander';
import { provisionStack } from './provision/stack-provisioner';
import { appEnvironment, resolveStackConfig, STACK_ENV, STACK_VERSIONS } from './stack-config';
import { StackError } from './stack-errors';
import { controlServer, isServerName, SERVER_ACTIONS, type ServerAction } from './stack-control';
import { downStack, downStackIfStartedBy, stackStatus, upStack } from './stack-runner';
import { formatStatusTable } from './status-table';

const log = (message: string): void => console.log(message);

/** Parses `argv` (as process.argv) and runs the command; exits non-zero with a message on failure. */
export async function runStackCli(argv: readonly string[]): Promise<void> {
  // The workspace targets Node 20 on purpose; the SDK's notice about its future Node 22 floor would
  // otherwise interleave with every status table. Set the variable to "false" to see it.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const program = buildProgram();
  await program.parseAsync([...argv]).catch((error: unknown) => {
    if (error instanceof StackError || (error instanceof Error && error.name === 'RangeError')) {
      console.error(`stack: ${error.message}`);
    } else {
      console.error(error);
    }
    process.exit(1);
  });
}

function buildProgram(): Command {
  const program = new Command()
    .name('stack')
    .description('Tickwire local stack: Kafka, OpenSearch, DynamoDB Local and S3Mock as local processes')
    .showHelpAfterError();

  program
    .command('up')
    .description('start every server not yet running, wait until all answer, then provision')
    .addOption(
      new Option('--no-provision', 'skip creating topics, ACLs, index templates, tables and the bucket'),
    )
    .option('--started-by <runId>', 'record that this run started the stack (for `down --if-started-by`)')
    .action(async (options: { provision: boolean; startedBy?: string }) => {
      const config = resolveStackConfig();
      const report = await upStack(config, {
        log,
        ...(options.startedBy ? { startedBy: options.startedBy } : {}),
        ...(options.provision ? { afterUp: () => provisionStack(config, log) } : {}),
      });
      const started = Object.entries(report.outcomes)
        .filter(([, outcome]) => outcome === 'started')
        .map(([name]) => name);
      log(
        `stack up in ${(report.elapsedMs / 1000).toFixed(1)} s` +
          (started.length ? ` (started: ${started.join(', ')})` : ' (all servers were already running)'),
      );
    });

  program
    .command('down')
    .description('stop the servers this stack started (SIGTERM, then SIGKILL after a grace period)')
    .option('--purge', 'also delete their data, logs and generated config')
    .option('--if-started-by <runId>', 'only if that run started the stack (`up --started-by`)')
    .action(async (options: { purge?: boolean; ifStartedBy?: string }) => {
      const config = resolveStackConfig();
      const downOptions = { log, purge: options.purge ?? false };
      if (options.ifStartedBy !== undefined) {
        const stopped = await downStackIfStartedBy(config, options.ifStartedBy, downOptions);
        if (!stopped) log(`stack left running: not started by run ${options.ifStartedBy}`);
        return;
      }
      await downStack(config, downOptions);
    });

  program
    .command('status')
    .description('print server, port, pid, health and data dir; exit 1 when any server is unhealthy')
    .action(async () => {
      const rows = await stackStatus(resolveStackConfig());
      log(formatStatusTable(rows));
      if (rows.some((row) => !row.healthy)) process.exitCode = 1;
    });

  program
    .command('server')
    .description(
      'act on one server: kill (SIGKILL), pause (SIGSTOP), resume (SIGCONT), stop (SIGTERM, then SIGKILL), start (and wait until it answers)',
    )
    .argument('<action>', SERVER_ACTIONS.join(' | '))
    .argument('<server>', 'kafka | opensearch | dynamodb | s3')
    .action(async (action: string, server: string) => {
      if (!(SERVER_ACTIONS as readonly string[]).includes(action)) {
        throw new StackError(`unknown action "${action}": one of ${SERVER_ACTIONS.join(', ')}`);
      }
      if (!isServerName(server)) throw new StackError(`unknown server "${server}": kafka, opensearch, dynamodb or s3`);
      const result = await controlServer(resolveStackConfig(), server, action as ServerAction, { log });
      log(`${result.server} ${result.action}: ${result.outcome}${result.pid ? ` (pid ${result.pid})` : ''} in ${(result.elapsedMs / 1000).toFixed(1)} s`);
    });

  program
    .command('provision')
    .description('create topics, ACLs, index templates, tables and the bucket (idempotent)')
    .action(async () => {
      await provisionStack(resolveStackConfig(), log);
    });

  program
    .command('env')
    .description('print the environment variables the stack reads, the app environment, and pinned versions')
    .action(() => {
      const config = resolveStackConfig();
      for (const variable of Object.values(STACK_ENV)) {
        log(
          `${variable.name.padEnd(32)} ${(process.env[variable.name] ?? `(${variable.defaultValue})`).padEnd(28)} ${variable.description}`,
        );
      }
      log('\n# for apps on this machine');
      for (const [name, value] of Object.entries(appEnvironment(config))) log(`${name}=${value}`);
      log(`\n# versions: ${JSON.stringify(STACK_VERSIONS)}`);
    });

  return program;
}
