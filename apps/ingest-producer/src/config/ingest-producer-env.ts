import { ALPACA_CHANNELS, type AlpacaChannel, type Pacing, parsePacing, REALTIME_PACING } from '@tickwire/market-sources';
import { ingestProducerEnvSchema } from '@tickwire/service-kit';
import { z } from 'zod';
import { findMarketDataDir, isMarketDataDir } from './market-data-dir';

/** Where the records come from. */
export const SOURCE_KINDS = ['replay', 'alpaca', 'synthetic'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** What a replay reads: the LOBSTER day, the S&P 500 daily bars, or both (LOBSTER first, then daily). */
export const REPLAY_DATASETS = ['lobster', 'daily', 'all'] as const;
export type ReplayDataset = (typeof REPLAY_DATASETS)[number];

/** LOBSTER quote rows: every orderbook row, only rows where the top of book changed, or none. */
export const REPLAY_QUOTE_MODES = ['all', 'changes', 'none'] as const;

/** Alpaca's default stream: the free IEX feed of Market Data v2. */
export const DEFAULT_ALPACA_URL = 'wss://stream.data.alpaca.markets/v2/iex';

/**
 * kafkajs' idempotent producer keeps per-partition order for at most 5 requests in flight (KIP-98's
 * limit, as in the Java client); more concurrent batches than that could not be ordered.
 */
export const MAX_PUBLISH_IN_FLIGHT = 5;

/**
 * Upper bound of PUBLISH_BATCH_MAX_BYTES: below Kafka's default `message.max.bytes` (1,048,588), since
 * kafkajs sends each partition's share of a batch as one record batch, which the broker refuses above it.
 */
export const MAX_PUBLISH_BATCH_BYTES = 1_000_000;

const SYMBOL = /^[A-Z][A-Z0-9.-]{0,15}$/;

const symbolListField = z
  .string()
  .transform((raw) => raw.split(',').map((part) => part.trim().toUpperCase()).filter((part) => part.length > 0))
  .refine((symbols) => symbols.length > 0, { message: 'must list at least one symbol' })
  .refine((symbols) => symbols.every((symbol) => symbol === '*' || SYMBOL.test(symbol)), {
    message: 'must be a comma-separated list of ticker symbols such as AAPL,AMZN,GOOG (or *)',
  });

const positiveIntField = (what: string, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: `must be ${what}` })
    .int({ error: `must be an integer (${what})` })
    .min(1, { error: `must be at least 1 (${what})` })
    .max(max, { error: `must be at most ${max} (${what})` });

const pacingField = z.string().transform((raw, ctx): Pacing => {
  try {
    return parsePacing(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be realtime, max or a speed multiple such as x10' });
    return z.NEVER;
  }
});

const channelListField = z
  .string()
  // Case-insensitive, to the protocol's spelling (`dailybars` -> `dailyBars`).
  .transform((raw) =>
    raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0)
      .map((part) => ALPACA_CHANNELS.find((channel) => channel.toLowerCase() === part.toLowerCase()) ?? part),
  )
  .refine((channels) => channels.length > 0 && channels.every((channel) => (ALPACA_CHANNELS as readonly string[]).includes(channel)), {
    message: `must be a comma-separated subset of ${ALPACA_CHANNELS.join(', ')}`,
  })
  .transform((channels) => [...new Set(channels)] as AlpacaChannel[]);

/** `SYNTHETIC_SYMBOLS`: a count (`10` -> SYN0001..SYN0010) or a symbol list. */
const syntheticSymbolsField = z.string().transform((raw, ctx): number | string[] => {
  const text = raw.trim();
  if (/^\d+$/.test(text)) {
    const count = Number(text);
    if (count >= 1 && count <= 10_000) return count;
  } else {
    const parsed = symbolListField.safeParse(text);
    if (parsed.success && !parsed.data.includes('*')) return parsed.data;
  }
  ctx.addIssue({ code: 'custom', message: 'must be a symbol count 1..10000 or a comma-separated list of symbols' });
  return z.NEVER;
});

/**
 * Environment of ingest-producer: service-kit's shared variables (SERVICE_NAME, LOG_LEVEL, HTTP_PORT,
 * SHUTDOWN_TIMEOUT_MS, KAFKA_*) plus the source and publishing settings below. Every variable is
 * validated at start-up; a bad value stops the service with a message naming the variable.
 *
 * Source: `SOURCE` = replay | alpaca | synthetic.
 * - replay: `REPLAY_DATASET` (lobster | daily | all), `REPLAY_SPEED` (realtime | x<N> | max),
 *   `REPLAY_QUOTES` (LOBSTER quote rows: all | changes | none), `REPLAY_SYMBOLS` (LOBSTER symbols),
 *   `REPLAY_LIMIT` (stop after N source records), `MARKET_DATA_DIR` (default: the repository's data/market).
 * - alpaca: `ALPACA_URL`, `ALPACA_KEY`, `ALPACA_SECRET` (both required then), `ALPACA_SYMBOLS`, `ALPACA_CHANNELS`.
 * - synthetic: `SYNTHETIC_SYMBOLS`, `SYNTHETIC_RATE` (records per second of event time), `SYNTHETIC_SEED`,
 *   `SYNTHETIC_LIMIT`; paced by `REPLAY_SPEED` like a replay.
 * Publishing: `PUBLISH_BATCH_SIZE` (records per sendBatch), `PUBLISH_BATCH_MAX_BYTES` (bytes per sendBatch,
 * at most 1,000,000), `PUBLISH_LINGER_MS` (longest wait to fill a batch), `PUBLISH_MAX_IN_FLIGHT` (unacknowledged batches, 1..5),
 * `PUBLISH_RETRY_TIMEOUT_MS` (how long a failed batch is sent again, e.g. through a broker restart; default 5 min), `TOPIC_PREFIX` (prepended to every topic,
 * for isolated runs such as integration tests; empty in production).
 */
