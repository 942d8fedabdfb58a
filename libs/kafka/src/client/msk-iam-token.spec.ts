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
const NOW = new Date('2026-12-07T20:15:42.123Z');

/** The query of the URL a token encodes. */
function decode(token: string): URL {
  expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  return new URL(Buffer.from(token, 'base64url').toString('utf8'));
}

/** What the AWS SDK's signer makes of the same presigned request. */
async function sdkPresigned(credentials: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}) {
  const signer = new SignatureV4({
    credentials,
    region: REGION,
    service: 'kafka-cluster',
    sha256: NodeSha256,
  });
  const host = `kafka.${REGION}.amazonaws.com`;
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: host,
      path: '/',
      query: { Action: 'kafka-cluster:Connect' },
      headers: { host },
    },
    { signingDate: NOW, expiresIn: 900 },
  );
  return signed.query as Record<string, string>;
}

describe('mskIamAuthToken', () => {
  it.each([
    ['long-term keys', { accessKeyId: 'AKIDTICKWIRETEST', secretAccessKey: 'tickwire/test+secret' }],
    [
      'a task role session',
      {
        accessKeyId: 'ASIATICKWIRETEST',
        secretAccessKey: 'tickwire-test-secret',
        sessionToken: 'IQoJb3JpZ2luX2VjE/+=token',
      },
    ],
  ])(
    'presigns kafka-cluster:Connect exactly as the AWS SDK signer does (%s)',
    async (_label, credentials) => {
      const { token, expiresAtMs } = mskIamAuthToken({ region: REGION, credentials, now: NOW });
      const url = decode(token);
      expect(url.origin).toBe('https://kafka.us-east-1.amazonaws.com');
      expect(url.pathname).toBe('/');
      const ours = Object.fromEntries(url.searchParams);
      const { 'User-Agent': userAgent, ...signed } = ours;
      expect(userAgent).toMatch(/^tickwire-msk-iam-signer\//);
      expect(signed).toEqual(await sdkPresigned(credentials));
      expect(signed['X-Amz-Date']).toBe('20261207T201542Z');
      expect(expiresAtMs).toBe(Date.parse('2026-12-07T20:30:42Z'));
    },
  );

  it('changes the signature with the secret (the broker would refuse a forged token)', () => {
    const a = decode(
      mskIamAuthToken({
        region: REGION,
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'one' },
        now: NOW,
      }).token,
    );
    const b = decode(
      mskIamAuthToken({
        region: REGION,
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'two' },
        now: NOW,
      }).token,
    );
    expect(a.searchParams.get('X-Amz-Signature')).not.toBe(b.searchParams.get('X-Amz-Signature'));
  });
});
