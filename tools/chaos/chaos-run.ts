import { ensureLocalStack, type BadInputCorpus, type StackConfig } from '@tickwire/testing';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PipelineRun, sumValues, type ConsumerLag, type IngestStatus } from '../main-job/pipeline-run';
import { killService, servicePort, startService, stopService, type RunningService } from '../main-job/service-processes';
import { StreamCustomer } from './stream-customer';
import { countLobsterMessages, readLobsterTrades } from '../main-job/testing/raw-market-data';
import { controlServer, waitForServer } from '../stack/stack-control';
import { describeFault, type ChaosProfile, type Fault } from './chaos-profile';
import { FaultSchedule } from './fault-schedule';
import type { InvariantResult } from './invariant-checks';
import { verifyPipeline } from './pipeline-evidence';
import { buildCorpora, injectCorpus, loadCorpusReferences } from './poison-injector';

/** What happened to one injected fault (times in ms). */
export interface FaultOutcome {
  readonly description: string;
  readonly kind: Fault['kind'] | 'service-exit';
  /** Raw records ingest-producer had published when the fault started. */
  readonly publishedAt: number;
  /** Since the replay started. */
  readonly elapsedMs: number;
  /** Until the service was ready / the server answered again (undefined: not applicable). */
  readonly readyMs?: number;
  /**
   * Until the lag of the consumer groups the fault delays ({@link affectedGroups}) was back to its level
   * before the fault or under 1,000 records (undefined: n/a, or not within the profile's recovery timeout).
   */
  readonly caughtUpMs?: number;
  /** The component came back (a fault that could not be injected or undone, or a replay that failed, did not). */
  readonly recovered: boolean;
  readonly note?: string;
}

/** The whole run, as printed and written to chaos/results. */
export interface ChaosResult {
  readonly profile: ChaosProfile['name'];
  readonly speed: string;
  readonly symbols: readonly string[];
  readonly startedAt: string;
  readonly durationMs: number;
  /** From the first published record until every sink caught up. */
  readonly replayMs: number;
  readonly published: number;
  readonly poisonRecords: number;
  readonly faults: readonly FaultOutcome[];
  readonly invariants: readonly InvariantResult[];
  readonly passed: boolean;
}

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  readonly log?: (line: string) => void;
}

/** Lag a group may have and still count as caught up (a fetch or two of a paced replay). */
const LAG_SLACK_RECORDS = 1_000;
const STACK_SERVERS = ['kafka', 'opensearch', 'dynamodb', 's3'] as const;

/**
 * Runs one fault-injection profile end to end: stack up, pipeline reset, reference data (plus the
 * poison corpora's), the five services, the paced LOBSTER replay with the faults injected at their
 * scheduled points (one at a time: each after the previous recovered), then the wait until every sink
 * caught up and the invariants of issues 6 and 12 (pipeline-evidence.ts).
 *
 * A consuming service that exits on its own is restarted (as ECS would) and reported as a fault of its
 * own. Whatever happens, it leaves every stack server running and stops the services.
 *
 * @throws Error only when the run cannot start (stack, services); failed invariants are in the result
 */
