import { Inject, Injectable } from '@nestjs/common';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CustomerApiKeyStore, type CustomerApiKeyRecord, hashApiKey } from '@tickwire/customer-keys';
import { DYNAMODB_DOCUMENT_CLIENT, InjectServiceConfig } from '@tickwire/service-kit';
import type { CustomerEntitlements } from '@tickwire/subscriptions';
import type { GatewayConfig } from '../config/gateway-config';

/** Unknown keys are cached briefly too, so a client hammering with a wrong key costs no DynamoDB reads. */
const NEGATIVE_CACHE_TTL_MS = 5_000;
/** Bound on cached lookups (an LRU would be more exact; entries expire anyway). */
const MAX_CACHE_ENTRIES = 10_000;

/**
 * Resolves API keys to entitlements: SHA-256 of the key, GetItem on `customer-api-keys`, cached for
 * API_KEY_CACHE_TTL_MS (so a revocation takes effect within that time on every instance).
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly store: CustomerApiKeyStore;
  private readonly cache = new Map<string, { entitlements: CustomerEntitlements | null; expiresAt: number }>();
  private readonly ttlMs: number;

  constructor(
    @Inject(DYNAMODB_DOCUMENT_CLIENT) documents: DynamoDBDocumentClient,
    @InjectServiceConfig() config: GatewayConfig,
  ) {
    this.store = new CustomerApiKeyStore(documents, config.CUSTOMER_API_KEYS_TABLE);
    this.ttlMs = config.API_KEY_CACHE_TTL_MS;
  }

  /**
   * The entitlements of `key`, or null when the key is unknown or revoked.
   * @throws the DynamoDB error when the store is unreachable (the caller answers "internal error").
   */
  async authenticate(key: string): Promise<CustomerEntitlements | null> {
    const keyHash = hashApiKey(key);
    const now = Date.now();
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > now) return cached.entitlements;
    const record = await this.store.findByKey(key);
    const entitlements = record && record.revokedAt === undefined ? toEntitlements(record) : null;
    if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
    this.cache.set(keyHash, { entitlements, expiresAt: now + (entitlements ? this.ttlMs : Math.min(this.ttlMs, NEGATIVE_CACHE_TTL_MS)) });
    return entitlements;
  }
}

function toEntitlements(record: CustomerApiKeyRecord): CustomerEntitlements {
  return {
    customerId: record.customerId,
    channels: record.channels,
    symbols: record.symbols,
    maxConnections: record.maxConnections,
    maxSymbols: record.maxSymbols,
  };
}
