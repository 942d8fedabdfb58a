import { TOPICS } from '@tickwire/contracts';
import { createLocalKafka } from '@tickwire/testing';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import { resetPipeline } from '../../main-job/pipeline-reset';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools share the main job's process runner and the stack's pinned versions as files (tools are not libraries)
import {
  runRepoTool,
  servicePort,
  stopService,
  type RunningService,
  type ServiceName,
} from '../../main-job/service-processes';
import { PipelineTap } from '../clients/pipeline-tap';
import { EnrichedFeeder } from './enriched-feeder';
import { topicEnds, type BenchAdmin } from './kafka-backlog';
import { SubscriberPool, type PoolWindow } from '../clients/subscriber-pool';
import { SampleBuffer, summariseLatencies, type LatencySummary } from '../stats/latency-summary';
import { nextProbeRate } from '../stats/rate-search';
import { kafkaEndToEndLatency, type EndToEndLatencyResult } from '../system/kafka-perf-tools';
import { peakRssMiB } from '../system/process-memory';
import {
  type CpuUsage,
  cpuText,
  pidsMatching,
  readProcessTable,
  startCpuWindow,
  withDescendants,
} from '../system/cpu-usage';
import { cpuProfileEnv, startTrackedService, type BenchContext } from './bench-context';
import { assertAlive } from './catch-up-round';
import { loadBenchReferenceBars, stepSymbols } from './bench-reference-data';
import { defaultMergeWaitMs, MERGE_WAIT_ENV } from './enricher-merge-wait';

/** The end-to-end latency target of the issue: p99 under 50 ms. */
export const E2E_P99_TARGET_MS = 50;

/** One live measurement: a fixed synthetic input rate, N subscribers, a window of delivered frames. */
export interface LiveStep {
  readonly kind: 'e2e' | 'fanout';
  /** Synthetic input rate (ingest-producer SYNTHETIC_RATE, paced in real time), events/s. */
  readonly inputRate: number;
  /**
   * Fan-out steps only: the synthetic ingest rate (events/s) running through ingest-producer and the
   * enricher into the same gateway during the step (the target's condition); absent = gateway alone.
   */
  readonly ingestRate?: number;
  readonly subscribers: number;
  /**
   * The enricher's ENRICHER_MAX_TASK_IDLE_MS during the step, ms: how long its event-time merge lets a
   * task's other inputs wait for an empty, caught-up one (the default, or 0 in the steps without it).
   */
  readonly enricherMaxTaskIdleMs: number;
  /** Data frames received by all subscribers per second of the window. */
  readonly deliveredPerSecond: number;
  /**
   * Ingest -> frame received by a subscriber, ms, over the sampled frames, from the moment
   * ingest-producer sent the raw record to Kafka (its CreateTime).
   */
  readonly latency: LatencySummary | null;
  /**
   * The same from the envelope's `ingestTime`. The synthetic source stamps ingestTime when it generates
   * a block of 256 records, before pacing holds each until its due time, so this adds up to
   * 256 / rate seconds that no Tickwire hop spends (256 ms at 1,000 events/s, 26 ms at 10,000).
   */
  readonly fromIngestTime?: LatencySummary | null;
  /** Where the time goes: ingestTime -> publish, publish -> enriched record sent, enriched -> received. */
  readonly hops?: {
    readonly ingestToPublish: LatencySummary | null;
    readonly publishToEnriched: LatencySummary | null;
    readonly enrichedToDelivered: LatencySummary | null;
  };
  /** Sampled frames the tap never saw on both topics (should be 0). */
  readonly unmatched: number;
  /** Subscribers the gateway closed during the step (slow clients). */
  readonly closed: number;
  readonly gatewayPeakRssMiB: number | null;
  /**
   * Cores used during the window, machine-wide and per process group (services, the subscriber
   * processes, the bench process with its tap and feeder, the stack's servers): the step's CPU budget.
   */
  readonly cpu?: CpuUsage;
  readonly error?: string;
}

