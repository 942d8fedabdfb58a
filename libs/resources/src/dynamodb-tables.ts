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
 * Reference daily bars (one item per symbol and trading date, as traded, unadjusted USD, with the
 * split coefficient of that date), from which the previous close of any date is one Query:
 * `symbol = :s AND tradingDate < :d`, newest first, limit 1.
 */
export const REFERENCE_DAILY_BARS_TABLE: DynamoDbTableSpec = {
  tableName: 'reference-daily-bars',
  partitionKey: { name: 'symbol', type: 'S' },
  sortKey: { name: 'tradingDate', type: 'S' },
  globalSecondaryIndexes: [],
  billingMode: 'PAY_PER_REQUEST',
  pointInTimeRecovery: true,
  description: 'Daily OHLCV per symbol and trading date (YYYY-MM-DD, America/New_York), unadjusted, with splitCoefficient.',
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
  ],
  billingMode: 'PAY_PER_REQUEST',
  pointInTimeRecovery: true,
  description: 'API key hash -> customerId, entitled channels and symbols, connection and symbol limits, revokedAt.',
};

/** Every DynamoDB table Tickwire uses. */
export const DYNAMODB_TABLES: readonly DynamoDbTableSpec[] = [
  SYMBOL_STATE_TABLE,
  REFERENCE_DAILY_BARS_TABLE,
  CUSTOMER_API_KEYS_TABLE,
];
