/**
 * `npm run chaos [-- --profile full|short] [--markdown] [--out <dir>]`: the fault-injection suite of
 * issue 6 on the local stack (the stack's variables choose which: KAFKA_PORT, TICKWIRE_STACK_DIR, ...,
 * TICKWIRE_SERVICE_PORT_OFFSET). Prints the tables, writes the result as JSON to
 * `<out>/<UTC date-time>-<profile>.json` (default tools/chaos/results) and exits 1 when a fault did not
 * recover or an invariant failed.
 */
import { Command, Option } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { profileNamed } from './chaos-profile';
import { formatChaosMarkdown, formatChaosTables } from './chaos-report';
import { runChaos } from './chaos-run';

async function main(): Promise<void> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const program = new Command()
    .name('chaos')
    .description('fault injection during a LOBSTER replay, then every sink checked (issue 6)')
    .addOption(new Option('--profile <name>', 'full (~10 min) or short (~4 min)').choices(['full', 'short']).default('full'))
    .option('--markdown', 'print Markdown tables instead of text tables')
    .option('--out <dir>', 'folder for the JSON result', join(__dirname, 'results'))
    .parse(process.argv);
  const options = program.opts<{ profile: string; markdown?: boolean; out: string }>();
  const profile = profileNamed(options.profile);
  const started = Date.now();
  const result = await runChaos(profile, { log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`) });
  console.log(`\n${options.markdown ? formatChaosMarkdown(result) : formatChaosTables(result)}`);
  mkdirSync(options.out, { recursive: true });
  const file = join(options.out, `${result.startedAt.replace(/[:.]/g, '-')}-${profile.name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`result: ${file}`);
  process.exitCode = result.passed ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
