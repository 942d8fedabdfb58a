import {
  ENRICHER_STATE_CHANGELOG_TOPIC,
  REFERENCE_DAILY_BARS_TABLE,
  SYMBOL_STATE_TABLE,
} from '@tickwire/resources';
import { enricherEnvSchema } from '@tickwire/service-kit';
import { z } from 'zod';
import type { EnrichmentSettings } from './enrichment-settings';

const nonNegativeMs = (what: string) =>
  z.coerce
    .number({ error: `must be a number of milliseconds (${what})` })
    .int({ error: 'must be an integer number of milliseconds' })
    .min(0, { error: 'must be >= 0' });
const positiveInt = z.coerce
  .number({ error: 'must be a number' })
  .int({ error: 'must be an integer' })
  .positive({ error: 'must be >= 1' });
const positiveNumber = z.coerce.number({ error: 'must be a number' }).positive({ error: 'must be > 0' });
const tableName = z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, { error: 'must be a DynamoDB table name' });

/**
 * The enricher's environment: service-kit's enricher variables (KAFKA_*, DYNAMODB_ENDPOINT, AWS_REGION,
 * HTTP_PORT, LOG_LEVEL, ...) plus the enrichment settings. Durations in ms.
 */
export const enricherSettingsEnvSchema = enricherEnvSchema
  .safeExtend({
    /**
     * Input partitions handled at once per instance (each stays ordered). The enricher's default covers
     * every owned input partition (3 topics x their partitions), so the batches of one fetch reach the
     * pipeline together and share one transaction per task (group commit, see TaskTransactionLanes)
     * instead of one transaction each, in sequence. Default 32.
     */
    KAFKA_PARTITIONS_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1, { error: 'must be at least 1' })
      .max(64)
      .default(32),
    /**
     * Event-time merge of a task's inputs (Kafka Streams' `max.task.idle.ms`, KIP-695, counted per
     * record): while trades or quotes of a task have nothing buffered and are caught up with their
     * partition, each record of the other waits this long after its arrival, then the broker is asked
     * for the idle partition's end offset and the record goes on only if nothing was appended
     * meanwhile (counted in tickwire_enricher_enforced_processing_total); a record of that input which
     * arrives later with an earlier event time than its symbol's last processed event goes to
     * `<topic>.late`. An input that lags (records on the broker not fetched yet) is always waited
     * for; daily bars never hold the others back. Default 100: covers the moment between the
     * partitions' appends of one produce request, so a replay or a live feed through ingest-producer
     * comes out in order; the latency it costs is in the README's benchmark table (default and 0).
     */
    ENRICHER_MAX_TASK_IDLE_MS: nonNegativeMs('ENRICHER_MAX_TASK_IDLE_MS').default(100),
    /**
     * Records buffered per input partition before its fetching pauses (Kafka Streams'
     * `buffered.records.per.partition`); it resumes below half. Default 10000 (~3 MB of raw records).
     */
    ENRICHER_BUFFERED_RECORDS_PER_PARTITION: positiveInt.default(10_000),
    /**
     * How long each task's Kafka transaction stays open before it commits, ms (Kafka Streams'
     * `commit.interval.ms`, whose exactly-once default is 100). Outputs are sent inside the open
     * transaction as soon as they are computed (a read_uncommitted consumer such as the gateway's
     * live path sees them one produce round trip later); the changelog, the input offsets and the
     * commit marker follow at the interval, so read_committed consumers (indexer, archiver, Kafka
     * customers) see outputs up to this long plus one commit later. Smaller: more transactions per
     * second (five broker round trips each); larger: longer replays after a crash. Default 100.
     */
    ENRICHER_COMMIT_INTERVAL_MS: nonNegativeMs('ENRICHER_COMMIT_INTERVAL_MS').default(100),
    /**
     * Bounded out-of-orderness of one symbol's trades: watermark = max event time - this. Default 0.
     * Since the event-time merge, a trade or quote older than its symbol's last event is late whatever
     * this and BAR_ALLOWED_LATENESS_MS say (emitting it would break the feed's order); both only
     * delay when a window closes.
     */
    BAR_MAX_OUT_OF_ORDERNESS_MS: nonNegativeMs('BAR_MAX_OUT_OF_ORDERNESS_MS').default(0),
    /** A 1-minute window stays open this long after the watermark passed its end; later trades go to market.trades.v1.late. Default 0. */
    BAR_ALLOWED_LATENESS_MS: nonNegativeMs('BAR_ALLOWED_LATENESS_MS').default(0),
    /**
     * Processing-time idle flush: when no input record arrived for this long, the input is taken as
     * complete up to the latest event time seen and every symbol's clock advances past the end (+ lateness)
     * of the minute holding it: the last minute of a replay is emitted this long after the last record. A
     * trade of such a minute arriving later is late. 0 disables. Default 5000.
     */
    BAR_IDLE_FLUSH_MS: nonNegativeMs('BAR_IDLE_FLUSH_MS').default(5_000),
    /**
     * Cross-symbol progress: after each batch, every symbol's clock advances to (latest event time of
     * any symbol - this), so a quiet symbol's bar closes while others trade. 0 disables (default):
     * partitions are fetched unevenly, so a small lag would turn another partition's on-time trades late.
     */
    BAR_CROSS_SYMBOL_LAG_MS: nonNegativeMs('BAR_CROSS_SYMBOL_LAG_MS').default(0),
    /** ±band of the change-vs-previous-close alert, percent units. Default 5. */
    ALERT_CHANGE_THRESHOLD_PERCENT: positiveNumber.default(5),
    /** SMA/EMA periods over 1-minute closes, bars. Defaults 5 / 20. */
    MA_FAST_PERIOD: positiveInt.default(5),
    MA_SLOW_PERIOD: positiveInt.default(20),
    /** Which averages raise golden/death-cross alerts: `sma`, `ema` or `sma,ema`. Default sma. */
    MA_CROSS_ALERT_KINDS: z
      .string()
      .regex(/^(sma|ema)(,(sma|ema))?$/, { error: 'must be sma, ema or sma,ema' })
      .default('sma')
      .transform((value) => [...new Set(value.split(','))] as ('sma' | 'ema')[]),
    /** Volume spike: bar volume > k x mean of the previous n bars. Defaults k = 5, n = 20. */
    VOLUME_SPIKE_MULTIPLIER: positiveNumber.default(5),
    VOLUME_SPIKE_LOOKBACK: positiveInt.default(20),
    /**
     * Trades, quotes and daily bars of a symbol without reference daily bars: `dead-letter` (default,
     * UnknownSymbol) or `enrich` (previousClose null; for sources of invented symbols such as synthetic).
     */
    UNKNOWN_SYMBOL_POLICY: z
      .enum(['dead-letter', 'enrich'], { error: 'must be dead-letter or enrich' })
      .default('dead-letter'),
    /**
     * Previous closes from the reference daily bars: `seed` (default: only until the feed delivered a
     * session's official close, the daily bar) or `none` (from the feed only; corporate actions and the
     * symbol universe still from the reference). The main job's `--reference-closes`.
     */
    REFERENCE_CLOSES: z.enum(['seed', 'none'], { error: 'must be seed or none' }).default('seed'),
    REFERENCE_DAILY_BARS_TABLE: tableName.default(REFERENCE_DAILY_BARS_TABLE.tableName),
    SYMBOL_STATE_TABLE: tableName.default(SYMBOL_STATE_TABLE.tableName),
    /**
     * Pacing of the `symbol-state` writes, ms: one write of every changed symbol's latest view starts at
     * most this often, so the table's load is bounded by symbols / interval, not by the event rate
     * (conflation). The table (the gateway's warm-up and REST fallback; live snapshots come from the
     * gateway's own cache) lags the feed by up to this plus one write. 0 = a write as soon as the
     * previous one finished. Default 2000.
     */
    SYMBOL_STATE_WRITE_INTERVAL_MS: nonNegativeMs('SYMBOL_STATE_WRITE_INTERVAL_MS').default(2_000),
    /** Compacted changelog topic of per-symbol state. */
    ENRICHER_CHANGELOG_TOPIC: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,249}$/, { error: 'must be a Kafka topic name' })
      .default(ENRICHER_STATE_CHANGELOG_TOPIC),
  })
  .superRefine((env, ctx) => {
    if (env.MA_FAST_PERIOD >= env.MA_SLOW_PERIOD) {
      ctx.addIssue({
        code: 'custom',
        path: ['MA_FAST_PERIOD'],
        message: `must be < MA_SLOW_PERIOD (${env.MA_SLOW_PERIOD})`,
      });
    }
  });

/** The validated enricher configuration. */
export type EnricherConfig = z.output<typeof enricherSettingsEnvSchema>;

/** The enrichment settings of a configuration. */
export function enrichmentSettingsOf(config: EnricherConfig): EnrichmentSettings {
  return {
    maxOutOfOrdernessMs: config.BAR_MAX_OUT_OF_ORDERNESS_MS,
    allowedLatenessMs: config.BAR_ALLOWED_LATENESS_MS,
    changeThresholdPercent: config.ALERT_CHANGE_THRESHOLD_PERCENT,
    fastPeriod: config.MA_FAST_PERIOD,
    slowPeriod: config.MA_SLOW_PERIOD,
    crossAlertKinds: config.MA_CROSS_ALERT_KINDS,
    volumeSpikeMultiplier: config.VOLUME_SPIKE_MULTIPLIER,
    volumeSpikeLookback: config.VOLUME_SPIKE_LOOKBACK,
    unknownSymbols: config.UNKNOWN_SYMBOL_POLICY,
    referenceCloses: config.REFERENCE_CLOSES,
  };
}
