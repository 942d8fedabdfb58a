import { AMENDMENT_TOPICS, CUSTOMER_TOPICS, RAW_TOPICS, TOPICS, type TopicName } from '@tickwire/contracts';
import { createLocalKafka, ensureLocalStack, type LocalStack } from '@tickwire/testing';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gatherEventOrderEvidence, type EventOrderEvidence } from './event-order-evidence';
import { resetPipeline } from './pipeline-reset';
import { scrapeMetrics, type MetricFamilies } from './prometheus-scrape';
import {
  getJson,
  killService,
  runRepoTool,
  SERVICE_NAMES,
  startService,
  stopService,
  type RunningService,
  type ServiceName,
  type StopOutcome,
} from './service-processes';
import { countSinks, type SinkCounts } from './sink-counts';

/** What the replay publishes: the LOBSTER day, the S&P 500 daily bars, or both. */
export type ReplayDataset = 'lobster' | 'daily' | 'all';

/** `GET /v1/ingest/status` of ingest-producer. */
export interface IngestStatus {
  readonly source: string;
  readonly state: 'starting' | 'running' | 'completed' | 'failed';
  readonly published: Readonly<Record<string, number>>;
  readonly deadLettered: Readonly<Record<string, number>>;
  readonly rejected?: number;
  readonly error?: string;
}

/** Options of {@link PipelineRun.start}. */
export interface PipelineRunOptions {
  readonly dataset: ReplayDataset;
  /** `max` (as fast as possible), `realtime`, or a multiple such as `x10`. */
  readonly speed: string;
  /** Delete topics, indices, archive objects and symbol-state first, so counts reconcile (default true). */
  readonly reset?: boolean;
  /** Extra environment per service (e.g. shorter archive buffering for a run that must finish). */
  readonly serviceEnv?: Partial<Record<ServiceName, Readonly<Record<string, string>>>>;
  readonly log?: (line: string) => void;
  /**
   * Runs once every other service is ready and before ingest-producer starts the replay (e.g. a
   * customer subscribing before the first event). A throw fails the start (services stopped).
   */
  readonly beforeIngest?: (run: PipelineRun) => Promise<void>;
}

/** The raw topics ingest-producer writes and the archiver and enricher read. */
export const RAW_INPUT_TOPICS: readonly TopicName[] = [TOPICS.trades, TOPICS.quotes, TOPICS.barsDaily];
/** The topics the enricher writes and the indexer reads. */
export const ENRICHED_OUTPUT_TOPICS: readonly TopicName[] = [TOPICS.enriched, TOPICS.bars1m, TOPICS.alerts];

/** Everything measured after a run, for the summary table and the end-to-end tests. */
export interface PipelineTotals {
  readonly ingest: IngestStatus;
  /** Records each service counted as produced / consumed / dead-lettered, per topic (its /metrics). */
  readonly metrics: Readonly<Record<ServiceName, MetricFamilies>>;
  readonly sinks: SinkCounts;
  /** Issue 12's invariants read back from the topics and OpenSearch: event-time order, no look-ahead. */
  readonly order: EventOrderEvidence;
}

const METRIC = {
  consumed: 'tickwire_records_consumed_total',
  produced: 'tickwire_records_produced_total',
  dlq: 'tickwire_dlq_records_total',
  late: 'tickwire_late_records_total',
} as const;

/**
 * One run of the whole pipeline on the local stack: stack up and provisioned, optional reset,
 * reference data loaded into DynamoDB, the five services started as processes (consumers first,
 * ingest-producer last), the replay, and the wait until every sink has caught up.
 */