export async function runChaos(profile: ChaosProfile, options: ChaosOptions = {}): Promise<ChaosResult> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  let expectedTotal = 0;
  for (const symbol of profile.symbols) expectedTotal += (await readLobsterTrades(symbol)).length + (await countLobsterMessages(symbol));
  const corpora = buildCorpora(profile.faults.filter(({ fault }) => fault.kind === 'poison').length);
  log(`chaos ${profile.name}: ${expectedTotal.toLocaleString('en-US')} LOBSTER records (${profile.symbols.join(', ')}) at ${profile.speed}, ${profile.faults.length} faults`);

  const stack = await ensureLocalStack({ log: (line) => log(`  ${line}`) });
  await loadCorpusReferences(stack.config, corpora);
  let run: PipelineRun | undefined;
  const faults: FaultOutcome[] = [];
  let invariants: InvariantResult[] = [];
  let published = 0;
  let replayStarted = Date.now();
  let replayMs = 0;
  let poisonRecords = 0;
  let unplanned: readonly FaultOutcome[] = [];
  const measuring: Promise<void>[] = [];
  let customer: StreamCustomer | undefined;
  try {
    run = await PipelineRun.start({
      dataset: 'lobster',
      speed: profile.speed,
      reset: true,
      serviceEnv: {
        'ingest-producer': { REPLAY_SYMBOLS: profile.symbols.join(',') },
        // Five-second buffers, so the archive is complete soon after the replay (Firehose's hint, 0-900 s).
        'firehose-archiver': { BUFFER_INTERVAL_SECONDS: '5' },
      },
      log,
      // Issue 14: a customer subscribed before the first event, on the gateway's uncommitted live
      // path through every fault, must get each committed event once and nothing else.
      beforeIngest: async (started) => {
        const { key } = await started.createDemoKey(['enriched', 'bars', 'alerts']);
        const url = `${started.service('consumer-gateway').baseUrl.replace('http', 'ws')}/v1/stream`;
        customer = await StreamCustomer.connect(url, key, profile.symbols);
        log(`customer: subscribed to ${profile.symbols.join(', ')} on ${url}`);
      },
    });
    replayStarted = Date.now();
    const injector = new FaultInjector(run, stack.config, profile, corpora, log, replayStarted);
    const schedule = new FaultSchedule(profile.faults, expectedTotal);
    unplanned = injector.unplanned;
    let status: IngestStatus | undefined;
    for (;;) {
      await injector.supervise();
      status = await run.ingestStatus().catch(() => status);
      published = status ? sumValues(status.published) : published;
      if (status?.state === 'failed') {
        faults.push({ description: `ingest-producer failed: ${status.error ?? 'unknown'}`, kind: 'service-exit', publishedAt: published, elapsedMs: Date.now() - replayStarted, recovered: false });
        break;
      }
      const completed = status?.state === 'completed';
      const due = schedule.takeDue(published, completed);
      if (due) {
        const { outcome, caughtUp } = await injector.inject(due.fault, published);
        if (due.fault.kind === 'poison' && outcome.recovered) poisonRecords += Number(outcome.note?.split(' ')[0] ?? 0);
        log(`fault: ${outcome.description}: ${outcome.recovered ? 'back' : 'NOT back'}${outcome.readyMs !== undefined ? ` after ${(outcome.readyMs / 1000).toFixed(1)} s` : ''}`);
        // The lag is measured in the background: the next fault comes at its scheduled point.
        measuring.push(
          caughtUp.then((caughtUpMs) => {
            if (caughtUpMs !== undefined) log(`fault: ${outcome.description}: lag back after ${(caughtUpMs / 1000).toFixed(1)} s`);
            faults.push({
              ...outcome,
              ...(caughtUpMs !== undefined ? { caughtUpMs } : {}),
              ...(caughtUpMs === undefined && outcome.recovered && outcome.kind !== 'poison' ? { note: `lag not back within ${profile.recoveryTimeoutMs / 1000} s` } : {}),
            });
          }),
        );
        continue;
      }
      if (completed && schedule.remaining === 0) break;
      await sleep(250);
    }
    await Promise.all(measuring);
    const replayFailed = status?.state === 'failed';
    log(replayFailed ? 'replay FAILED: waiting until the consumers committed what was published' : 'replay done: waiting until every sink has caught up');
    try {
      await injector.supervise();
      if (replayFailed) await waitForZeroLag(run, 5 * 60_000);
      else await run.waitForSinks({ timeoutMs: 8 * 60_000 });
      replayMs = Date.now() - replayStarted;
      const final = await run.ingestStatus();
      published = sumValues(final.published);
      await customer?.settle();
      invariants = await verifyPipeline({
        config: stack.config,
        symbols: profile.symbols,
        acknowledged: published,
        corpora: corpora.filter((_, i) => injector.injected.has(i)),
        ...(customer ? { customer: { received: customer.received, problems: customer.problems } } : {}),
        log,
      });
    } catch (error) {
      replayMs = Date.now() - replayStarted;
      invariants = [{ name: 'every sink caught up', held: false, detail: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '' }];
    }
    if (replayFailed) {
      invariants.unshift({ name: 'replay completed', held: false, detail: `ingest-producer failed: ${status?.error ?? 'unknown error'}` });
    }
  } finally {
    customer?.close();
    await restoreStack(stack.config, log);
    if (run) await run.stop();
  }
  faults.push(...unplanned);
  faults.sort((a, b) => a.elapsedMs - b.elapsedMs);
  const passed = invariants.length > 0 && invariants.every((i) => i.held) && faults.every((f) => f.recovered);
  return {
    profile: profile.name,
    speed: profile.speed,
    symbols: profile.symbols,
    startedAt,
    durationMs: Date.now() - started,
    replayMs,
    published,
    poisonRecords,
    faults,
    invariants,
    passed,
  };
}

/** Waits until every consuming group has committed everything (after a failed replay). @throws Error after `timeoutMs`. */
async function waitForZeroLag(run: PipelineRun, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let zeroSince: number | undefined;
  while (Date.now() < deadline) {
    const lag = await run.consumerLag().catch(() => undefined);
    const zero = lag !== undefined && Object.values(lag).every((n) => n === 0);
    zeroSince = zero ? (zeroSince ?? Date.now()) : undefined;
    if (zeroSince !== undefined && Date.now() - zeroSince >= 10_000) return;
    await sleep(1_000);
  }
  throw new Error(`consumers did not commit everything within ${timeoutMs / 1000} s`);
}

