import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SYMBOL_PATTERN } from '@tickwire/contracts';
import { CUSTOMER_API_KEYS_TABLE } from '@tickwire/resources';
import { type AlpacaCredentials, generateAlpacaCredentials, hashAlpacaSecret, isAlpacaKeyId } from './alpaca-credentials';
import { apiKeyIdOf, generateApiKey, hashApiKey, sameKeyHash } from './api-key';

/** GSI of `customer-api-keys` on `alpacaKeyId` (sparse: only keys with Alpaca credentials are in it). */
export const ALPACA_KEY_ID_INDEX = 'alpacaKeyId-index';

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
  /** Epoch ms UTC when revoked; a revoked key authenticates nothing (its Alpaca credentials neither). */
  revokedAt?: number;
  /** Alpaca-compatible key id for `/v2/tickwire` (see generateAlpacaCredentials); same entitlements and limits as the key. */
  alpacaKeyId?: string;
  /** SHA-256 hex of the Alpaca secret (see hashAlpacaSecret); the secret itself is never stored. */
  alpacaSecretHash?: string;
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

/** A customer id: lowercase letters, digits and hyphens, 1 to 63 characters, not starting with a hyphen. */
export const CUSTOMER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Customers' API keys in DynamoDB `customer-api-keys` (see @tickwire/resources' CUSTOMER_API_KEYS_TABLE):
 * create (returns the plain key and Alpaca secret once), look up by key (by its hash, one GetItem) or by
 * Alpaca key id and secret (GSI `alpacaKeyId-index`), list per customer
 * (GSI `customerId-index`) or all (Scan; an operator command, not a hot path), revoke.
 */
export class CustomerApiKeyStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string = CUSTOMER_API_KEYS_TABLE.tableName,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Creates a key, with an Alpaca-compatible key id and secret of the same entitlements.
   * @returns the plain key and Alpaca secret (show them once; they cannot be recovered) and the stored record.
   * @throws InvalidApiKeyRequestError on invalid input; DynamoDB errors as thrown by the SDK.
   */
  async create(request: NewCustomerApiKey): Promise<{ key: string; alpaca: AlpacaCredentials; record: CustomerApiKeyRecord }> {
    validate(request);
    const key = generateApiKey();
    const keyHash = hashApiKey(key);
    const alpaca = generateAlpacaCredentials();
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
      alpacaKeyId: alpaca.keyId,
      alpacaSecretHash: hashAlpacaSecret(alpaca.secret),
    };
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: record, ConditionExpression: 'attribute_not_exists(keyHash)' }),
    );
    return { key, alpaca, record };
  }

  /**
   * The record whose Alpaca credentials are `alpacaKeyId` + `secret`, or null when the key id is
   * unknown or malformed or the secret does not match (compared as hashes in constant time). Revoked
   * records are returned, as by {@link findByKey}. One Query on the sparse GSI `alpacaKeyId-index`
   * (eventually consistent: credentials issued a moment ago may not be found yet).
   * @throws DynamoDB errors as thrown by the SDK.
   */
  async findByAlpacaCredentials(alpacaKeyId: string, secret: string): Promise<CustomerApiKeyRecord | null> {
    if (!isAlpacaKeyId(alpacaKeyId)) return null;
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: ALPACA_KEY_ID_INDEX,
        KeyConditionExpression: 'alpacaKeyId = :k',
        ExpressionAttributeValues: { ':k': alpacaKeyId },
      }),
    );
    const record = (page.Items?.[0] as CustomerApiKeyRecord | undefined) ?? null;
    if (!record?.alpacaSecretHash || !sameKeyHash(record.alpacaSecretHash, hashAlpacaSecret(secret))) return null;
    return record;
  }

  /**
   * Issues new Alpaca credentials for the key `keyId` of `customerId` (a key created before they
   * existed, or a rotation: the previous pair stops working at once).
   * @returns the credentials (show the secret once) and the updated record, or null when the customer
   *   has no such key.
   * @throws InvalidApiKeyRequestError when the key is revoked; DynamoDB errors as thrown by the SDK.
   */
  async issueAlpacaCredentials(customerId: string, keyId: string): Promise<{ alpaca: AlpacaCredentials; record: CustomerApiKeyRecord } | null> {
    const existing = (await this.listByCustomer(customerId)).find((candidate) => candidate.keyId === keyId);
    if (!existing) return null;
    if (existing.revokedAt !== undefined) throw new InvalidApiKeyRequestError(`key ${keyId} of ${customerId} is revoked`);
    const alpaca = generateAlpacaCredentials();
    const result = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { keyHash: existing.keyHash },
        UpdateExpression: 'SET alpacaKeyId = :id, alpacaSecretHash = :hash',
        ConditionExpression: 'attribute_exists(keyHash) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: { ':id': alpaca.keyId, ':hash': hashAlpacaSecret(alpaca.secret) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { alpaca, record: result.Attributes as CustomerApiKeyRecord };
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
