import type { CustomerApiKeyRecord } from '@tickwire/customer-keys';
import { EntitlementsCache } from './entitlements-cache';

const record: CustomerApiKeyRecord = {
  keyHash: 'h',
  keyId: 'key_h',
  customerId: 'acme',
  channels: ['trades'],
  symbols: ['AAPL'],
  maxConnections: 2,
  maxSymbols: 5,
  createdAt: 0,
};

describe('EntitlementsCache', () => {
  it('looks a credential up once per TTL, unknown ones for at most 5 s, and never serves a revoked record', async () => {
    let now = 0;
    const cache = new EntitlementsCache(30_000, () => now);
    const lookups: string[] = [];
    const lookup = (found: CustomerApiKeyRecord | null, name: string) => async () => {
      lookups.push(name);
      return found;
    };
    expect(await cache.resolve('a', lookup(record, 'a'))).toEqual({ customerId: 'acme', channels: ['trades'], symbols: ['AAPL'], maxConnections: 2, maxSymbols: 5 });
    expect(await cache.resolve('unknown', lookup(null, 'unknown'))).toBeNull();
    expect(await cache.resolve('revoked', lookup({ ...record, revokedAt: 1 }, 'revoked'))).toBeNull();
    now = 4_999;
    await cache.resolve('a', lookup(null, 'a'));
    await cache.resolve('unknown', lookup(null, 'unknown'));
    expect(lookups).toEqual(['a', 'unknown', 'revoked']);
    now = 5_000;
    await cache.resolve('unknown', lookup(null, 'unknown'));
    now = 30_000;
    expect(await cache.resolve('a', lookup(null, 'a'))).toBeNull();
    expect(lookups).toEqual(['a', 'unknown', 'revoked', 'unknown', 'a']);
  });

  it('caches nothing when the lookup throws', async () => {
    const cache = new EntitlementsCache(30_000);
    await expect(cache.resolve('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.resolve('a', async () => record)).not.toBeNull();
  });
});
