import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envVarNames, loadServiceConfig, ServiceConfigError } from '@tickwire/service-kit';
import { INGEST_PRODUCER } from '../service-definition';
import { resolveMarketDataDir } from './ingest-producer-env';
import { findMarketDataDir } from './market-data-dir';

const load = (env: NodeJS.ProcessEnv) => loadServiceConfig(INGEST_PRODUCER.name, INGEST_PRODUCER.envSchema, env);

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ServiceConfigError) return error.problems.map(({ variable, reason }) => `${variable} ${reason}`);
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('ingest-producer source and publishing configuration', () => {
  it('defaults to a realtime LOBSTER replay of the repository data, batched one batch in flight', () => {
    const config = load({});
    expect(config).toMatchObject({
      SOURCE: 'replay',
      REPLAY_DATASET: 'lobster',
      REPLAY_SPEED: { mode: 'scaled', speed: 1 },
      REPLAY_QUOTES: 'all',
      ALPACA_URL: 'wss://stream.data.alpaca.markets/v2/iex',
      ALPACA_SYMBOLS: ['AAPL', 'AMZN', 'GOOG'],
      ALPACA_CHANNELS: ['trades', 'quotes'],
      SYNTHETIC_SYMBOLS: 10,
      SYNTHETIC_RATE: 10_000,
      PUBLISH_BATCH_SIZE: 1_000,
      PUBLISH_BATCH_MAX_BYTES: 524_288,
      PUBLISH_LINGER_MS: 0,
      PUBLISH_MAX_IN_FLIGHT: 1,
      TOPIC_PREFIX: '',
    });
    expect(config.MARKET_DATA_DIR).toBeUndefined();
    expect(resolveMarketDataDir(config)).toMatch(/data[/\\]market$/);
  });

  it('parses speeds, lists and numbers', () => {
    const config = load({
      REPLAY_SPEED: 'x25',
      REPLAY_DATASET: 'all',
      REPLAY_SYMBOLS: 'aapl, goog',
      REPLAY_LIMIT: '5000',
      ALPACA_CHANNELS: 'trades,bars,trades',
      SYNTHETIC_SYMBOLS: 'MSFT,IBM',
      PUBLISH_MAX_IN_FLIGHT: '5',
      TOPIC_PREFIX: 'it-1.',
    });
    expect(config).toMatchObject({
      REPLAY_SPEED: { mode: 'scaled', speed: 25 },
      REPLAY_DATASET: 'all',
      REPLAY_SYMBOLS: ['AAPL', 'GOOG'],
      REPLAY_LIMIT: 5000,
      ALPACA_CHANNELS: ['trades', 'bars'],
      SYNTHETIC_SYMBOLS: ['MSFT', 'IBM'],
      PUBLISH_MAX_IN_FLIGHT: 5,
      TOPIC_PREFIX: 'it-1.',
    });
    expect(load({ REPLAY_SPEED: 'max' }).REPLAY_SPEED).toEqual({ mode: 'max' });
    // Channel names are case-insensitive and come out in the protocol's spelling.
    expect(load({ ALPACA_CHANNELS: 'Trades,dailyBars,DAILYBARS,statuses' }).ALPACA_CHANNELS).toEqual(['trades', 'dailyBars', 'statuses']);
  });

  it.each([
    [{ SOURCE: 'kafka' }, 'SOURCE must be one of replay, alpaca, synthetic'],
    [{ REPLAY_DATASET: 'minute' }, 'REPLAY_DATASET must be one of lobster, daily, all'],
    [{ REPLAY_SPEED: 'fast' }, 'REPLAY_SPEED must be realtime, max or a speed multiple such as x10'],
    [{ REPLAY_SPEED: 'x0' }, 'REPLAY_SPEED must be realtime, max or a speed multiple such as x10'],
    [{ REPLAY_LIMIT: '0' }, 'REPLAY_LIMIT must be at least 1 (a number of records)'],
    [{ PUBLISH_MAX_IN_FLIGHT: '6' }, 'PUBLISH_MAX_IN_FLIGHT must be at most 5 (batches in flight)'],
    [{ PUBLISH_BATCH_SIZE: '1.5' }, 'PUBLISH_BATCH_SIZE must be an integer (records per batch)'],
    [{ PUBLISH_BATCH_MAX_BYTES: '2000000' }, 'PUBLISH_BATCH_MAX_BYTES must be at most 1000000 (bytes per batch)'],
    [{ PUBLISH_BATCH_MAX_BYTES: '100' }, 'PUBLISH_BATCH_MAX_BYTES must be at least 1024 (bytes per batch)'],
    [{ PUBLISH_LINGER_MS: '-1' }, 'PUBLISH_LINGER_MS must be 0 or more milliseconds'],
    [{ ALPACA_URL: 'https://stream.data.alpaca.markets/v2/iex' }, 'ALPACA_URL must be a ws:// or wss:// URL'],
    [{ ALPACA_CHANNELS: 'trades,news' }, 'ALPACA_CHANNELS must be a comma-separated subset of trades, quotes, bars, dailyBars, statuses'],
    [{ ALPACA_SYMBOLS: 'AAPL,not a symbol' }, 'ALPACA_SYMBOLS must be a comma-separated list of ticker symbols such as AAPL,AMZN,GOOG (or *)'],
    [{ SYNTHETIC_SYMBOLS: '0' }, 'SYNTHETIC_SYMBOLS must be a symbol count 1..10000 or a comma-separated list of symbols'],
    [{ SYNTHETIC_RATE: 'lots' }, 'SYNTHETIC_RATE must be records per second'],
    [{ TOPIC_PREFIX: 'no-dot' }, 'TOPIC_PREFIX must be empty or a Kafka topic prefix ending with a dot, e.g. it-123.'],
    [{ MARKET_DATA_DIR: '/nonexistent/market' }, 'MARKET_DATA_DIR must be a directory holding lobster/ or daily/ (the repository data/market)'],
  ])('refuses %j, naming the variable', (env, problem) => {
    expect(problemsOf(env)).toEqual([problem]);
  });

  it('requires Alpaca credentials only for SOURCE=alpaca, without echoing them', () => {
    expect(problemsOf({ SOURCE: 'alpaca' })).toEqual(['ALPACA_KEY is required when SOURCE=alpaca', 'ALPACA_SECRET is required when SOURCE=alpaca']);
    expect(load({ SOURCE: 'alpaca', ALPACA_KEY: 'key', ALPACA_SECRET: 'secret' }).ALPACA_KEY).toBe('key');
    // Not a replay: a missing data directory does not matter.
    expect(load({ SOURCE: 'alpaca', ALPACA_KEY: 'key', ALPACA_SECRET: 'secret', MARKET_DATA_DIR: '/nonexistent' }).SOURCE).toBe('alpaca');
  });

  it('keeps the shared variables and lists every variable it reads', () => {
    expect(problemsOf({ KAFKA_BROKERS: '', SOURCE: 'x' })).toEqual([
      'KAFKA_BROKERS must list at least one broker as host:port',
      'SOURCE must be one of replay, alpaca, synthetic',
    ]);
    expect(envVarNames(INGEST_PRODUCER.envSchema)).toEqual(
      expect.arrayContaining(['KAFKA_BROKERS', 'KAFKA_COMPRESSION', 'SOURCE', 'REPLAY_DATASET', 'REPLAY_SPEED', 'MARKET_DATA_DIR', 'ALPACA_URL', 'ALPACA_KEY', 'ALPACA_SECRET', 'ALPACA_SYMBOLS', 'ALPACA_CHANNELS', 'SYNTHETIC_SYMBOLS', 'SYNTHETIC_RATE', 'SYNTHETIC_SEED', 'SYNTHETIC_LIMIT', 'PUBLISH_BATCH_SIZE', 'PUBLISH_BATCH_MAX_BYTES', 'PUBLISH_LINGER_MS', 'PUBLISH_MAX_IN_FLIGHT', 'TOPIC_PREFIX']),
    );
  });
});

describe('findMarketDataDir', () => {
  it('walks up from any start directory to data/market', () => {
    const root = mkdtempSync(join(tmpdir(), 'ingest-data-'));
    mkdirSync(join(root, 'data', 'market', 'lobster'), { recursive: true });
    const deep = join(root, 'dist', 'apps', 'ingest-producer');
    mkdirSync(deep, { recursive: true });
    expect(findMarketDataDir([deep])).toBe(join(root, 'data', 'market'));
  });

  it('tries the next start when one is outside any checkout, and gives up at the root', () => {
    const outside = mkdtempSync(join(tmpdir(), 'ingest-none-'));
    expect(findMarketDataDir([outside])).toBeUndefined();
    expect(findMarketDataDir([outside, __dirname])).toMatch(/data[/\\]market$/);
  });
});
