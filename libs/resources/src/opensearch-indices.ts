/**
 * OpenSearch index templates and daily index names for the searchable history, independent of the
 * OpenSearch client so the local stack and infra/ share them. Documents are flat JSON; every one has a
 * deterministic `_id` (the event id; for bars `<symbol>:<startTime>`), so a replay creates no duplicates.
 */

/** The streams kept in OpenSearch, each with its own daily indices. */
export type SearchStream = 'enriched' | 'bars-1m' | 'alerts';

export const SEARCH_STREAMS: readonly SearchStream[] = ['enriched', 'bars-1m', 'alerts'];

/** An OpenSearch field mapping (the subset we use). */
export interface FieldMapping {
  readonly type: 'keyword' | 'date' | 'double' | 'long' | 'integer' | 'boolean' | 'text' | 'scaled_float';
  /** For dates: `epoch_millis` (all Tickwire times are epoch ms UTC). */
  readonly format?: string;
  readonly scaling_factor?: number;
}

/** A composable index template body for `PUT _index_template/<name>`. */
export interface IndexTemplateSpec {
  readonly name: string;
  readonly body: {
    readonly index_patterns: string[];
    readonly priority: number;
    readonly template: {
      readonly settings: Readonly<Record<string, string | number>>;
      readonly mappings: {
        /** `false`: fields outside the mapping are kept in `_source` but not indexed (no mapping explosion). */
        readonly dynamic: false;
        readonly properties: Readonly<Record<string, FieldMapping>>;
      };
    };
    readonly _meta: Readonly<Record<string, string>>;
  };
}

const date: FieldMapping = { type: 'date', format: 'epoch_millis' };
const usd: FieldMapping = { type: 'double' };
const keyword: FieldMapping = { type: 'keyword' };
const long: FieldMapping = { type: 'long' };

const COMMON: Record<string, FieldMapping> = {
  id: keyword,
  symbol: keyword,
  eventTime: date,
  ingestTime: date,
  source: keyword,
  schema: keyword,
};

const MAPPINGS: Record<SearchStream, Record<string, FieldMapping>> = {
  enriched: {
    ...COMMON,
    kind: keyword,
    processingTime: date,
    price: usd,
    size: long,
    side: keyword,
    bidPrice: usd,
    bidSize: long,
    askPrice: usd,
    askSize: long,
    lastPrice: usd,
    previousClose: usd,
    changePercent: { type: 'double' },
    smaFast: usd,
    smaSlow: usd,
    emaFast: usd,
    emaSlow: usd,
  },
  'bars-1m': {
    ...COMMON,
    startTime: date,
    endTime: date,
    open: usd,
    high: usd,
    low: usd,
    close: usd,
    vwap: usd,
    volume: long,
    tradeCount: long,
  },
  alerts: {
    ...COMMON,
    alertType: keyword,
    direction: keyword,
    crossType: keyword,
    maKind: keyword,
    price: usd,
    previousClose: usd,
    changePercent: { type: 'double' },
    thresholdPercent: { type: 'double' },
    volume: long,
    message: { type: 'text' },
  },
};

/** Index name prefix of a stream, e.g. `market-bars-1m-`. */
export function indexPrefix(stream: SearchStream): string {
  return `market-${stream}-`;
}

/**
 * Daily index of an event: `market-<stream>-YYYY.MM.DD`, the UTC date of `eventTime`.
 *
 * @param eventTime epoch ms UTC
 * @throws RangeError when eventTime is not finite.
 */
export function dailyIndexName(stream: SearchStream, eventTime: number): string {
  if (!Number.isFinite(eventTime)) throw new RangeError(`eventTime must be epoch ms, got ${eventTime}`);
  const day = new Date(eventTime).toISOString().slice(0, 10).replaceAll('-', '.');
  return `${indexPrefix(stream)}${day}`;
}

/**
 * Index templates of all search streams. One shard (daily indices are small: a busy day of US equity
 * bars is well under the ~10-50 GB shard size OpenSearch recommends), replicas configurable (0 locally).
 */
export function indexTemplates(options: { replicas?: number; refreshInterval?: string } = {}): IndexTemplateSpec[] {
  return SEARCH_STREAMS.map((stream) => ({
    name: `tickwire-${stream}`,
    body: {
      index_patterns: [`${indexPrefix(stream)}*`],
      priority: 100,
      template: {
        settings: {
          number_of_shards: 1,
          number_of_replicas: options.replicas ?? 0,
          refresh_interval: options.refreshInterval ?? '1s',
        },
        mappings: { dynamic: false, properties: MAPPINGS[stream] },
      },
      _meta: { owner: 'tickwire', stream },
    },
  }));
}
