import type { ServiceName } from '../main-job/service-processes';

/** A consuming service the suite kills (the gateway holds no pipeline state; the producer is the input). */
export type KilledService = Extract<ServiceName, 'enricher' | 'opensearch-indexer' | 'firehose-archiver'>;

/** One fault. Durations in ms. */
export type Fault =
  /** SIGKILL a service, wait `downMs`, start it again with the same environment. */
  | { readonly kind: 'service-kill'; readonly service: KilledService; readonly downMs: number }
  /** SIGKILL the Kafka broker (a crash: no log flush), wait `downMs`, start it again. */
  | { readonly kind: 'broker-kill'; readonly downMs: number }
  /** SIGSTOP the broker for `pauseMs` (longer than the consumers' 30 s session timeout), then SIGCONT. */
  | { readonly kind: 'broker-pause'; readonly pauseMs: number }
  /** Clean stop of a sink server (SIGTERM), `downMs` unavailable, then start it again. */
  | { readonly kind: 'server-stop'; readonly server: 'opensearch' | 's3' | 'dynamodb'; readonly downMs: number }
  /** Write the poison records (see poison-records.ts) straight to the raw topics. */
  | { readonly kind: 'poison' }
  /**
   * Rebalance storm of the archiver (issue 17): two more firehose-archiver processes join its group
   * (session timeout 6 s) and leave again, one is SIGSTOPped past its session timeout and SIGCONTed (a
   * zombie with buffers), the pipeline's own archiver is SIGKILLed and restarted: `changes` membership
   * changes in all, each a rebalance.
   */
  | { readonly kind: 'archiver-storm'; readonly changes: number };

/** A fault and when it is due: once this fraction of the expected raw records has been published. */
export interface ScheduledFault {
  readonly atFraction: number;
  readonly fault: Fault;
}

/** A fault-injection run: which slice of the LOBSTER day, how fast, and the faults. */
export interface ChaosProfile {
  readonly name: 'full' | 'short';
  /** LOBSTER symbols replayed (REPLAY_SYMBOLS). */
  readonly symbols: readonly string[];
  /** ingest-producer's REPLAY_SPEED, e.g. `x60` (event time runs 60 times faster than the wall clock). */
  readonly speed: string;
  /** In ascending `atFraction`; a fault starts only after the previous one recovered (or gave up). */
  readonly faults: readonly ScheduledFault[];
  /**
   * Longest wait for the consumer lag to come back after a fault (then the next fault starts anyway; a
   * slow catch-up is reported, not failed: the final wait for every sink decides).
   */
  readonly recoveryTimeoutMs: number;
}

/**
 * The full profile (`npm run chaos`): the whole LOBSTER day (283,581 records) at 60x real time
 * (6.5 min of replay), the faults of issue 6 spread over it: the enricher SIGKILLed three times, the
 * indexer and the archiver once each; the broker SIGKILLed and, later, SIGSTOPped for 40 s (longer
 * than the 30 s consumer session timeout of libs/kafka and the archiver); OpenSearch, S3Mock and
 * DynamoDB Local each stopped for 20 s; poison records three times; and (issue 17) a rebalance storm
 * of the archiver: 10 membership changes of three instances, one SIGKILLed, one a SIGSTOP zombie.
 */
export const FULL_PROFILE: ChaosProfile = {
  name: 'full',
  symbols: ['AAPL', 'AMZN', 'GOOG'],
  speed: 'x60',
  recoveryTimeoutMs: 180_000,
  faults: [
    { atFraction: 0.04, fault: { kind: 'poison' } },
    { atFraction: 0.07, fault: { kind: 'service-kill', service: 'enricher', downMs: 2_000 } },
    { atFraction: 0.13, fault: { kind: 'service-kill', service: 'opensearch-indexer', downMs: 2_000 } },
    { atFraction: 0.19, fault: { kind: 'server-stop', server: 'opensearch', downMs: 20_000 } },
    { atFraction: 0.27, fault: { kind: 'broker-kill', downMs: 5_000 } },
    { atFraction: 0.35, fault: { kind: 'service-kill', service: 'enricher', downMs: 2_000 } },
    { atFraction: 0.41, fault: { kind: 'poison' } },
    { atFraction: 0.46, fault: { kind: 'server-stop', server: 's3', downMs: 20_000 } },
    { atFraction: 0.53, fault: { kind: 'broker-pause', pauseMs: 40_000 } },
    { atFraction: 0.58, fault: { kind: 'archiver-storm', changes: 10 } },
    { atFraction: 0.63, fault: { kind: 'service-kill', service: 'firehose-archiver', downMs: 2_000 } },
    { atFraction: 0.69, fault: { kind: 'server-stop', server: 'dynamodb', downMs: 20_000 } },
    { atFraction: 0.77, fault: { kind: 'service-kill', service: 'enricher', downMs: 2_000 } },
    { atFraction: 0.84, fault: { kind: 'poison' } },
  ],
};

/**
 * The short profile (`npm test`, the `chaos:e2e` target): GOOG's day (61,160 records) at 300x (78 s
 * of replay, ~780 records/s) with the least the issue asks of it: one enricher SIGKILL, one broker
 * SIGKILL, one sink server (S3Mock) stopped and started, and one poison injection; ~2.5 min with the
 * pipeline reset and the services' start on the 2-core dev box.
 */
export const SHORT_PROFILE: ChaosProfile = {
  name: 'short',
  symbols: ['GOOG'],
  speed: 'x300',
  recoveryTimeoutMs: 60_000,
  faults: [
    { atFraction: 0.1, fault: { kind: 'poison' } },
    { atFraction: 0.15, fault: { kind: 'service-kill', service: 'enricher', downMs: 1_000 } },
    { atFraction: 0.3, fault: { kind: 'broker-kill', downMs: 2_000 } },
    { atFraction: 0.5, fault: { kind: 'server-stop', server: 's3', downMs: 8_000 } },
  ],
};

/** The profile named `name`. @throws RangeError for another name. */
export function profileNamed(name: string): ChaosProfile {
  if (name === 'full') return FULL_PROFILE;
  if (name === 'short') return SHORT_PROFILE;
  throw new RangeError(`unknown chaos profile "${name}": full or short`);
}

/** One line naming a fault, for the table: e.g. `SIGKILL enricher (down 2 s)`. */
export function describeFault(fault: Fault): string {
  const secs = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
  switch (fault.kind) {
    case 'service-kill':
      return `SIGKILL ${fault.service} (down ${secs(fault.downMs)})`;
    case 'broker-kill':
      return `SIGKILL Kafka broker (down ${secs(fault.downMs)})`;
    case 'broker-pause':
      return `SIGSTOP Kafka broker ${secs(fault.pauseMs)}, SIGCONT`;
    case 'server-stop':
      return `stop ${SERVER_TITLES[fault.server]} ${secs(fault.downMs)}, start`;
    case 'poison':
      return 'poison records on the raw topics';
    case 'archiver-storm':
      return `firehose-archiver rebalance storm (${fault.changes} membership changes of 3 instances)`;
  }
}

const SERVER_TITLES = { opensearch: 'OpenSearch', s3: 'S3Mock', dynamodb: 'DynamoDB Local' } as const;
