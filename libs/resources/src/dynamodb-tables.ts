/**
 * DynamoDB tables, independent of the AWS SDK, so the local stack (DynamoDB Local) and infra/
 * (Terraform `aws_dynamodb_table`) create the same tables.
 */
export interface DynamoDbAttribute {
  readonly name: string;
  /** DynamoDB scalar type: S string, N number, B binary. */
  readonly type: 'S' | 'N' | 'B';
}

export interface DynamoDbGlobalIndexSpec {
  readonly indexName: string;
  readonly partitionKey: DynamoDbAttribute;
  readonly sortKey?: DynamoDbAttribute;
  readonly projection: 'ALL' | 'KEYS_ONLY';
}

export interface DynamoDbTableSpec {
  readonly tableName: string;
  readonly partitionKey: DynamoDbAttribute;
  readonly sortKey?: DynamoDbAttribute;
  readonly globalSecondaryIndexes: readonly DynamoDbGlobalIndexSpec[];
  /** On-demand capacity: market data is bursty (open and close), provisioned capacity would throttle. */
  readonly billingMode: 'PAY_PER_REQUEST';
  /** Point-in-time recovery, on in the cloud for every table. */
  readonly pointInTimeRecovery: boolean;
  /** Attribute holding an expiry (epoch seconds), if the table uses TTL. */
  readonly ttlAttribute?: string;
  readonly description: string;
}

/**
 * The state attributes of a `symbol-state` item besides its key `symbol`, in their documented order:
 * `lastEventTime` (epoch ms UTC), `lastPrice`, `previousClose`, `bidPrice`, `askPrice` (USD),
 * `previousCloseDate` (YYYY-MM-DD), `changePercent` (percent), `bidSize`, `askSize` (shares), `halted`
 * (boolean: trading halted after the latest trading status; absent on items written before it). The
 * enricher writes them and the gateway's last-value cache keeps the same shape.
 */
export const SYMBOL_STATE_ATTRIBUTES = [
  'lastEventTime',
  'lastPrice',
  'previousClose',
  'previousCloseDate',
  'changePercent',
  'bidPrice',
  'askPrice',
  'bidSize',
  'askSize',
  'halted',
] as const;

/** Latest state per symbol, written so an older event never overwrites a newer one. */
export const SYMBOL_STATE_TABLE: DynamoDbTableSpec = {
  tableName: 'symbol-state',
  partitionKey: { name: 'symbol', type: 'S' },
  globalSecondaryIndexes: [],
  billingMode: 'PAY_PER_REQUEST',
  pointInTimeRecovery: true,
  description:
    'Latest state per symbol: lastPrice, lastEventTime (epoch ms UTC), previousClose, changePercent, bidPrice, askPrice (USD). ' +
    'Updates are conditional on lastEventTime so an older event never overwrites a newer one.',
};

/**
 * Reference daily bars: one item per symbol and calendar year holding that year's daily rows
 * (as traded, unadjusted USD, with dividend and split coefficient), so the previous close of any date
 * comes from one Query per symbol (`symbol = :s`: about 20 items for a 20-year history) and a full
 * load is ~1,200 writes instead of ~190,000 (DynamoDB Local writes ~100 items/s on a busy 2-core host).
 * An item is at most ~20 KB (253 trading days), far below DynamoDB's 400 KB item limit.
 */
export const REFERENCE_DAILY_BARS_TABLE: DynamoDbTableSpec = {
  tableName: 'reference-daily-bars',
  partitionKey: { name: 'symbol', type: 'S' },
  sortKey: { name: 'year', type: 'S' },
  globalSecondaryIndexes: [],
  billingMode: 'PAY_PER_REQUEST',
  pointInTimeRecovery: true,
  description:
    'Daily OHLCV per symbol, one item per calendar year (YYYY): attribute bars = JSON rows ' +
    '[tradingDate (America/New_York), open, high, low, close, adjustedClose, volume, dividendAmount, splitCoefficient], unadjusted USD.',
};

/** Customers' API keys, stored as SHA-256 hashes with entitlements and limits. */
export const CUSTOMER_API_KEYS_TABLE: DynamoDbTableSpec = {
  tableName: 'customer-api-keys',
  partitionKey: { name: 'keyHash', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'customerId-index',
      partitionKey: { name: 'customerId', type: 'S' },
      projection: 'ALL',
    },
    {
      // Sparse: only keys with Alpaca-compatible credentials (the /v2/tickwire stream authenticates by key id + secret).
      indexName: 'alpacaKeyId-index',
      partitionKey: { name: 'alpacaKeyId', type: 'S' },
      projection: 'ALL',
    },
  ],
  billingMode: 'PAY_PER_REQUEST',
  pointInTimeRecovery: true,
  description: 'API key hash -> customerId, entitled channels and symbols, connection and symbol limits, revokedAt, Alpaca key id and secret hash.',
};

/** Every DynamoDB table Tickwire uses. */
export const DYNAMODB_TABLES: readonly DynamoDbTableSpec[] = [
  SYMBOL_STATE_TABLE,
  REFERENCE_DAILY_BARS_TABLE,
  CUSTOMER_API_KEYS_TABLE,
];
