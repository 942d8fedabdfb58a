import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of every Tickwire API key, so a leaked key is recognisable (secret scanners match on it). */
export const API_KEY_PREFIX = 'tw_';

/**
 * A new API key: `tw_` + 32 random bytes in base64url (256 bits of entropy, 46 characters).
 * Shown to the customer once; only its hash is stored.
 */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * The stored form of a key: SHA-256 hex of its UTF-8 bytes. A fast unsalted hash is the right tool
 * for high-entropy random keys (the lookup needs a deterministic hash, and 256 random bits cannot be
 * brute-forced; slow salted hashes such as bcrypt exist for low-entropy passwords). GitHub and Stripe
 * store their tokens the same way.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Public identifier of a key for listing and revoking: `key_` + the first 12 hex digits of its hash
 * (48 bits: unique within a customer's handful of keys, useless to an attacker).
 */
export function apiKeyIdOf(keyHash: string): string {
  return `key_${keyHash.slice(0, 12)}`;
}

/** Constant-time comparison of two hex hashes (guards a cache lookup against timing probes). */
export function sameKeyHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
