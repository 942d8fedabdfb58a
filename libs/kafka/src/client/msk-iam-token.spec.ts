import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { mskIamAuthToken } from './msk-iam-token';

/** SHA-256 (and HMAC-SHA-256 with a secret) for the SDK signer, from node:crypto. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

const REGION = 'us-east-1';

/** The query of the URL a token encodes. */
function decode(token: string): URL {
  expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  return new URL(Buffer.from(token, 'base64url').toString('utf8'));
}

/** What the AWS SDK's signer makes of the same presigned request at `signingDate`. */
async function sdkPresigned(
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  signingDate: Date,
) {
  const signer = new SignatureV4({ credentials, region: REGION, service: 'kafka-cluster', sha256: NodeSha256 });
  const host = `kafka.${REGION}.amazonaws.com`;
  const signed = await signer.presign(
    { method: 'GET', protocol: 'https:', hostname: host, path: '/', query: { Action: 'kafka-cluster:Connect' }, headers: { host } },
    { signingDate, expiresIn: 900 },
  );
  return signed.query as Record<string, string>;
}

/** `20261207T201542Z` as a Date. */
const amzDate = (value: string) => new Date(value.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));

describe('mskIamAuthToken (AWS aws-msk-iam-sasl-signer-js)', () => {
  it.each([
    ['long-term keys', { accessKeyId: 'AKIDTICKWIRETEST', secretAccessKey: 'tickwire/test+secret' }],
    [
      'a task role session',
      { accessKeyId: 'ASIATICKWIRETEST', secretAccessKey: 'tickwire-test-secret', sessionToken: 'IQoJb3JpZ2luX2VjE/+=token' },
    ],
  ])('presigns kafka-cluster:Connect for 15 minutes as the AWS SDK signer does (%s)', async (_label, credentials) => {
    const before = Date.now();
    const { token, expiresAtMs } = await mskIamAuthToken({ region: REGION, getCredentials: async () => credentials });
    const url = decode(token);
    expect(url.origin).toBe('https://kafka.us-east-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const { 'User-Agent': userAgent, ...signed } = Object.fromEntries(url.searchParams);
    expect(userAgent).toMatch(/^aws-msk-iam-sasl-signer-js\//);
    const signedAt = amzDate(signed['X-Amz-Date'] ?? '');
    expect(signedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(signed).toEqual(await sdkPresigned(credentials, signedAt));
    expect(expiresAtMs).toBe(signedAt.getTime() + 900_000);
  });

  it('changes the signature with the secret (the broker would refuse a forged token)', async () => {
    const tokenWith = async (secretAccessKey: string) =>
      decode((await mskIamAuthToken({ region: REGION, getCredentials: async () => ({ accessKeyId: 'AKID', secretAccessKey }) })).token);
    const [a, b] = await Promise.all([tokenWith('one'), tokenWith('two')]);
    expect(a.searchParams.get('X-Amz-Signature')).not.toBe(b.searchParams.get('X-Amz-Signature'));
  });
});