export class PipelineRun {
  private constructor(
    readonly stack: LocalStack,
    private readonly running: Map<ServiceName, RunningService>,
    readonly logDir: string,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Brings everything up and starts the replay.
   *
   * @throws Error when the stack, the reference-data load or a service fails to start (with its log tail).
   */
  static async start(options: PipelineRunOptions): Promise<PipelineRun> {
    const log = options.log ?? (() => undefined);
    log('local stack: starting (or reusing) Kafka, OpenSearch, DynamoDB Local, S3Mock');
    const stack = await ensureLocalStack({ log: (line) => log(`  ${line}`) });
    if (options.reset ?? true) {
      log('pipeline: resetting topics, indices, archive and symbol-state');
      await resetPipeline(stack.config, (line) => log(`  ${line}`));
    }
    log('reference data: loading daily bars into DynamoDB');
    await runRepoTool(['libs/reference-data/src/cli.ts', 'load'], stack.env, log);

    const logDir = join(stack.config.stackDir, 'services');
    const services = new Map<ServiceName, RunningService>();
    const run = new PipelineRun(stack, services, logDir, log);
    try {
      for (const name of SERVICE_NAMES) {
        const env = {
          ...stack.env,
          ...(name === 'ingest-producer'
            ? { SOURCE: 'replay', REPLAY_DATASET: options.dataset, REPLAY_SPEED: options.speed }
            : {}),
          ...options.serviceEnv?.[name],
        };
        if (name === 'ingest-producer') await options.beforeIngest?.(run);
        log(`service: starting ${name}`);
        services.set(name, await startService(name, { env, logDir }));
      }
    } catch (error) {
      await run.stop();
      throw error;
    }
    return run;
  }

  /** The services started, by name (the current process of each, after {@link restartService}). */
  get services(): ReadonlyMap<ServiceName, RunningService> {
    return this.running;
  }

  /** The running service `name`. @throws Error when it was not started. */
  service(name: ServiceName): RunningService {
    const service = this.running.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service;
  }

  /**
   * Sends `signal` to service `name` (default SIGKILL: a crash) and waits until it exited. It stays
   * registered, so {@link waitForIngest} / {@link waitForSinks} fail until it is started again with
   * {@link restartService}.
   *
   * @throws Error when it was not started or does not exit within 30 s
   */
  killService(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<StopOutcome> {
    return killService(this.service(name), signal);
  }

  /**
   * Starts service `name` again with the environment of its first start (after it was killed or
   * stopped) and waits until it is ready.
   *
   * @returns the new process
   * @throws Error when it is still running, or fails to start (with its log tail)
   */
  async restartService(name: ServiceName): Promise<RunningService> {
    const previous = this.service(name);
    if (previous.child.exitCode === null && previous.child.signalCode === null) {
      throw new Error(`${name} is still running (pid ${previous.child.pid})`);
    }
    const service = await startService(name, { env: previous.env ?? this.stack.env, logDir: this.logDir });
    this.running.set(name, service);
    return service;
  }

  /**
   * Records not yet committed by each consuming service's group (see {@link waitForSinks} for how
   * transactional topics are counted).
   */
  async consumerLag(admin?: KafkaAdmin): Promise<ConsumerLag> {
    const own = admin ?? createLocalKafka('tickwire-main-job-lag', this.stack.config).admin();
    if (!admin) await own.connect();
    try {
      return {
        enricher: await groupLag(own, 'enricher', [...RAW_INPUT_TOPICS, ...AMENDMENT_TOPICS], 0),
        'firehose-archiver': await groupLag(own, 'firehose-archiver', RAW_TOPICS, 0),
        'opensearch-indexer': await groupLag(own, 'opensearch-indexer', ENRICHED_OUTPUT_TOPICS, 1),
      };
    } finally {
      if (!admin) await own.disconnect();
    }
  }

  /**
   * Creates an API key for a demo customer entitled to `channels` (default: every channel) and every
   * symbol (the gateway's key CLI), so a person can open the live page or point an Alpaca SDK at
   * `/v2/tickwire`, or a test can subscribe.
   *
   * @returns the key and its Alpaca key id and secret (shown once; only hashes are stored).
   * @throws Error when the CLI fails.
   */
  async createDemoKey(
    channels: readonly string[] = ['trades', 'quotes', 'enriched', 'bars', 'alerts', 'corrections', 'statuses'],
  ): Promise<{ key: string; alpacaKeyId: string; alpacaSecret: string }> {
    const out = await runRepoTool(
      ['apps/consumer-gateway/src/cli/keys.ts', 'create', '--customer', 'demo', '--channels', channels.join(','), '--symbols', '*', '--json'],
      this.stack.env,
      () => undefined,
    );
    const line = out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
    const created = line ? (JSON.parse(line) as { key?: string; alpacaKeyId?: string; alpacaSecret?: string }) : {};
    if (!created.key || !created.alpacaKeyId || !created.alpacaSecret) throw new Error(`the key CLI printed no key: ${out}`);
    return { key: created.key, alpacaKeyId: created.alpacaKeyId, alpacaSecret: created.alpacaSecret };
  }

  /** ingest-producer's replay status. */
  ingestStatus(): Promise<IngestStatus> {
    return getJson<IngestStatus>(this.service('ingest-producer'), '/v1/ingest/status');
  }

  /**
   * Polls the replay until it completed, calling `onProgress` with the records published so far.
   *
   * @throws Error when the replay failed or a service died.
   */
  async waitForIngest(onProgress: (published: number, status: IngestStatus) => void = () => undefined): Promise<IngestStatus> {
    for (;;) {
      this.assertAlive();
      const status = await this.ingestStatus();
      onProgress(sumValues(status.published), status);
      if (status.state === 'completed') return status;
      if (status.state === 'failed') throw new Error(`replay failed: ${status.error ?? 'unknown error'}`);
      await sleep(500);
    }
  }

  /**
   * Waits until every sink has handled everything upstream produced, judged by committed consumer
   * offsets (services commit only after a record is durably handled):
   * - the enricher's and the archiver's groups have committed up to the end of every raw topic
   *   partition (the enricher commits its offsets in the same transaction as its outputs);
   * - the indexer's group has committed up to the end of every enricher output partition, where the
   *   last offset of a partition is the enricher's transaction commit marker (not a record);
   * - the enricher's output did not grow for `quietMs` (default 8 s; its last bars close when its input
   *   has been idle for BAR_IDLE_FLUSH_MS, 5 s by default);
   * - the source is done: `ingestDone` of ingest-producer's status (default: the replay `completed`; a
   *   live source such as Alpaca never completes, so a test says when it has published everything).
   *
   * @throws Error after `timeoutMs` with the lag of each group.
   */
  async waitForSinks(
    options: { timeoutMs?: number; quietMs?: number; ingestDone?: (status: IngestStatus) => boolean } = {},
  ): Promise<void> {
    const ingestDone = options.ingestDone ?? ((status: IngestStatus) => status.state === 'completed');
    const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
    const quietMs = options.quietMs ?? 8_000;
    const admin = createLocalKafka('tickwire-main-job-catch-up', this.stack.config).admin();
    await admin.connect();
    try {
      let lastOutputEnd = -1;
      let quietSince = Date.now();
      for (;;) {
        this.assertAlive();
        const ingest = await this.ingestStatus();
        // Transactional topics end with a commit marker: a consumer that handled everything has
        // committed the marker's offset (end - 1) or the end.
        const lag = await this.consumerLag(admin);
        const enricher = lag.enricher;
        const archiver = lag['firehose-archiver'];
        const indexer = lag['opensearch-indexer'];
        const outputEnd = await endOffsetSum(admin, CUSTOMER_TOPICS);
        if (outputEnd !== lastOutputEnd) {
          lastOutputEnd = outputEnd;
          quietSince = Date.now();
        }
        const caughtUp =
          ingestDone(ingest) && enricher === 0 && archiver === 0 && indexer === 0 && Date.now() - quietSince >= quietMs;
        if (caughtUp) return;
        if (Date.now() > deadline) {
          throw new Error(
            `sinks did not catch up within the timeout: replay ${ingest.state}, records behind: enricher ${enricher}, ` +
              `firehose-archiver ${archiver}, opensearch-indexer ${indexer}`,
          );
        }
        await sleep(1_000);
      }
    } finally {
      await admin.disconnect();
    }
  }

  /** Every service's metrics, the replay status, the counts at the sinks and issue 12's order and look-ahead checks. */
  async totals(): Promise<PipelineTotals> {
    const [ingest, metrics, sinks, order] = await Promise.all([
      this.ingestStatus(),
      this.scrapeAll(),
      countSinks(this.stack.config),
      gatherEventOrderEvidence(this.stack.config),
    ]);
    return { ingest, metrics, sinks, order };
  }

  /** SIGTERM every service (producer first, so consumers drain), in parallel per stage. */
  async stop(): Promise<StopOutcome[]> {
    const order: ServiceName[] = ['ingest-producer', 'enricher', 'opensearch-indexer', 'firehose-archiver', 'consumer-gateway'];
    const outcomes: StopOutcome[] = [];
    for (const name of order) {
      const service = this.running.get(name);
      if (service) outcomes.push(await stopService(service));
    }
    return outcomes;
  }

  private async scrapeAll(): Promise<Record<ServiceName, MetricFamilies>> {
    const entries = await Promise.all(
      [...this.running.values()].map(async (s) => [s.name, await scrapeMetrics(s.baseUrl)] as const),
    );
    return Object.fromEntries(entries) as Record<ServiceName, MetricFamilies>;
  }

  private assertAlive(): void {
    for (const service of this.running.values()) {
      if (service.child.exitCode !== null || service.child.signalCode !== null) {
        throw new Error(`${service.name} exited (${service.child.exitCode ?? service.child.signalCode}); see ${service.logFile}`);
      }
    }
  }
}

/** A kafkajs admin client of the local stack. */
export type KafkaAdmin = ReturnType<ReturnType<typeof createLocalKafka>['admin']>;

/** Uncommitted records per consuming service's group (consumer-gateway commits nothing). */
export type ConsumerLag = Readonly<Record<'enricher' | 'firehose-archiver' | 'opensearch-indexer', number>>;

/**
 * Records of `topics` that consumer group `groupId` has not committed yet, summed over partitions;
 * `tolerance` offsets per partition are ignored (1 for transactional topics, whose last offset is a
 * commit marker). A group that has committed nothing yet counts every record.
 */
async function groupLag(admin: KafkaAdmin, groupId: string, topics: readonly string[], tolerance: number): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  let lag = 0;
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((t) => t.topic === topic)?.partitions ?? [];
    for (const { partition, high, low } of ends) {
      const offset = Number(mine.find((p) => p.partition === partition)?.offset ?? '-1');
      const from = offset < 0 ? Number(low) : offset;
      const behind = Number(high) - from;
      if (behind > tolerance) lag += behind;
    }
  }
  return lag;
}

/** Sum of the end offsets of `topics`: grows whenever anything is written to them. */
async function endOffsetSum(admin: KafkaAdmin, topics: readonly string[]): Promise<number> {
  let sum = 0;
  for (const topic of topics) for (const { high } of await admin.fetchTopicOffsets(topic)) sum += Number(high);
  return sum;
}

/** Sum of an object's numeric values. */
export function sumValues(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export { METRIC };
