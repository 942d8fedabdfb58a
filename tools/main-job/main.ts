/**
 * `npm start`: the main job. Brings the local stack up, provisions it, loads reference data, starts
 * the five services, prints the live page's address with a demo API key, replays the real market data
 * in data/market/ (default: the LOBSTER day at 60x) with a progress bar, and keeps running so customers
 * can use the consumer gateway (Ctrl-C stops the services; the stack stays up).
 *
 * `npm start -- --once`: replays everything (default `--dataset all`) as fast as possible, waits until every sink has caught up, prints a
 * summary table whose counts reconcile, with issue 12's event-time order and look-ahead checks read
 * back from the topics and OpenSearch, stops the services and exits 0 (1 if anything does not
 * reconcile or a check fails, whose first offenders are printed below the table), leaving the local
 * stack up for inspection.
 */
import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { eventOrderFailures, formatSummaryMarkdown, formatSummaryTable, reconciles, summaryRows } from './pipeline-summary';
import { PipelineRun, type ReplayDataset } from './pipeline-run';

// The AWS SDK warns once per process that its 2027 releases need Node 22; the lockfile pins today's
// release, which supports Node 20. Children inherit this, so the warning does not flood the output.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

/** Records in the committed data set, for the progress bar's total (data/market/README.md). */
const EXPECTED_RECORDS: Record<ReplayDataset, number> = {
  // LOBSTER: one quote per message row plus trades (types 4 and 5), three symbols.
  lobster: 118_497 + 57_515 + 49_482 + 34_990 + 11_419 + 11_678,
  daily: 164_982,
  all: 118_497 + 57_515 + 49_482 + 34_990 + 11_419 + 11_678 + 164_982,
};

interface MainOptions {
  once: boolean;
  dataset?: ReplayDataset;
  speed: string;
  reset: boolean;
  markdown: boolean;
  referenceCloses: 'seed' | 'none';
}

async function main(options: MainOptions): Promise<number> {
  const log = (line: string): void => console.log(line);
  const speed = options.once ? 'max' : options.speed;
  // Live, the intraday LOBSTER day is what there is to watch; a run that must finish replays everything.
  const dataset: ReplayDataset = options.dataset ?? (options.once ? 'all' : 'lobster');
  const run = await PipelineRun.start({
    dataset,
    speed,
    reset: options.reset,
    log,
    // A run that must finish flushes the archive every few seconds instead of Firehose's 300 s default.
    serviceEnv: {
      ...(options.once ? { 'firehose-archiver': { BUFFER_INTERVAL_SECONDS: '5' } } : {}),
      // Previous closes from the feed's daily bars only; corporate actions still from the reference.
      enricher: { REFERENCE_CLOSES: options.referenceCloses },
    },
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const outcomes = await run.stop();
    for (const o of outcomes) log(`stopped ${o.name} in ${o.exitMs} ms${o.killed ? ' (killed)' : ''}`);
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));

  log(`replay: ${dataset} at ${speed}, reference closes: ${options.referenceCloses}; service logs in ${run.logDir}`);
  if (!options.once) {
    const gateway = run.service('consumer-gateway').baseUrl;
    const { key, alpacaKeyId, alpacaSecret } = await run.createDemoKey();
    log(`live page: ${gateway}/#key=${key}&symbols=AAPL,AMZN,GOOG`);
    log(`WebSocket: ${gateway.replace('http', 'ws')}/v1/stream (auth with that key), REST docs: ${gateway}/docs`);
    log(`Alpaca SDKs: ${gateway.replace('http', 'ws')}/v2/tickwire with key id ${alpacaKeyId} and secret ${alpacaSecret}`);
  }
  const bar = new SingleBar({ format: 'replay |{bar}| {percentage}% | {value}/{total} records | {state}', noTTYOutput: true, notTTYSchedule: 5_000 }, Presets.shades_classic);
  bar.start(EXPECTED_RECORDS[dataset], 0, { state: 'starting' });
  try {
    await run.waitForIngest((published, status) => bar.update(published, { state: status.state }));
  } finally {
    bar.stop();
  }

  if (!options.once) {
    log(`replay complete. The services keep running for the gateway; Ctrl-C stops them.`);
    await new Promise(() => undefined);
  }

  log('waiting for the enricher, indexer and archiver to catch up ...');
  await run.waitForSinks();
  const totals = await run.totals();
  const rows = summaryRows(totals);
  console.log(options.markdown ? formatSummaryMarkdown(rows) : formatSummaryTable(rows));
  for (const failure of eventOrderFailures(totals.order)) log(`FAILED ${failure}`);
  const ok = reconciles(rows);
  await stop();
  log(ok ? 'all counts reconcile. The local stack is still up (npm run stack:down stops it).' : 'COUNTS DO NOT RECONCILE (or an order / look-ahead count is not 0)');
  return ok ? 0 : 1;
}

const program = new Command()
  .name('npm start --')
  .description('Tickwire main job: the whole pipeline on real market data, on the local stack')
  .option('--once', 'replay as fast as possible, wait for every sink, print the summary and exit', false)
  .addOption(new Option('--dataset <name>', 'what to replay (default: lobster live, all with --once)').choices(['lobster', 'daily', 'all']))
  .option('--speed <speed>', 'replay speed: realtime, x<N> (e.g. x60) or max', 'x60')
  .option('--no-reset', 'keep what earlier runs left in topics, indices, archive and symbol-state')
  .option('--markdown', 'print the summary as a Markdown table', false)
  .addOption(
    new Option(
      '--reference-closes <mode>',
      'previous closes from the reference daily bars: seed (until the feed delivered a close) or none (the feed only)',
    )
      .choices(['seed', 'none'])
      .default('seed'),
  )
  .action(async (options: MainOptions) => {
    try {
      process.exitCode = await main(options);
    } catch (error) {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    }
  });

void program.parseAsync();
