import {
  AlpacaSource,
  type AlpacaSourceEvent,
  type AlpacaSubscription,
  DAILY_BARS_FILES,
  type DailyBarHoldStore,
  DailyBarsReplaySource,
  formatPacing,
  LobsterReplaySource,
  type MarketDataSource,
  pace,
  SyntheticSource,
} from '@tickwire/market-sources';
import { type IngestProducerConfig, resolveMarketDataDir } from '../config/ingest-producer-env';
import { SequentialSource } from './sequential-source';

/** What the status endpoint reports about the source. */
export interface SourceDescription {
  /** `replay`, `alpaca` or `synthetic` (SOURCE). */
  source: IngestProducerConfig['SOURCE'];
  /** REPLAY_DATASET for a replay, null otherwise. */
  dataset: IngestProducerConfig['REPLAY_DATASET'] | null;
  /** Pacing (`realtime`, `x10`, `max`) for replay and synthetic; null for Alpaca (live). */
  speed: string | null;
  /** True when the source ends by itself (replay, limited synthetic): the run can complete. */
  finite: boolean;
}

/** A configured source and its description. */
export interface ConfiguredSource {
  source: MarketDataSource;
  description: SourceDescription;
}

/** Hooks of {@link createMarketSource}. */
export interface SourceFactoryHooks {
  /** Alpaca connection lifecycle and notices (logged by the service). */
  onAlpacaEvent?: (event: AlpacaSourceEvent) => void;
  /** Durable copy of the Alpaca daily bars held until their session closes (see AlpacaSourceOptions.dailyBarStore). */
  dailyBarStore?: DailyBarHoldStore;
}

/**
 * Builds the source that the configuration selects (see ingestProducerAppEnvSchema):
 * - `replay`: LobsterReplaySource (AAPL, AMZN, GOOG on 2012-06-21, or REPLAY_SYMBOLS; REPLAY_QUOTES),
 *   DailyBarsReplaySource (the S&P 500 file, 2020-01-02..2021-04-21), or both one after the other
 *   (`all`), each paced by REPLAY_SPEED; REPLAY_LIMIT cuts the replay after N records.
 * - `alpaca`: AlpacaSource on ALPACA_URL with ALPACA_KEY / ALPACA_SECRET, subscribing ALPACA_SYMBOLS on
 *   ALPACA_CHANNELS; live, never completes by itself.
 * - `synthetic`: SyntheticSource (SYNTHETIC_SYMBOLS, SYNTHETIC_RATE, SYNTHETIC_SEED, SYNTHETIC_LIMIT),
 *   paced by REPLAY_SPEED (`realtime` emits SYNTHETIC_RATE records per wall-clock second).
 *
 * Nothing is opened until the source is iterated.
 * @throws Error when a replay's market data directory cannot be found; RangeError from a source's options.
 */
export function createMarketSource(config: IngestProducerConfig, hooks: SourceFactoryHooks = {}): ConfiguredSource {
  const speed = formatPacing(config.REPLAY_SPEED);
  switch (config.SOURCE) {
    case 'replay': {
      const dataDir = resolveMarketDataDir(config);
      const lobster = () =>
        pace(
          new LobsterReplaySource({ dataDir, quotes: config.REPLAY_QUOTES, ...(config.REPLAY_SYMBOLS ? { symbols: config.REPLAY_SYMBOLS } : {}) }),
          config.REPLAY_SPEED,
        );
      const daily = () => pace(new DailyBarsReplaySource({ dataDir, files: [DAILY_BARS_FILES.sp500] }), config.REPLAY_SPEED);
      const factories = { lobster: [lobster], daily: [daily], all: [lobster, daily] }[config.REPLAY_DATASET];
      const [only] = factories;
      return {
        // One unlimited dataset needs no wrapper (one async hop less per record).
        source:
          factories.length === 1 && only && config.REPLAY_LIMIT === undefined
            ? only()
            : new SequentialSource(`replay-${config.REPLAY_DATASET}@${speed}`, factories, config.REPLAY_LIMIT),
        description: { source: 'replay', dataset: config.REPLAY_DATASET, speed, finite: true },
      };
    }
    case 'alpaca': {
      const subscription: AlpacaSubscription = Object.fromEntries(config.ALPACA_CHANNELS.map((channel) => [channel, config.ALPACA_SYMBOLS]));
      const source = new AlpacaSource({
        url: config.ALPACA_URL,
        // The env schema requires both when SOURCE=alpaca.
        credentials: { keyId: config.ALPACA_KEY ?? '', secretKey: config.ALPACA_SECRET ?? '' },
        subscription,
        ...(hooks.onAlpacaEvent ? { onEvent: hooks.onAlpacaEvent } : {}),
        ...(hooks.dailyBarStore ? { dailyBarStore: hooks.dailyBarStore } : {}),
      });
      return { source, description: { source: 'alpaca', dataset: null, speed: null, finite: false } };
    }
    case 'synthetic': {
      const source = pace(
        new SyntheticSource({
          seed: config.SYNTHETIC_SEED,
          symbols: config.SYNTHETIC_SYMBOLS,
          ratePerSecond: config.SYNTHETIC_RATE,
          ...(config.SYNTHETIC_LIMIT !== undefined ? { count: config.SYNTHETIC_LIMIT } : {}),
        }),
        config.REPLAY_SPEED,
      );
      return { source, description: { source: 'synthetic', dataset: null, speed, finite: config.SYNTHETIC_LIMIT !== undefined } };
    }
  }
}
