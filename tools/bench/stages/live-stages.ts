import { createLocalKafka } from '@tickwire/testing';
import { setTimeout as sleep } from 'node:timers/promises';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import { resetPipeline } from '../../main-job/pipeline-reset';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import {
  runRepoTool,
  servicePort,
  startService,
  stopService,
  type RunningService,
} from '../../main-job/service-processes';
import { EnrichedTap } from '../clients/enriched-tap';
import { SubscriberPool, type PoolWindow } from '../clients/subscriber-pool';
import { SampleBuffer, summariseLatencies, type LatencySummary } from '../stats/latency-summary';
import { nextProbeRate } from '../stats/rate-search';
import { peakRssMiB } from '../system/process-memory';
import type { BenchContext } from './bench-context';
import { assertAlive } from './catch-up-round';

/** The end-to-end latency target of the issue: p99 under 50 ms. */
export const E2E_P99_TARGET_MS = 50;

/** One live measurement: a fixed synthetic input rate, N subscribers, a window of delivered frames. */
export interface LiveStep {
  readonly kind: 'e2e' | 'fanout';
  /** Synthetic input rate (ingest-producer SYNTHETIC_RATE, paced in real time), events/s. */
  readonly inputRate: number;
  readonly subscribers: number;
  /** Data frames received by all subscribers per second of the window. */
  readonly deliveredPerSecond: number;
  /** Ingest (envelope ingestTime) -> frame received by a subscriber, ms, over the sampled frames. */
  readonly latency: LatencySummary | null;
  /** Sampled frames whose ingest time the tap never saw (should be 0). */
  readonly unmatched: number;
  /** Subscribers the gateway closed during the step (slow clients). */
  readonly closed: number;
  readonly gatewayPeakRssMiB: number | null;
  readonly error?: string;
}

/** The live figures of a run. */
export interface LiveFigures {
  readonly steps: readonly LiveStep[];
  /** Highest input rate measured with p99 < 50 ms; `atLeast` when the highest rate tried still passed. */
  readonly maxRate: { readonly rate: number | null; readonly atLeast: boolean };
  readonly peakRssMiB: {
    readonly enricher: number | null;
    readonly gateway: number | null;
    readonly ingest: number | null;
  };
  readonly errors: readonly string[];
}

/** Options of {@link runLiveStages}. */
export interface LiveOptions {
  /** Fixed input rates of the end-to-end steps (1 subscriber of every symbol). */
  readonly e2eRates: readonly number[];
  /** Extra steps of the search for the highest rate with p99 < 50 ms. */
  readonly searchSteps: number;
  /** Subscriber counts of the fan-out steps (input 10,000 events/s over 1,000 symbols, one symbol each). */
  readonly fanout: readonly number[];
  readonly warmupMs: number;
  readonly windowMs: number;
}

const E2E_SYMBOLS = 100;
const FANOUT_SYMBOLS = 1_000;
const FANOUT_RATE = 10_000;

/**
 * Symbols no earlier step used, so every step starts with fresh per-symbol state in the enricher (the
 * synthetic source restarts its event times at the same instant, which a symbol's closed bars would
 * treat as late).
 */
export function stepSymbols(step: number, count: number): string[] {
  const tag = step.toString(36).toUpperCase();
  return Array.from({ length: count }, (_, i) => `B${tag}X${String(i).padStart(4, '0')}`);
}

/** Sample 1/divisor of the ids so the tap and clients stay cheap at high rates. */
function sampleDivisorFor(framesPerSecond: number): number {
  if (framesPerSecond <= 2_000) return 1;
  if (framesPerSecond <= 20_000) return 4;
  return 16;
}

/**
 * The live stages on a reset pipeline with the enricher and the consumer gateway running:
 * 1. end to end: ingest-producer's synthetic source at each fixed rate (paced in real time), one
 *    WebSocket subscriber of all its symbols; latency = frame receive time - the event's ingestTime;
 *    then a search between the highest passing and lowest failing rate for p99 < 50 ms;
 * 2. fan-out: input 10,000 events/s over 1,000 symbols, N subscribers each following one symbol.
 */