/** The live figures of a run. */
export interface LiveFigures {
  readonly steps: readonly LiveStep[];
  /**
   * The enricher's default ENRICHER_MAX_TASK_IDLE_MS (from its env schema), ms: the wait of every step
   * but those of `e2eRatesWithoutMergeWait`.
   */
  readonly defaultMaxTaskIdleMs: number;
  /**
   * Highest input rate measured with p99 < 50 ms, over the end-to-end steps at the default merge wait;
   * `atLeast` when the highest rate tried still passed.
   */
  readonly maxRate: { readonly rate: number | null; readonly atLeast: boolean };
  readonly peakRssMiB: {
    readonly enricher: number | null;
    readonly gateway: number | null;
    readonly ingest: number | null;
  };
  /**
   * Kafka's EndToEndLatency on the same broker, measured before the steps (the floor of one hop):
   * every latency is also reported as a multiple of its p99. Null when the tool failed.
   */
  readonly kafkaEndToEnd: EndToEndLatencyResult | null;
  readonly errors: readonly string[];
}

/** Options of {@link runLiveStages}. */
export interface LiveOptions {
  /** Fixed input rates of the end-to-end steps (1 subscriber of every symbol). */
  readonly e2eRates: readonly number[];
  /** Records of the Kafka EndToEndLatency baseline (default 10,000, as issue 14 measured it). */
  readonly kafkaEndToEndRecords?: number;
  /** Extra steps of the search for the highest rate with p99 < 50 ms. */
  readonly searchSteps: number;
  /**
   * Input rates of end-to-end steps run again, after the fixed rates and the search, with the enricher
   * restarted with ENRICHER_MAX_TASK_IDLE_MS=0 (no event-time merge wait), each on new symbols: next to
   * the default's row at the same rate, what the wait costs. The default enricher is restored after them.
   */
  readonly e2eRatesWithoutMergeWait?: readonly number[];
  /** Subscriber counts of the fan-out steps (input 10,000 events/s over 1,000 symbols, one symbol each). */
  readonly fanout: readonly number[];
  /**
   * A fan-out step with this many subscribers while ingest-producer -> enricher -> gateway carries
   * `ingestRate` synthetic events/s beside the feed (the gateway target); absent = skipped.
   */
  readonly fanoutUnderIngest?: { readonly subscribers: number; readonly ingestRate: number };
  readonly warmupMs: number;
  readonly windowMs: number;
  /** Synthetic symbols of each end-to-end step (default 100). */
  readonly e2eSymbols?: number;
}

