import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SYMBOL_PATTERN } from '@tickwire/contracts';
import { CUSTOMER_API_KEYS_TABLE } from '@tickwire/resources';
import { apiKeyIdOf, generateApiKey, hashApiKey } from './api-key';

/** The channels a key can be entitled to (the gateway's channel names). */
export const KEY_CHANNELS = ['trades', 'quotes', 'enriched', 'bars', 'alerts', 'corrections', 'statuses'] as const;
export type KeyChannel = (typeof KEY_CHANNELS)[number];

/** One item of DynamoDB `customer-api-keys` (pk `keyHash`, GSI `customerId-index`). */
export interface CustomerApiKeyRecord {
  /** SHA-256 hex of the key (see hashApiKey); the key itself is never stored. */
  keyHash: string;
  /** Public id, `key_<12 hex>` (see apiKeyIdOf). */
  keyId: string;
  customerId: string;
  /** Entitled channels. */
  channels: KeyChannel[];
  /** Entitled symbols, `['*']` for all. */
  symbols: string[];
  /** Most simultaneous connections of the customer. */
  maxConnections: number;
  /** Most distinct symbols per connection. */
  maxSymbols: number;
  /** Free text, e.g. `prod trading desk`. */
  label?: string;
  /** Epoch ms UTC. */
  createdAt: number;
  /** Epoch ms UTC when revoked; a revoked key authenticates nothing. */
  revokedAt?: number;
}

/** What {@link CustomerApiKeyStore.create} needs. */
export interface NewCustomerApiKey {
  customerId: string;
  channels: readonly KeyChannel[];
  symbols: readonly string[];
  maxConnections: number;
  maxSymbols: number;
  label?: string;
}

/** Thrown on an invalid new key (empty customer, no channels, limits < 1). */
export class InvalidApiKeyRequestError extends Error {
  override readonly name = 'InvalidApiKeyRequestError';
}

const CUSTOMER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Customers' API keys in DynamoDB `customer-api-keys` (see @tickwire/resources' CUSTOMER_API_KEYS_TABLE):
 * create (returns the plain key once), look up by key (by its hash, one GetItem), list per customer
 * (GSI `customerId-index`) or all (Scan; an operator command, not a hot path), revoke.
 */
export class CustomerApiKeyStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string = CUSTOMER_API_KEYS_TABLE.tableName,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Creates a key.
   * @returns the plain key (show it once; it cannot be recovered) and the stored record.
   * @throws InvalidApiKeyRequestError on invalid input; DynamoDB errors as thrown by the SDK.
   */
  async create(request: NewCustomerApiKey): Promise<{ key: string; record: CustomerApiKeyRecord }> {
    validate(request);
    const key = generateApiKey();
    const keyHash = hashApiKey(key);
    const record: CustomerApiKeyRecord = {
      keyHash,
      keyId: apiKeyIdOf(keyHash),
      customerId: request.customerId,
      channels: [...new Set(request.channels)],
      symbols: [...new Set(request.symbols)],
      maxConnections: request.maxConnections,
      maxSymbols: request.maxSymbols,
      ...(request.label ? { label: request.label } : {}),
      createdAt: this.clock(),
    };
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: record, ConditionExpression: 'attribute_not_exists(keyHash)' }),
    );
    return { key, record };
  }

  /**
   * The record of a plain key, or null when unknown. Revoked keys are returned (with `revokedAt`):
   * the caller decides, and can log which customer tried a revoked key.
   */
  async findByKey(key: string): Promise<CustomerApiKeyRecord | null> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { keyHash: hashApiKey(key) }, ConsistentRead: true }),
    );
    return (result.Item as CustomerApiKeyRecord | undefined) ?? null;
  }

  /** Keys of one customer (revoked ones included), oldest first. */
  async listByCustomer(customerId: string): Promise<CustomerApiKeyRecord[]> {
    const records: CustomerApiKeyRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'customerId-index',
          KeyConditionExpression: 'customerId = :c',
          ExpressionAttributeValues: { ':c': customerId },
          ExclusiveStartKey: startKey,
        }),
      );
      records.push(...((page.Items ?? []) as CustomerApiKeyRecord[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Every key of every customer (Scan), ordered by customer then creation. */
  async listAll(): Promise<CustomerApiKeyRecord[]> {
    const records: CustomerApiKeyRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey }));
      records.push(...((page.Items ?? []) as CustomerApiKeyRecord[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records.sort((a, b) => a.customerId.localeCompare(b.customerId) || a.createdAt - b.createdAt);
  }

  /**
   * Revokes the key `keyId` of `customerId` (idempotent: the first revocation time is kept).
   * @returns the revoked record, or null when the customer has no such key.
   */
  async revoke(customerId: string, keyId: string): Promise<CustomerApiKeyRecord | null> {
    const record = (await this.listByCustomer(customerId)).find((candidate) => candidate.keyId === keyId);
    if (!record) return null;
    try {
      const result = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { keyHash: record.keyHash },
          UpdateExpression: 'SET revokedAt = :now',
          ConditionExpression: 'attribute_exists(keyHash) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':now': this.clock() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as CustomerApiKeyRecord;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return record;
      throw error;
    }
  }
}

function validate(request: NewCustomerApiKey): void {
  if (!CUSTOMER_ID_PATTERN.test(request.customerId)) {
    throw new InvalidApiKeyRequestError(`customer id must be lowercase letters, digits and hyphens (1-63), got "${request.customerId}"`);
  }
  if (request.channels.length === 0) throw new InvalidApiKeyRequestError('at least one channel is required');
  for (const channel of request.channels) {
    if (!(KEY_CHANNELS as readonly string[]).includes(channel)) {
      throw new InvalidApiKeyRequestError(`unknown channel "${channel}" (known: ${KEY_CHANNELS.join(', ')})`);
    }
  }
  if (request.symbols.length === 0) throw new InvalidApiKeyRequestError('at least one symbol (or "*") is required');
  for (const symbol of request.symbols) {
    if (symbol !== '*' && !SYMBOL_PATTERN.test(symbol)) {
      throw new InvalidApiKeyRequestError(`invalid symbol "${symbol}"`);
    }
  }
  for (const [name, value] of [['maxConnections', request.maxConnections], ['maxSymbols', request.maxSymbols]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new InvalidApiKeyRequestError(`${name} must be an integer >= 1, got ${value}`);
  }
}
