/**
 * OpenSearch index templates and daily index names for the searchable history, independent of the
 * OpenSearch client so the local stack and infra/ share them. Documents are flat JSON; every one has a
 * deterministic `_id` (the event id; for bars `<symbol>:<startTime>`), so a replay creates no duplicates.
 */

/** The streams kept in OpenSearch, each with its own daily indices. */
export type SearchStream = 'enriched' | 'bars-1m' | 'alerts';

export const SEARCH_STREAMS: readonly SearchStream[] = ['enriched', 'bars-1m', 'alerts'];

/** An OpenSearch leaf field mapping (the subset we use). */
export interface LeafFieldMapping {
  readonly type: 'keyword' | 'date' | 'double' | 'long' | 'integer' | 'boolean' | 'text';
  /** For dates: `epoch_millis` (all Tickwire times are epoch ms UTC). */
  readonly format?: string;
}

/** An object field (e.g. the raw trade inside an enriched event) with its own properties. */
export interface ObjectFieldMapping {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, LeafFieldMapping>>;
}

export type FieldMapping = LeafFieldMapping | ObjectFieldMapping;

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

const date: LeafFieldMapping = { type: 'date', format: 'epoch_millis' };
const usd: LeafFieldMapping = { type: 'double' };
const keyword: LeafFieldMapping = { type: 'keyword' };
const long: LeafFieldMapping = { type: 'long' };
const percent: LeafFieldMapping = { type: 'double' };

const COMMON: Record<string, FieldMapping> = {
  id: keyword,
  symbol: keyword,
  eventTime: date,
  ingestTime: date,
  source: keyword,
  schema: keyword,
};

/**
 * Documents are the event's payload flattened next to the envelope fields (see the indexer), so the
 * field names are those of the contracts in @tickwire/contracts: `market.enriched.v1` keeps the raw
 * trade or quote as an object (`trade.price`, `quote.bidPrice`, ...).
 */
const MAPPINGS: Record<SearchStream, Record<string, FieldMapping>> = {
  enriched: {
    ...COMMON,
    kind: keyword,
    sourceEventId: keyword,
    processingTime: date,
    trade: {
      type: 'object',
      properties: {
        symbol: keyword,
        price: usd,
        size: long,
        aggressorSide: keyword,
        venue: keyword,
        tradeId: keyword,
        sequence: long,
      },
    },
    quote: {
      type: 'object',
      properties: {
        symbol: keyword,
        bidPrice: usd,
        bidSize: long,
        askPrice: usd,
        askSize: long,
        venue: keyword,
        sequence: long,
      },
    },
    lastPrice: usd,
    bidPrice: usd,
    bidSize: long,
    askPrice: usd,
    askSize: long,
    previousClose: usd,
    previousCloseDate: keyword,
    previousCloseStale: { type: 'boolean' },
    changePercent: percent,
    smaFast: usd,
    smaSlow: usd,
    emaFast: usd,
    emaSlow: usd,
    fastPeriod: { type: 'integer' },
    slowPeriod: { type: 'integer' },
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
    // A restatement (correction or cancel of one of its trades): revision 1, 2, ...; absent first.
    revision: { type: 'integer' },
    restatedBy: keyword,
  },
  alerts: {
    ...COMMON,
    alertType: keyword,
    sourceEventId: keyword,
    // price-change-threshold
    direction: keyword,
    thresholdPercent: percent,
    changePercent: percent,
    price: usd,
    previousClose: usd,
    // ma-cross
    cross: keyword,
    movingAverage: keyword,
    fastPeriod: { type: 'integer' },
    slowPeriod: { type: 'integer' },
    fastValue: usd,
    slowValue: usd,
    previousFastValue: usd,
    previousSlowValue: usd,
    barStartTime: date,
    // volume-spike
    volume: long,
    meanVolume: { type: 'double' },
    multiplier: { type: 'double' },
    lookbackBars: { type: 'integer' },
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
export function indexTemplates(
  options: { replicas?: number; refreshInterval?: string } = {},
): IndexTemplateSpec[] {
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

/** An OpenSearch security-plugin role (fine-grained access control), as `PUT _plugins/_security/api/roles/<name>` takes it. */
export interface OpenSearchSecurityRoleSpec {
  readonly name: string;
  readonly body: {
    readonly description: string;
    readonly cluster_permissions: readonly string[];
    readonly index_permissions: readonly {
      readonly index_patterns: readonly string[];
      readonly allowed_actions: readonly string[];
    }[];
  };
}

/** Role of the indexer's IAM role: bulk writes to the daily indices and installs their templates. */
export const OPENSEARCH_INDEXER_ROLE = 'tickwire_indexer';
/** Role of readers (the consumer gateway's history queries): search the daily indices, nothing else. */
export const OPENSEARCH_READER_ROLE = 'tickwire_reader';

/**
 * The fine-grained access control roles of the platform, on the daily indices of every search stream
 * (`market-<stream>-*`). Permissions are the security plugin's default action groups and permission
 * names (OpenSearch docs, "Default action groups" and "Permissions"): the indexer gets `crud` and
 * `create_index` on the indices, bulk and index-template get/put on the cluster (IndexTemplateInstaller);
 * the reader gets `read` and read-only composite operations (msearch, mget). Both may read cluster
 * health (`cluster_monitor`, the readiness probe). Nothing may delete an index or touch security.
 */
export function openSearchSecurityRoles(): OpenSearchSecurityRoleSpec[] {
  const indexPatterns = SEARCH_STREAMS.map((stream) => `${indexPrefix(stream)}*`);
  return [
    {
      name: OPENSEARCH_INDEXER_ROLE,
      body: {
        description: 'Tickwire opensearch-indexer: bulk-index the daily market indices',
        cluster_permissions: [
          'cluster_monitor',
          'indices:data/write/bulk',
          'indices:admin/index_template/get',
          'indices:admin/index_template/put',
        ],
        index_permissions: [{ index_patterns: indexPatterns, allowed_actions: ['crud', 'create_index'] }],
      },
    },
    {
      name: OPENSEARCH_READER_ROLE,
      body: {
        description: 'Tickwire readers (consumer-gateway history queries): search the daily market indices',
        cluster_permissions: ['cluster_monitor', 'cluster_composite_ops_ro'],
        index_permissions: [{ index_patterns: indexPatterns, allowed_actions: ['read'] }],
      },
    },
  ];
}