const E2E_SYMBOLS = 100;
const FANOUT_SYMBOLS = 1_000;
const FANOUT_RATE = 10_000;

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
 *    then a search between the highest passing and lowest failing rate for p99 < 50 ms; then the
 *    `e2eRatesWithoutMergeWait` again with the enricher's event-time merge wait at 0 (restarted with
 *    ENRICHER_MAX_TASK_IDLE_MS=0, then with its default again);
 * 2. fan-out, the gateway alone: EnrichedFeeder writes 10,000 enriched events/s over 1,000 symbols to
 *    market.enriched.v1, N subscribers each follow one symbol; latency = receive time - send time;
 * 3. the same fan-out while ingest-producer's synthetic source runs at a fixed rate through the
 *    enricher into the same gateway (`fanoutUnderIngest`, the gateway target).
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

  // Every end-to-end step has its own block of symbols (E1, E2, ...), each with reference data.
  const zeroWaitRates = options.e2eRatesWithoutMergeWait ?? [];
  const e2eSteps = options.e2eRates.length + options.searchSteps + zeroWaitRates.length;
  const allSymbols = [
    ...Array.from({ length: e2eSteps }, (_, i) => stepSymbols(`E${i + 1}`, E2E_SYMBOLS)).flat(),
    ...stepSymbols('F', FANOUT_SYMBOLS),
    ...stepSymbols('G', options.e2eSymbols ?? E2E_SYMBOLS),
  ];
  log(
    `  reference data: ${allSymbols.length} synthetic symbols (${await loadBenchReferenceBars(stack.config, allSymbols)} rows written)`,
  );
  let kafkaEndToEnd: EndToEndLatencyResult | null = null;
  const baselineRecords = options.kafkaEndToEndRecords ?? 10_000;
  log(`  baseline: Kafka EndToEndLatency, ${baselineRecords} records of 300 B, acks=all`);
  try {
    kafkaEndToEnd = await kafkaEndToEndLatency(context.kafkaToolsDir, {
      brokers: context.brokers,
      topic: `bench-kafka-e2e-latency-${Date.now()}`,
      records: baselineRecords,
      recordSize: 300,
    });
    log(
      `  baseline: Kafka end to end p50 ${kafkaEndToEnd.p50Ms} ms, p99 ${kafkaEndToEnd.p99Ms} ms, p99.9 ${kafkaEndToEnd.p999Ms} ms`,
    );
  } catch (error) {
    errors.push(
      `Kafka EndToEndLatency: ${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)}`,
    );
  }
  const serviceOptions = (name: ServiceName, env: Record<string, string>) => ({
    env: { ...stack.env, ...cpuProfileEnv(context.cpuProfileDir, name), LOG_LEVEL: 'warn', ...env },
    logDir: context.logDir,
  });
  const kafka = createLocalKafka('tickwire-bench-live', stack.config);
  const admin = kafka.admin();
  await admin.connect();
  let enricher: RunningService | undefined;
  let gateway: RunningService | undefined;
  let tap: PipelineTap | undefined;
  let ingestPeak: number | null = null;
  let enricherPeak: number | null = null;
  let servicePeaks: { enricher: number | null; gateway: number | null } = { enricher: null, gateway: null };
  let step = 0;
  const defaultMaxTaskIdleMs = defaultMergeWaitMs();
  /** The enricher's merge wait now (the steps record it). */
  let maxTaskIdleMs = defaultMaxTaskIdleMs;
  // Set even at its default, so an ENRICHER_MAX_TASK_IDLE_MS in the bench's own environment cannot leak in.
  const enricherOptions = () => serviceOptions('enricher', { [MERGE_WAIT_ENV]: String(maxTaskIdleMs) });
  /** The search and the highest passing rate consider the end-to-end steps at the default wait only. */
  const isDefaultE2e = (s: LiveStep): boolean =>
    s.kind === 'e2e' && s.enricherMaxTaskIdleMs === defaultMaxTaskIdleMs;
  try {
    enricher = await startTrackedService('enricher', enricherOptions());
    // 10,000 sockets connect and authenticate from one address: lift the per-address limits for the bench.
    gateway = await startTrackedService(
      'consumer-gateway',
      serviceOptions('consumer-gateway', {
        STREAM_AUTH_BURST: '100000',
        STREAM_AUTH_PER_SECOND: '100000',
        WS_MAX_PENDING_PER_ADDRESS: '1000',
      }),
    );
    tap = await PipelineTap.start(kafka, admin);
    const url = `ws://127.0.0.1:${servicePort('consumer-gateway')}/v1/stream`;
    const services: { enricher: RunningService; gateway: RunningService } = { enricher, gateway };
    /**
     * Stops the enricher (keeping its peak RSS), runs `whileStopped`, and starts it again with
     * ENRICHER_MAX_TASK_IDLE_MS = `waitMs`.
     */
    const restartEnricher = async (waitMs: number, whileStopped?: () => Promise<void>): Promise<void> => {
      enricherPeak = Math.max(enricherPeak ?? 0, peakRssMiB(services.enricher.child.pid) ?? 0);
      await stopService(services.enricher);
      await whileStopped?.();
      maxTaskIdleMs = waitMs;
      services.enricher = await startTrackedService('enricher', enricherOptions());
      enricher = services.enricher;
    };

    /** One step: subscribers connected, ingest running at `rate`, a window of frames joined with the tap. */
    const measure = async (
      kind: LiveStep['kind'],
      rate: number,
      sockets: readonly (readonly string[])[],
      ingest: () => Promise<RunningService | null>,
      ingestRate?: number,
    ): Promise<LiveStep> => {
      // Fan-out steps are fed by EnrichedFeeder, whose frames carry their send time as eventTime.
      const fromEventTime = kind === 'fanout';
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
          latencyFromEventTime: fromEventTime,
        });
        const ingestPid = (await ingest())?.child.pid;
        await sleep(options.warmupMs);
        const table = readProcessTable();
        const tree = (pid: number | undefined): number[] => (pid === undefined ? [] : withDescendants(table, pid));
        const server = (folder: string): number[] => pidsMatching(table, join(stack.config.stackDir, folder));
        const endCpu = startCpuWindow(
          {
            enricher: tree(services.enricher.child.pid),
            'consumer-gateway': tree(services.gateway.child.pid),
            'ingest-producer': tree(ingestPid),
            subscribers: pool.pids.flatMap(tree),
            'bench (tap, feeder)': [process.pid],
            kafka: server(join('kafka', 'conf')),
            opensearch: server(join('opensearch', 'conf')),
            'dynamodb-local': server(join('dynamodb', 'data')),
            s3mock: server(join('s3', 'data')),
          },
          cpus().length,
        );
        pool.startWindow();
        await sleep(options.windowMs);
        const window = await pool.endWindow();
        const cpu = endCpu();
        const { latency, fromIngestTime, hops, unmatched } = fromEventTime
          ? {
              latency: summariseLatencies(window.eventTimeLatenciesMs),
              fromIngestTime: undefined,
              hops: undefined,
              unmatched: 0,
            }
          : await joinLatencies(window, tap as PipelineTap);
        const result: LiveStep = {
          kind,
          inputRate: rate,
          ...(ingestRate !== undefined ? { ingestRate } : {}),
          subscribers: sockets.length,
          enricherMaxTaskIdleMs: maxTaskIdleMs,
          deliveredPerSecond: window.frames / (window.windowMs / 1_000),
          latency,
          fromIngestTime,
          hops,
          unmatched,
          closed: window.closed,
          gatewayPeakRssMiB: peakRssMiB(services.gateway.child.pid),
          cpu,
        };
        log(
          `  ${kind} ${rate.toLocaleString('en-US')} events/s, ${sockets.length} subscriber(s): ${Math.round(result.deliveredPerSecond).toLocaleString('en-US')} frames/s, ` +
            `p50 ${latency?.p50.toFixed(1) ?? '–'} p99 ${latency?.p99.toFixed(1) ?? '–'} p99.9 ${latency?.p999.toFixed(1) ?? '–'} ms (${latency?.count ?? 0} samples, ${unmatched} unmatched), ${window.closed} closed; ` +
            `hops p50/p99 ms: ingest->publish ${hopText(hops?.ingestToPublish)}, publish->enriched ${hopText(hops?.publishToEnriched)}, enriched->client ${hopText(hops?.enrichedToDelivered)}`,
        );
        log(`    cores used: ${cpuText(cpu)}`);
        return result;
      } catch (error) {
        const message = `${kind} ${rate}/s x ${sockets.length}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
        log(`  FAILED ${message}`);
        errors.push(message);
        return {
          kind,
          inputRate: rate,
          ...(ingestRate !== undefined ? { ingestRate } : {}),
          subscribers: sockets.length,
          enricherMaxTaskIdleMs: maxTaskIdleMs,
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
      startTrackedService(
        'ingest-producer',
        serviceOptions('ingest-producer', {
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
      // The next step must not queue behind this one's backlog: let the enricher drain for 30 s, then
      // skip what is left (stop it, move its group to the end of its input, start it again; the next
      // step's symbols are new, so no state depends on the skipped records).
      if (!(await waitForEnricherDrain(admin, 30_000))) {
        log('  enricher still behind 30 s after the step: skipping its backlog');
        await restartEnricher(maxTaskIdleMs, async () => {
          for (const topic of [TOPICS.trades, TOPICS.quotes])
            await admin.resetOffsets({ groupId: 'enricher', topic, earliest: false });
        });
      }
    };

    // 1. end to end at fixed rates, then the search.
    const e2eStep = async (rate: number): Promise<LiveStep> => {
      step += 1;
      const symbols = stepSymbols(`E${step}`, options.e2eSymbols ?? E2E_SYMBOLS);
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
        steps.filter(isDefaultE2e).map((s) => ({ rate: s.inputRate, p99: s.latency?.p99 ?? null })),
        E2E_P99_TARGET_MS,
      );
      if (probe === null) break;
      await e2eStep(probe);
    }
    // 1b. the same rates without the merge wait: what the default wait costs is the difference.
    if (zeroWaitRates.length > 0 && defaultMaxTaskIdleMs > 0) {
      log(`  enricher: restarting with ${MERGE_WAIT_ENV}=0 (no event-time merge wait)`);
      await restartEnricher(0);
      for (const rate of zeroWaitRates) await e2eStep(rate);
      log(`  enricher: restarting with its default ${MERGE_WAIT_ENV} (${defaultMaxTaskIdleMs} ms)`);
      await restartEnricher(defaultMaxTaskIdleMs);
    }

    // 2. fan-out: the gateway alone, fed 10,000 enriched events/s over 1,000 symbols. The feeder starts
    // once every subscriber of the step is connected and stops after its window, so connecting 10,000
    // sockets (each subscription takes its snapshot from the gateway's cache) does not compete with the feed.
    // 3. with `fanoutUnderIngest`, the gateway target's condition: the same feed while ingest-producer ->
    // enricher -> gateway carries `ingestRate` synthetic events/s of other symbols (the gateway's
    // consumer reads, filters and fans out both; the subscribers follow the feed's symbols).
    const symbols = stepSymbols('F', FANOUT_SYMBOLS);
    const fanoutStep = async (subscribers: number, ingestRate?: number): Promise<void> => {
      const sockets = Array.from({ length: subscribers }, (_, i) => [symbols[i % FANOUT_SYMBOLS] as string]);
      let feeder: EnrichedFeeder | null = null;
      let ingest: RunningService | null = null;
      try {
        steps.push(
          await measure(
            'fanout',
            FANOUT_RATE,
            sockets,
            async () => {
              if (ingestRate !== undefined)
                ingest = await startIngest(
                  ingestRate,
                  stepSymbols('G', options.e2eSymbols ?? E2E_SYMBOLS),
                  (options.warmupMs + options.windowMs) / 1_000 + 30,
                );
              feeder = await EnrichedFeeder.start(kafka, symbols, FANOUT_RATE);
              return ingest;
            },
            ingestRate,
          ),
        );
      } finally {
        const used = feeder as EnrichedFeeder | null;
        if (used?.error) errors.push(`enriched feeder: ${used.error.message}`);
        await used?.stop();
        await stopIngest(ingest);
      }
    };
    for (const subscribers of options.fanout) await fanoutStep(subscribers);
    if (options.fanoutUnderIngest)
      await fanoutStep(options.fanoutUnderIngest.subscribers, options.fanoutUnderIngest.ingestRate);
  } finally {
    await tap?.stop();
    const lastEnricherPeak = peakRssMiB(enricher?.child.pid);
    servicePeaks = {
      enricher: enricherPeak === null ? lastEnricherPeak : Math.max(enricherPeak, lastEnricherPeak ?? 0),
      gateway: peakRssMiB(gateway?.child.pid),
    };
    if (gateway) await stopService(gateway);
    if (enricher) await stopService(enricher);
    await admin.disconnect();
  }
  const e2e = steps.filter((s) => isDefaultE2e(s) && s.latency);
  const passing = e2e.filter((s) => (s.latency?.p99 ?? Infinity) < E2E_P99_TARGET_MS).map((s) => s.inputRate);
  const highestTried = Math.max(0, ...e2e.map((s) => s.inputRate));
  const maxRate = passing.length ? Math.max(...passing) : null;
  return {
    steps,
    defaultMaxTaskIdleMs,
    maxRate: { rate: maxRate, atLeast: maxRate !== null && maxRate === highestTried },
    peakRssMiB: { ...servicePeaks, ingest: ingestPeak },
    kafkaEndToEnd,
    errors,
  };
}

/**
 * Waits until the enricher's group has committed the end of the raw topics it reads.
 *
 * @returns false after `timeoutMs` with records still behind.
 */
async function waitForEnricherDrain(admin: BenchAdmin, timeoutMs: number): Promise<boolean> {
  const topics = [TOPICS.trades, TOPICS.quotes];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { ends } = await topicEnds(admin, topics);
    const committed = await admin.fetchOffsets({ groupId: 'enricher', topics });
    const behind = committed.some(({ topic, partitions }) =>
      partitions.some(
        ({ partition, offset }) => (ends.get(`${topic}[${partition}]`) ?? 0) > Math.max(0, Number(offset)),
      ),
    );
    if (!behind) return true;
    await sleep(1_000);
  }
  return false;
}

/** `p50/p99` of a hop, for the log. */
export function hopText(summary: LatencySummary | null | undefined): string {
  return summary ? `${summary.p50.toFixed(1)}/${summary.p99.toFixed(1)}` : '–';
}

/**
 * Latencies of a window's sampled frames, joined with the tap by raw event id: receive time minus the
 * raw record's publish time (headline), minus its ingestTime, and per hop. Waits up to 10 s for the
 * tap (Kafka consumers like the gateway's) to have seen every sampled id on both topics.
 */
async function joinLatencies(
  window: PoolWindow,
  tap: PipelineTap,
): Promise<Pick<LiveStep, 'latency' | 'fromIngestTime' | 'hops' | 'unmatched'>> {
  const complete = (id: string): boolean => {
    const event = tap.event(id);
    return (
      event?.publishedAt !== undefined && event.enrichedAt !== undefined && event.ingestTime !== undefined
    );
  };
  const deadline = Date.now() + 10_000;
  while (window.sampledIds.some((id) => !complete(id)) && Date.now() < deadline) await sleep(250);
  const fromPublish = new SampleBuffer();
  const fromIngest = new SampleBuffer();
  const ingestToPublish = new SampleBuffer();
  const publishToEnriched = new SampleBuffer();
  const enrichedToDelivered = new SampleBuffer();
  let unmatched = 0;
  window.sampledIds.forEach((id, i) => {
    const event = tap.event(id);
    const at = window.sampledAtMs[i];
    if (
      !event ||
      at === undefined ||
      event.publishedAt === undefined ||
      event.enrichedAt === undefined ||
      event.ingestTime === undefined
    ) {
      unmatched += 1;
      return;
    }
    fromPublish.push(at - event.publishedAt);
    fromIngest.push(at - event.ingestTime);
    ingestToPublish.push(event.publishedAt - event.ingestTime);
    publishToEnriched.push(event.enrichedAt - event.publishedAt);
    enrichedToDelivered.push(at - event.enrichedAt);
  });
  return {
    latency: summariseLatencies(fromPublish.toArray()),
    fromIngestTime: summariseLatencies(fromIngest.toArray()),
    hops: {
      ingestToPublish: summariseLatencies(ingestToPublish.toArray()),
      publishToEnriched: summariseLatencies(publishToEnriched.toArray()),
      enrichedToDelivered: summariseLatencies(enrichedToDelivered.toArray()),
    },
    unmatched,
  };
}
