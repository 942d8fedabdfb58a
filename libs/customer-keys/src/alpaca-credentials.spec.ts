import { generateAlpacaCredentials, hashAlpacaSecret, isAlpacaKeyId } from './alpaca-credentials';

describe('Alpaca credentials', () => {
  it('are a TW + 18 base32 key id and a 43-character base64url secret, different every time', () => {
    const first = generateAlpacaCredentials();
    const second = generateAlpacaCredentials();
    expect(first.keyId).toMatch(/^TW[0-9A-Z]{18}$/);
    expect(isAlpacaKeyId(first.keyId)).toBe(true);
    expect(first.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.keyId).not.toBe(first.keyId);
    expect(second.secret).not.toBe(first.secret);
  });

  it('refuses key ids of another shape before any lookup', () => {
    expect(isAlpacaKeyId('PKABCDEFGHIJKLMNOPQR')).toBe(false);
    expect(isAlpacaKeyId('TW0123456789ABCDEFGI')).toBe(false); // I is not Crockford base32
    expect(isAlpacaKeyId('TW0123456789ABCDEFG')).toBe(false); // 19 characters
  });

  it('hash secrets with SHA-256 hex (reference: printf secret | sha256sum)', () => {
    expect(hashAlpacaSecret('secret')).toBe('2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b');
  });
});
