import { apiKeyIdOf, generateApiKey, hashApiKey, sameKeyHash } from './api-key';

describe('API keys', () => {
  it('are tw_ + 43 base64url characters, different every time', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^tw_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(key);
  });

  it('hash with SHA-256 hex (reference: printf tw_test | sha256sum)', () => {
    expect(hashApiKey('tw_test')).toBe('8fe15eb6faeda52f81a809d0dd0bddcd1319a4b09a1d19f4d34b44b6ffbfa3b0');
  });

  it('have a short public id and compare hashes in constant time', () => {
    const hash = hashApiKey('tw_x');
    expect(apiKeyIdOf(hash)).toBe(`key_${hash.slice(0, 12)}`);
    expect(sameKeyHash(hash, hashApiKey('tw_x'))).toBe(true);
    expect(sameKeyHash(hash, hashApiKey('tw_y'))).toBe(false);
  });
});