export async function runLiveStages(context: BenchContext, options: LiveOptions): Promise<LiveFigures> {
  const { stack, log } = context;
  const errors: string[] = [];
  const steps: LiveStep[] = [];
  log('  reset: topics, indices, archive, symbol-state');
  await resetPipeline(stack.config, () => undefined);
  const created = await runRepoTool(
    [
      'apps/consumer-gateway/src/cli/keys.ts',
      'create',
      '--customer',
      'bench',
      '--channels',
      'enriched',
      '--symbols',
      '*',
      '--max-connections',
      '20000',
      '--max-symbols',
      '1000',
      '--json',
    ],
    stack.env,
    () => undefined,
  );
  const apiKey = (
    JSON.parse(
      created
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{')) ?? '{}',
    ) as { key?: string }
  ).key;
  if (!apiKey) throw new Error(`the key CLI printed no key: ${created}`);

  const profile: Record<string, string> = context.cpuProfileDir
    ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${context.cpuProfileDir}` }
    : {};
  const serviceOptions = (env: Record<string, string>) => ({
    env: { ...stack.env, ...profile, LOG_LEVEL: 'warn', ...env },
    logDir: context.logDir,
  });
  const kafka = createLocalKafka('tickwire-bench-live', stack.config);
  const admin = kafka.admin();
  await admin.connect();
  let enricher: RunningService | undefined;
  let gateway: RunningService | undefined;
  let tap: EnrichedTap | undefined;
  let ingestPeak: number | null = null;
  let servicePeaks: { enricher: number | null; gateway: number | null } = { enricher: null, gateway: null };
  let step = 0;
  try {
    enricher = await startService('enricher', serviceOptions({}));
    // 10,000 sockets authenticate from one address: lift the per-address auth rate limit for the bench.
    gateway = await startService(
      'consumer-gateway',
      serviceOptions({ STREAM_AUTH_BURST: '100000', STREAM_AUTH_PER_SECOND: '100000' }),
    );
    tap = await EnrichedTap.start(kafka, admin);
    const url = `ws://127.0.0.1:${servicePort('consumer-gateway')}/v1/stream`;
    const services = { enricher, gateway };

    /** One step: subscribers connected, ingest running at `rate`, a window of frames joined with the tap. */
    const measure = async (
      kind: LiveStep['kind'],
      rate: number,
      sockets: readonly (readonly string[])[],
      ingest: () => Promise<RunningService | null>,
    ): Promise<LiveStep> => {
      const framesPerSecond = kind === 'e2e' ? rate : (rate / FANOUT_SYMBOLS) * sockets.length;
      const divisor = sampleDivisorFor(framesPerSecond);
      let pool: SubscriberPool | undefined;
      try {
        assertAlive(services.enricher);
        assertAlive(services.gateway);
        tap?.reset(divisor);
        pool = await SubscriberPool.connect({
          url,
          apiKey,
          sockets,
          processes: sockets.length >= 1_000 ? 2 : 1,
          sampleDivisor: divisor,
        });
        await ingest();
        await sleep(options.warmupMs);
        pool.startWindow();
        await sleep(options.windowMs);
        const window = await pool.endWindow();
        const { latency, unmatched } = await joinLatencies(window, tap as EnrichedTap);
        const result: LiveStep = {
          kind,
          inputRate: rate,
          subscribers: sockets.length,
          deliveredPerSecond: window.frames / (window.windowMs / 1_000),
          latency,
          unmatched,
          closed: window.closed,
          gatewayPeakRssMiB: peakRssMiB(services.gateway.child.pid),
        };
        log(
          `  ${kind} ${rate.toLocaleString('en-US')} events/s, ${sockets.length} subscriber(s): ${Math.round(result.deliveredPerSecond).toLocaleString('en-US')} frames/s, ` +
            `p50 ${latency?.p50.toFixed(1) ?? '–'} p99 ${latency?.p99.toFixed(1) ?? '–'} p99.9 ${latency?.p999.toFixed(1) ?? '–'} ms (${latency?.count ?? 0} samples, ${unmatched} unmatched), ${window.closed} closed`,
        );
        return result;
      } catch (error) {
        const message = `${kind} ${rate}/s x ${sockets.length}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
        log(`  FAILED ${message}`);
        errors.push(message);
        return {
          kind,
          inputRate: rate,
          subscribers: sockets.length,
          deliveredPerSecond: 0,
          latency: null,
          unmatched: 0,
          closed: 0,
          gatewayPeakRssMiB: null,
          error: message,
        };
      } finally {
        pool?.close();
      }
    };

    const startIngest = async (
      rate: number,
      symbols: readonly string[],
      seconds: number,
    ): Promise<RunningService> =>
      startService(
        'ingest-producer',
        serviceOptions({
          SOURCE: 'synthetic',
          SYNTHETIC_SYMBOLS: symbols.join(','),
          SYNTHETIC_RATE: String(rate),
          SYNTHETIC_LIMIT: String(Math.ceil(rate * seconds)),
          SYNTHETIC_SEED: String(step + 1),
          REPLAY_SPEED: 'realtime',
        }),
      );
    const stopIngest = async (service: RunningService | null): Promise<void> => {
      if (!service) return;
      const peak = peakRssMiB(service.child.pid);
      if (peak !== null) ingestPeak = Math.max(ingestPeak ?? 0, peak);
      await stopService(service);
    };

    // 1. end to end at fixed rates, then the search.
    const e2eStep = async (rate: number): Promise<LiveStep> => {
      step += 1;
      const symbols = stepSymbols(step, E2E_SYMBOLS);
      let ingest: RunningService | null = null;
      const result = await measure(
        'e2e',
        rate,
        [symbols],
        async () =>
          (ingest = await startIngest(rate, symbols, (options.warmupMs + options.windowMs) / 1_000 + 30)),
      );
      await stopIngest(ingest);
      steps.push(result);
      return result;
    };
    for (const rate of options.e2eRates) await e2eStep(rate);
    for (let i = 0; i < options.searchSteps; i += 1) {
      const probe = nextProbeRate(
        steps
          .filter((s) => s.kind === 'e2e')
          .map((s) => ({ rate: s.inputRate, p99: s.latency?.p99 ?? null })),
        E2E_P99_TARGET_MS,
      );
      if (probe === null) break;
      await e2eStep(probe);
    }

    // 2. fan-out at 10,000 events/s over 1,000 symbols.
    if (options.fanout.length) {
      step += 1;
      const symbols = stepSymbols(step, FANOUT_SYMBOLS);
      const seconds = options.fanout.length * ((options.warmupMs + options.windowMs) / 1_000 + 120) + 60;
      let ingest: RunningService | null = null;
      try {
        for (const subscribers of options.fanout) {
          const sockets = Array.from({ length: subscribers }, (_, i) => [
            symbols[i % FANOUT_SYMBOLS] as string,
          ]);
          steps.push(
            await measure(
              'fanout',
              FANOUT_RATE,
              sockets,
              async () => (ingest ??= await startIngest(FANOUT_RATE, symbols, seconds)),
            ),
          );
        }
      } finally {
        await stopIngest(ingest);
      }
    }
  } finally {
    await tap?.stop();
    servicePeaks = { enricher: peakRssMiB(enricher?.child.pid), gateway: peakRssMiB(gateway?.child.pid) };
    if (gateway) await stopService(gateway);
    if (enricher) await stopService(enricher);
    await admin.disconnect();
  }
  const e2e = steps.filter((s) => s.kind === 'e2e' && s.latency);
  const passing = e2e.filter((s) => (s.latency?.p99 ?? Infinity) < E2E_P99_TARGET_MS).map((s) => s.inputRate);
  const highestTried = Math.max(0, ...e2e.map((s) => s.inputRate));
  const maxRate = passing.length ? Math.max(...passing) : null;
  return {
    steps,
    maxRate: { rate: maxRate, atLeast: maxRate !== null && maxRate === highestTried },
    peakRssMiB: { ...servicePeaks, ingest: ingestPeak },
    errors,
  };
}

/**
 * Latencies of a window's sampled frames: receive time - ingest time from the tap. Waits up to 10 s
 * for the tap (a Kafka consumer like the gateway) to have seen every sampled id.
 */
async function joinLatencies(
  window: PoolWindow,
  tap: EnrichedTap,
): Promise<{ latency: LatencySummary | null; unmatched: number }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const missing = window.sampledIds.filter((id) => tap.ingestTime(id) === undefined).length;
    if (missing === 0 || Date.now() > deadline) break;
    await sleep(250);
  }
  const samples = new SampleBuffer();
  let unmatched = 0;
  window.sampledIds.forEach((id, i) => {
    const ingestTime = tap.ingestTime(id);
    const at = window.sampledAtMs[i];
    if (ingestTime === undefined || at === undefined) unmatched += 1;
    else samples.push(at - ingestTime);
  });
  return { latency: summariseLatencies(samples.toArray()), unmatched };
}