/** The consumer groups a fault delays first: its own service's, or every group for the broker. */
export function affectedGroups(fault: Fault): readonly (keyof ConsumerLag)[] {
  switch (fault.kind) {
    case 'service-kill':
      return [fault.service];
    case 'archiver-storm':
      return ['firehose-archiver'];
    case 'server-stop':
      return [fault.server === 'opensearch' ? 'opensearch-indexer' : fault.server === 's3' ? 'firehose-archiver' : 'enricher'];
    default:
      return ['enricher', 'opensearch-indexer', 'firehose-archiver'];
  }
}

/** Starts (or resumes) every stack server, so a run leaves the stack healthy whatever happened. Never throws. */
export async function restoreStack(config: StackConfig, log: (line: string) => void): Promise<void> {
  for (const server of STACK_SERVERS) {
    try {
      await controlServer(config, server, 'start', { log: (line) => log(`  ${line}`) });
    } catch (error) {
      log(`stack: could not start ${server}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Injects faults into a running pipeline and measures recovery. */
class FaultInjector {
  /** Indexes of the corpora produced so far. */
  readonly injected = new Set<number>();
  /** Services that exited on their own, restarted by {@link supervise}. */
  readonly unplanned: FaultOutcome[] = [];
  private nextCorpus = 0;

  constructor(
    private readonly run: PipelineRun,
    private readonly config: StackConfig,
    private readonly profile: ChaosProfile,
    private readonly corpora: readonly BadInputCorpus[],
    private readonly log: (line: string) => void,
    private readonly replayStarted: number,
  ) {}

  /**
   * Injects `fault` and brings the component back; `caughtUp` then resolves with the time until the
   * groups it delays caught up (undefined: not applicable, or not within the profile's recovery timeout).
   */
  async inject(fault: Fault, publishedAt: number): Promise<{ outcome: FaultOutcome; caughtUp: Promise<number | undefined> }> {
    const none = Promise.resolve(undefined);
    const description = describeFault(fault);
    const elapsedMs = Date.now() - this.replayStarted;
    this.log(`fault: ${description} at ${publishedAt.toLocaleString('en-US')} records published, ${(elapsedMs / 1000).toFixed(1)} s into the replay`);
    const base = { description, kind: fault.kind, publishedAt, elapsedMs } as const;
    const baseline = await this.lag();
    const t0 = Date.now();
    try {
      switch (fault.kind) {
        case 'poison': {
          const index = this.nextCorpus++;
          const corpus = this.corpora[index];
          if (!corpus) throw new Error('no corpus left');
          const count = await injectCorpus(this.config, corpus);
          this.injected.add(index);
          return { outcome: { ...base, recovered: true, note: `${count} bad records (corpus ${corpus.runId}) + ${corpus.good.length} good` }, caughtUp: none };
        }
        case 'service-kill':
          await this.run.killService(fault.service, 'SIGKILL');
          await sleep(fault.downMs);
          await this.run.restartService(fault.service);
          break;
        case 'broker-kill':
          await controlServer(this.config, 'kafka', 'kill');
          await sleep(fault.downMs);
          await controlServer(this.config, 'kafka', 'start');
          break;
        case 'broker-pause':
          await controlServer(this.config, 'kafka', 'pause');
          await sleep(fault.pauseMs);
          await controlServer(this.config, 'kafka', 'resume');
          await waitForServer(this.config, 'kafka', 120_000);
          break;
        case 'server-stop':
          await controlServer(this.config, fault.server, 'stop');
          await sleep(fault.downMs);
          await controlServer(this.config, fault.server, 'start');
          break;
        case 'archiver-storm': {
          const changes = await archiverStorm(this.run, fault.changes, this.log);
          return {
            outcome: { ...base, readyMs: Date.now() - t0, recovered: true, note: `${changes} membership changes, one SIGKILL, one SIGSTOP zombie` },
            caughtUp: this.waitCaughtUp(affectedGroups(fault), baseline, t0),
          };
        }
      }
    } catch (error) {
      return { outcome: { ...base, recovered: false, note: error instanceof Error ? error.message.split('\n')[0] : String(error) }, caughtUp: none };
    }
    return {
      outcome: { ...base, readyMs: Date.now() - t0, recovered: true },
      caughtUp: this.waitCaughtUp(affectedGroups(fault), baseline, t0),
    };
  }

  /**
   * Restarts a consuming service that exited on its own (as an orchestrator would) and reports it;
   * ingest-producer is never restarted (a new replay would publish everything again).
   */
  async supervise(): Promise<void> {
    const outcomes = this.unplanned;
    for (const [name, service] of this.run.services) {
      const { exitCode, signalCode } = service.child;
      if (exitCode === null && signalCode === null) continue;
      const elapsedMs = Date.now() - this.replayStarted;
      const description = `${name} exited by itself (${exitCode ?? signalCode}), see ${service.logFile}`;
      this.log(`unplanned: ${description}`);
      if (name === 'ingest-producer') {
        outcomes.push({ description, kind: 'service-exit', publishedAt: 0, elapsedMs, recovered: false });
        continue;
      }
      const t0 = Date.now();
      try {
        await this.run.restartService(name);
        outcomes.push({ description, kind: 'service-exit', publishedAt: 0, elapsedMs, readyMs: Date.now() - t0, recovered: true, note: 'restarted' });
      } catch (error) {
        outcomes.push({ description, kind: 'service-exit', publishedAt: 0, elapsedMs, recovered: false, note: String(error).split('\n')[0] });
      }
    }
  }

  private async lag(): Promise<ConsumerLag | undefined> {
    return this.run.consumerLag().catch(() => undefined);
  }

  /** Time from `t0` until the lag of each of `groups` is at most max(its lag before the fault, slack). */
  private async waitCaughtUp(groups: readonly (keyof ConsumerLag)[], baseline: ConsumerLag | undefined, t0: number): Promise<number | undefined> {
    const deadline = t0 + this.profile.recoveryTimeoutMs;
    while (Date.now() < deadline) {
      const lag = await this.lag();
      if (lag) {
        const behind = groups.filter((group) => lag[group] > Math.max(baseline?.[group] ?? 0, LAG_SLACK_RECORDS));
        if (behind.length === 0) return Date.now() - t0;
      }
      await sleep(500);
    }
    return undefined;
  }
}

/** Session timeout of the storm's extra archiver instances: the broker's minimum, so a SIGSTOP outlives it soon. */
const STORM_SESSION_TIMEOUT_MS = 6_000;

/**
 * The archiver's rebalance storm (issue 17): two extra firehose-archiver processes (the pipeline
 * archiver's environment, HTTP ports +100/+101, session timeout 6 s, logs in `services/archiver-storm-<i>`)
 * join its group and leave, one of them SIGSTOPped for its session timeout + 4 s and SIGCONTed (its buffers and
 * interval flush come back after its partitions moved), and the pipeline's archiver is SIGKILLed and
 * restarted; the steps repeat until `changes` membership changes were made. Both extras are stopped
 * with SIGTERM at the end (they finish their flushes). The S3 invariant (checkArchive) then judges it.
 *
 * @returns the membership changes made
 * @throws Error when an instance fails to start or exit (with its log tail)
 */
async function archiverStorm(run: PipelineRun, changes: number, log: (line: string) => void): Promise<number> {
  const main = run.service('firehose-archiver');
  const env = {
    ...(main.env ?? run.stack.env),
    KAFKA_SESSION_TIMEOUT_MS: String(STORM_SESSION_TIMEOUT_MS),
  };
  const extras: (RunningService | undefined)[] = [undefined, undefined];
  let made = 0;
  const start = async (i: number) => {
    extras[i] = await startService('firehose-archiver', {
      env: { ...env, HTTP_PORT: String(servicePort('firehose-archiver') + 100 + i) },
      logDir: join(run.logDir, `archiver-storm-${i}`),
    });
    made += 1;
    log(`  storm: extra archiver ${i} joined (pid ${extras[i]!.child.pid})`);
  };
  const stop = async (i: number) => {
    const outcome = await stopService(extras[i]!);
    extras[i] = undefined;
    made += 1;
    log(`  storm: extra archiver ${i} left (SIGTERM, exit ${outcome.exitCode} after ${outcome.exitMs} ms)`);
  };
  const toggle = (i: number) => (extras[i] ? stop(i) : start(i));
  const steps: (() => Promise<void>)[] = [
    () => toggle(0),
    () => toggle(1),
    () => toggle(0),
    async () => {
      await killService(run.service('firehose-archiver'), 'SIGKILL');
      made += 1;
      log('  storm: SIGKILL firehose-archiver');
      await run.restartService('firehose-archiver');
      made += 1;
      log('  storm: firehose-archiver restarted');
    },
    async () => {
      if (!extras[1]) await start(1);
      const zombie = extras[1]!.child;
      zombie.kill('SIGSTOP');
      log(`  storm: SIGSTOP extra archiver 1 (pid ${zombie.pid})`);
      await sleep(STORM_SESSION_TIMEOUT_MS + 4_000);
      made += 1;
      zombie.kill('SIGCONT');
      made += 1;
      log('  storm: SIGCONT extra archiver 1');
    },
    () => toggle(0),
    () => toggle(1),
  ];
  try {
    for (let step = 0; made < changes; step += 1) {
      await steps[step % steps.length]!();
      await sleep(2_000);
    }
  } finally {
    for (const extra of extras) {
      if (!extra) continue;
      extra.child.kill('SIGCONT');
      await stopService(extra);
      made += 1;
    }
  }
  return made;
}
