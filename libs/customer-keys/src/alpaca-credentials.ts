import { randomBytes } from 'node:crypto';
import { hashApiKey } from './api-key';

/** Prefix of every Alpaca-compatible key id Tickwire issues (Alpaca's own start with `PK`/`AK`). */
export const ALPACA_KEY_ID_PREFIX = 'TW';

/** Crockford's base32 alphabet (no I, L, O, U): upper-case, unambiguous when read aloud or retyped. */
const CROCKFORD_BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An Alpaca-style credential pair as issued: the key id is public, the secret is shown once. */
export interface AlpacaCredentials {
  /** `TW` + 18 Crockford base32 characters (20 characters, like Alpaca's key ids); 90 random bits. */
  keyId: string;
  /** 32 random bytes in base64url (43 characters, 256 bits); only its SHA-256 is stored. */
  secret: string;
}

/**
 * A new Alpaca-compatible key id and secret for `/v2/tickwire` (what Alpaca's SDKs call `api_key` /
 * `keyId` and `secret_key` / `secret`). The key id is a lookup handle, not a secret; the secret carries
 * the 256 bits that make guessing hopeless, so it is stored like an API key ({@link hashAlpacaSecret}).
 */
export function generateAlpacaCredentials(): AlpacaCredentials {
  const bytes = randomBytes(18);
  let keyId = ALPACA_KEY_ID_PREFIX;
  for (const byte of bytes) keyId += CROCKFORD_BASE32[byte % 32];
  return { keyId, secret: randomBytes(32).toString('base64url') };
}

/** True when `keyId` has the shape {@link generateAlpacaCredentials} issues (checked before any lookup). */
export function isAlpacaKeyId(keyId: string): boolean {
  return /^TW[0-9A-HJKMNP-TV-Z]{18}$/.test(keyId);
}

/**
 * The stored form of an Alpaca secret: SHA-256 hex, as for API keys (see hashApiKey: a fast unsalted
 * hash is right for 256-bit random secrets).
 */
export function hashAlpacaSecret(secret: string): string {
  return hashApiKey(secret);
}
