import type { CustomerApiKeyRecord } from '@tickwire/customer-keys';
import type { CustomerEntitlements } from '@tickwire/subscriptions';

/** Unknown credentials are cached briefly too, so a client hammering with a wrong key costs no DynamoDB reads. */
const NEGATIVE_CACHE_TTL_MS = 5_000;
/** Bound on cached lookups (an LRU would be more exact; entries expire anyway). */
const MAX_CACHE_ENTRIES = 10_000;

/**
 * Credential lookups resolved to entitlements, cached for `ttlMs` (so a revocation takes effect
 * within that time on every instance), unknown or revoked credentials for at most 5 s. Keyed by a
 * hash of the credentials, never by the plain secret.
 */
export class EntitlementsCache {
  private readonly cache = new Map<string, { entitlements: CustomerEntitlements | null; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    /** Epoch ms; replaceable in unit tests. */
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The cached entitlements of `credentialHash`, else those of the record `lookup` finds (null when
   * none, or revoked), then cached.
   * @throws what `lookup` throws (nothing is cached then).
   */
  async resolve(credentialHash: string, lookup: () => Promise<CustomerApiKeyRecord | null>): Promise<CustomerEntitlements | null> {
    const now = this.now();
    const cached = this.cache.get(credentialHash);
    if (cached && cached.expiresAt > now) return cached.entitlements;
    const record = await lookup();
    const entitlements = record && record.revokedAt === undefined ? entitlementsOf(record) : null;
    if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
    this.cache.set(credentialHash, { entitlements, expiresAt: now + (entitlements ? this.ttlMs : Math.min(this.ttlMs, NEGATIVE_CACHE_TTL_MS)) });
    return entitlements;
  }
}

/** What a key record entitles its holder to (the same for its API key and its Alpaca credentials). */
export function entitlementsOf(record: CustomerApiKeyRecord): CustomerEntitlements {
  return {
    customerId: record.customerId,
    channels: record.channels,
    symbols: record.symbols,
    maxConnections: record.maxConnections,
    maxSymbols: record.maxSymbols,
  };
}
