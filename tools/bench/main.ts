/**
 * `npm run bench`: throughput, latency and peak memory of every Tickwire stage on the local stack,
 * each next to a baseline measured in the same run on the same servers, written to
 * bench/results/<YYYY-MM-DD>.json and .md. See bench-cli-options.ts for the flags.
 *
 * Runs on the stack named by the environment (KAFKA_PORT, ..., TICKWIRE_STACK_DIR,
 * TICKWIRE_SERVICE_PORT_OFFSET): it resets the pipeline, so give it a stack nobody else is using.
 */
import { ensureLocalStack } from '@tickwire/testing';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import { buildServiceBundles, REPO_ROOT, runRepoTool, SERVICE_NAMES } from '../main-job/service-processes';
import { BENCH_USAGE, parseBenchArgs, type BenchCliOptions } from './bench-cli-options';
import { catchUpRows, judgeTargets, liveRows } from './report/assemble-results';
import type { BenchResults } from './report/bench-results';
import { renderMarkdown } from './report/markdown-report';
import { runServiceBundles } from './stages/bench-context';
import { runCatchUpRound, type CatchUpRoundFigures } from './stages/catch-up-round';
import { runLiveStages, type LiveFigures, type LiveOptions } from './stages/live-stages';
import { ensureKafkaTools } from './system/kafka-perf-tools';
import { machineInfo } from './system/machine-info';
import { readCpuProfile, topSelfTime } from './system/cpu-profile-summary';

const PROFILES: Record<BenchCliOptions['profile'], { symbols?: string[]; live: LiveOptions }> = {
  quick: {
    symbols: ['AAPL'],
    live: {
      e2eRates: [1_000, 10_000, 50_000],
      searchSteps: 0,
      e2eRatesWithoutMergeWait: [1_000, 10_000],
      fanout: [1, 1_000],
      fanoutUnderIngest: { subscribers: 1_000, ingestRate: 10_000 },
      warmupMs: 3_000,
      windowMs: 8_000,
    },
  },
  full: {
    live: {
      e2eRates: [1_000, 10_000, 50_000],
      searchSteps: 3,
      e2eRatesWithoutMergeWait: [1_000, 10_000],
      fanout: [1, 100, 1_000, 10_000],
      fanoutUnderIngest: { subscribers: 1_000, ingestRate: 10_000 },
      warmupMs: 5_000,
      windowMs: 15_000,
    },
  },
};

/**
 * The profile's live steps, narrowed by `--e2e-rates` (only those end-to-end steps) and `--window-s`.
 */
function liveOptionsOf(base: LiveOptions, options: BenchCliOptions): LiveOptions {
  const window = options.windowSeconds !== undefined ? { windowMs: options.windowSeconds * 1_000 } : {};
  if (!options.e2eRates) return { ...base, ...window };
  return {
    e2eRates: options.e2eRates,
    searchSteps: 0,
    fanout: [],
    warmupMs: base.warmupMs,
    windowMs: base.windowMs,
    ...window,
  };
}

/** Top self-time functions of every CPU profile written in this run, one note per profile. */
function profileNotes(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => {
      const top = topSelfTime(readCpuProfile(join(dir, file)), 6)
        .map((h) => `${h.frame} ${(h.share * 100).toFixed(1)}%`)
        .join('; ');
      return `CPU profile ${file} (self time): ${top}`;
    });
}

function log(line: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function main(): Promise<void> {
  let options: BenchCliOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${BENCH_USAGE}\n`);
    process.exit(2);
  }
  const profile = PROFILES[options.profile];
  const startedAt = new Date();
  const machine = machineInfo();
  log(
    `bench: ${options.profile} profile, ${options.rounds} round(s); ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`,
  );
  log('local stack: starting (or reusing) Kafka, OpenSearch, DynamoDB Local, S3Mock');
  const stack = await ensureLocalStack({ log: () => undefined });
  log('kafka perf tools: fetching (first run only)');
  const kafkaToolsDir = await ensureKafkaTools(stack.config.cacheDir);
  const cpuProfileDir = options.cpuProf ? join(stack.config.stackDir, 'bench-profiles') : undefined;
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
  const context = {
    stack,
    logDir: join(stack.config.stackDir, 'bench-services'),
    kafkaToolsDir,
    brokers: `${stack.config.host}:${stack.config.ports.kafka}`,
    log,
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  };
  const notes: string[] = [];
  if (options.fromSource) {
    notes.push('Services ran from their TypeScript sources through @swc-node/register (--from-source), not from their production bundles.');
  } else {
    log('service bundles: nx build --configuration=production (cached when unchanged)');
    await buildServiceBundles(SERVICE_NAMES);
    runServiceBundles(true);
    notes.push(
      `Services ran from their production bundles (node --enable-source-maps dist/apps/<name>/main.js, as their container images do) on Node ${process.versions.node}; the images use Node 24.`,
    );
  }

  log('reference data: loading daily bars into DynamoDB');
  await runRepoTool(['libs/reference-data/src/cli.ts', 'load'], stack.env, () => undefined);

  const rounds: CatchUpRoundFigures[] = [];
  if (options.stages.has('catch-up')) {
    for (let round = 1; round <= options.rounds; round += 1) {
      log(`catch-up round ${round}/${options.rounds}`);
      const figures = await runCatchUpRound(context, profile.symbols ? { symbols: profile.symbols } : {});
      rounds.push(figures);
      notes.push(...figures.errors.map((e) => `round ${round}: ${e}`));
    }
  }
  let live: LiveFigures | null = null;
  if (options.stages.has('live')) {
    log('live stages: end to end and gateway fan-out');
    try {
      live = await runLiveStages(context, liveOptionsOf(profile.live, options));
      notes.push(...live.errors.map((e) => `live: ${e}`));
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      log(`FAILED live stages: ${message}`);
      notes.push(`live stages failed: ${message}`);
    }
  }

  if (cpuProfileDir) notes.push(...profileNotes(cpuProfileDir));
  const rows = [...catchUpRows(rounds), ...liveRows(live)];
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    profile: options.profile,
    rounds: rounds.length,
    machine,
    rows,
    targets: judgeTargets(rows),
    notes: [
      'Figures are medians over the rounds (each round in brackets); a ratio is the median of the per-round stage / baseline ratios, each pair measured back to back on the same servers.',
      'Catch-up stages: each service alone drains a backlog on a freshly reset pipeline, timed by its committed offsets from the first commit to the end of its input (start-up and group join excluded, as for the baselines).',
      ...notes,
    ],
  };
  const outDir = resolve(REPO_ROOT, options.outDir);
  mkdirSync(outDir, { recursive: true });
  const date = startedAt.toISOString().slice(0, 10);
  const suffix = options.profile === 'quick' ? '-quick' : '';
  writeFileSync(join(outDir, `${date}${suffix}.json`), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  writeFileSync(join(outDir, `${date}${suffix}.md`), markdown);
  process.stdout.write(`\n${markdown}\n`);
  log(`results: ${join(options.outDir, `${date}${suffix}.json`)} and .md`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