export const ingestProducerAppEnvSchema = ingestProducerEnvSchema
  .safeExtend({
    SOURCE: z.enum(SOURCE_KINDS, { error: `must be one of ${SOURCE_KINDS.join(', ')}` }).default('replay'),
    REPLAY_DATASET: z.enum(REPLAY_DATASETS, { error: `must be one of ${REPLAY_DATASETS.join(', ')}` }).default('lobster'),
    REPLAY_SPEED: pacingField.default(REALTIME_PACING),
    REPLAY_QUOTES: z.enum(REPLAY_QUOTE_MODES, { error: `must be one of ${REPLAY_QUOTE_MODES.join(', ')}` }).default('all'),
    REPLAY_SYMBOLS: symbolListField.optional(),
    REPLAY_LIMIT: positiveIntField('a number of records').optional(),
    MARKET_DATA_DIR: z.string().min(1, { error: 'must be a directory path' }).optional(),
    ALPACA_URL: z.url({ protocol: /^wss?$/, error: 'must be a ws:// or wss:// URL' }).default(DEFAULT_ALPACA_URL),
    ALPACA_KEY: z.string().min(1, { error: 'must not be empty' }).optional(),
    ALPACA_SECRET: z.string().min(1, { error: 'must not be empty' }).optional(),
    ALPACA_SYMBOLS: symbolListField.default(['AAPL', 'AMZN', 'GOOG']),
    ALPACA_CHANNELS: channelListField.default(['trades', 'quotes']),
    SYNTHETIC_SYMBOLS: syntheticSymbolsField.default(10),
    SYNTHETIC_RATE: positiveIntField('records per second', 10_000_000).default(10_000),
    SYNTHETIC_SEED: z.coerce.number({ error: 'must be an integer seed' }).int({ error: 'must be an integer seed' }).default(1),
    SYNTHETIC_LIMIT: positiveIntField('a number of records').optional(),
    PUBLISH_BATCH_SIZE: positiveIntField('records per batch', 100_000).default(1_000),
    PUBLISH_BATCH_MAX_BYTES: positiveIntField('bytes per batch', MAX_PUBLISH_BATCH_BYTES).min(1024, { error: 'must be at least 1024 (bytes per batch)' }).default(512 * 1024),
    PUBLISH_LINGER_MS: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int({ error: 'must be an integer number of milliseconds' })
      .min(0, { error: 'must be 0 or more milliseconds' })
      .max(60_000, { error: 'must be at most 60000 ms' })
      // 0: a record leaves as soon as the in-flight slot is free (under load the buffer fills while a
      // batch is in flight, so batches still grow); a linger only adds latency to a live feed (issue 14).
      .default(0),
    PUBLISH_MAX_IN_FLIGHT: positiveIntField('batches in flight', MAX_PUBLISH_IN_FLIGHT).default(1),
    PUBLISH_RETRY_TIMEOUT_MS: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int({ error: 'must be an integer number of milliseconds' })
      .min(0, { error: 'must be 0 or more milliseconds' })
      .default(300_000),
    TOPIC_PREFIX: z
      .string()
      .regex(/^([A-Za-z0-9_-][A-Za-z0-9._-]*\.)?$/, { error: 'must be empty or a Kafka topic prefix ending with a dot, e.g. it-123.' })
      .default(''),
  })
  .superRefine((env, ctx) => {
    if (env.SOURCE === 'alpaca') {
      for (const name of ['ALPACA_KEY', 'ALPACA_SECRET'] as const) {
        if (env[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when SOURCE=alpaca' });
      }
    }
    if (env.SOURCE !== 'replay') return;
    if (env.MARKET_DATA_DIR !== undefined && !isMarketDataDir(env.MARKET_DATA_DIR)) {
      ctx.addIssue({ code: 'custom', path: ['MARKET_DATA_DIR'], message: 'must be a directory holding lobster/ or daily/ (the repository data/market)' });
    } else if (env.MARKET_DATA_DIR === undefined && findMarketDataDir() === undefined) {
      ctx.addIssue({ code: 'custom', path: ['MARKET_DATA_DIR'], message: 'is required: data/market was not found above the app or the working directory' });
    }
  });

/** The validated configuration of ingest-producer. */
export type IngestProducerConfig = z.output<typeof ingestProducerAppEnvSchema>;

/**
 * The market data directory of a replay: MARKET_DATA_DIR, else the repository's data/market found by
 * {@link findMarketDataDir}.
 * @throws Error when neither exists (the env schema already refuses that configuration for SOURCE=replay).
 */
export function resolveMarketDataDir(config: Pick<IngestProducerConfig, 'MARKET_DATA_DIR'>): string {
  const dir = config.MARKET_DATA_DIR ?? findMarketDataDir();
  if (dir === undefined) throw new Error('MARKET_DATA_DIR is not set and data/market was not found');
  return dir;
}
