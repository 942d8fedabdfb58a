import { Inject, Injectable } from '@nestjs/common';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CustomerApiKeyStore, hashApiKey } from '@tickwire/customer-keys';
import { DYNAMODB_DOCUMENT_CLIENT, InjectServiceConfig } from '@tickwire/service-kit';
import type { CustomerEntitlements } from '@tickwire/subscriptions';
import type { GatewayConfig } from '../config/gateway-config';
import { EntitlementsCache } from './entitlements-cache';

/**
 * Resolves API keys to entitlements: SHA-256 of the key, GetItem on `customer-api-keys`, cached for
 * API_KEY_CACHE_TTL_MS (so a revocation takes effect within that time on every instance).
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly store: CustomerApiKeyStore;
  private readonly cache: EntitlementsCache;

  constructor(
    @Inject(DYNAMODB_DOCUMENT_CLIENT) documents: DynamoDBDocumentClient,
    @InjectServiceConfig() config: GatewayConfig,
  ) {
    this.store = new CustomerApiKeyStore(documents, config.CUSTOMER_API_KEYS_TABLE);
    this.cache = new EntitlementsCache(config.API_KEY_CACHE_TTL_MS);
  }

  /**
   * The entitlements of `key`, or null when the key is unknown or revoked.
   * @throws the DynamoDB error when the store is unreachable (the caller answers "internal error").
   */
  async authenticate(key: string): Promise<CustomerEntitlements | null> {
    return this.cache.resolve(hashApiKey(key), () => this.store.findByKey(key));
  }

  /**
   * The entitlements of Alpaca credentials (`/v2/tickwire`): those of the key record holding
   * `alpacaKeyId` with a matching secret, or null when unknown, wrong or revoked. Cached like keys.
   * @throws the DynamoDB error when the store is unreachable (the caller answers "internal error").
   */
  async authenticateAlpaca(alpacaKeyId: string, secret: string): Promise<CustomerEntitlements | null> {
    return this.cache.resolve(hashApiKey(`alpaca\u0000${alpacaKeyId}\u0000${secret}`), () => this.store.findByAlpacaCredentials(alpacaKeyId, secret));
  }
}
