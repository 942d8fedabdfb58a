import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { createOpenSearchClient, openSearchSigV4For } from './opensearch-client-factory';

const CREDENTIALS = { accessKeyId: 'AKIDTICKWIRETEST', secretAccessKey: 'tickwire-test-secret' };
const REGION = 'eu-west-1';

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

interface Verdict {
  method: string;
  path: string;
  signedHeaders: string[];
  scope: string;
  valid: boolean;
}

/**
 * A stand-in for an IAM-only OpenSearch domain: it answers only requests whose SigV4 signature the
 * AWS SDK's own signer (@smithy/signature-v4) reproduces from the request and the known credentials;
 * anything else gets 403, as Amazon OpenSearch Service does.
 */
async function verifyingEndpoint(): Promise<{ url: string; verdicts: Verdict[]; server: Server }> {
  const verdicts: Verdict[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then(async (body) => {
      const verdict = await verify(request, body);
      verdicts.push(verdict);
      response.setHeader('content-type', 'application/json');
      if (!verdict.valid) {
        response.statusCode = 403;
        response.end(
          JSON.stringify({
            message: 'The request signature we calculated does not match the signature you provided.',
          }),
        );
        return;
      }
      response.end(
        JSON.stringify(
          request.url === '/'
            ? {
                name: 'sigv4-check',
                version: { number: '2.19.4', distribution: 'opensearch' },
                tagline: 'The OpenSearch Project',
              }
            : { _index: 'tickwire', _id: '1', result: 'created', _version: 1 },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, verdicts, server };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Re-signs the request with the SDK's signer, over the headers the client says it signed, and compares. */
async function verify(request: IncomingMessage, body: Buffer): Promise<Verdict> {
  const authorization = String(request.headers.authorization ?? '');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  const url = new URL(request.url ?? '/', 'http://placeholder');
  const path = url.pathname;
  if (!match) return { method: request.method ?? '', path, signedHeaders: [], scope: '', valid: false };
  const [, accessKeyId, , region, service, signed] = match as unknown as string[];
  const signedHeaders = (signed as string).split(';');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(request.headers[name] ?? '');
  const signer = new SignatureV4({
    credentials: CREDENTIALS,
    region: region as string,
    service: service as string,
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const amzDate = headers['x-amz-date'] ?? '';
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signedRequest = await signer.sign(
    {
      method: request.method ?? 'GET',
      protocol: 'http:',
      hostname: String(request.headers.host ?? '').split(':')[0] ?? '',
      path,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: body.length > 0 ? body : undefined,
    },
    { signingDate },
  );
  const valid =
    accessKeyId === CREDENTIALS.accessKeyId && signedRequest.headers['authorization'] === authorization;
  return { method: request.method ?? '', path, signedHeaders, scope: `${region}/${service}`, valid };
}

describe('OpenSearch client with SigV4 (issue 16: the domain is IAM-only)', () => {
  let endpoint: Awaited<ReturnType<typeof verifyingEndpoint>>;
  beforeEach(async () => {
    endpoint = await verifyingEndpoint();
  });
  afterEach(() => new Promise<void>((resolve) => endpoint.server.close(() => resolve())));

  it('signs reads and writes so that the AWS SDK signer reproduces the signature', async () => {
    const client = createOpenSearchClient({
      url: endpoint.url,
      maxRetries: 0,
      sigv4: { region: REGION, getCredentials: () => Promise.resolve(CREDENTIALS) },
    });
    const info = await client.info();
    expect(info.body.version.distribution).toBe('opensearch');
    await client.index({ index: 'tickwire', id: '1', body: { symbol: 'AAPL', lastPrice: 577.67 } });
    expect(endpoint.verdicts.map(({ method, scope, valid }) => [method, scope, valid])).toEqual([
      ['GET', `${REGION}/es`, true],
      ['PUT', `${REGION}/es`, true],
    ]);
    expect(endpoint.verdicts[1]?.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
  });

  it('is refused without signing, or with the wrong secret (the check can fail)', async () => {
    const unsigned = createOpenSearchClient({ url: endpoint.url, maxRetries: 0 });
    await expect(unsigned.info()).rejects.toThrow();
    const wrong = createOpenSearchClient({
      url: endpoint.url,
      maxRetries: 0,
      sigv4: {
        region: REGION,
        getCredentials: () => Promise.resolve({ ...CREDENTIALS, secretAccessKey: 'not-it' }),
      },
    });
    await expect(wrong.info()).rejects.toThrow();
    expect(endpoint.verdicts.map(({ valid }) => valid)).toEqual([false, false]);
  });
});

describe('openSearchSigV4For', () => {
  it('signs for AWS endpoints only', () => {
    expect(
      openSearchSigV4For('https://search-tickwire-abc123.us-east-1.es.amazonaws.com', 'us-east-1'),
    ).toEqual({ region: 'us-east-1', service: 'es' });
    expect(
      openSearchSigV4For('https://vpc-tickwire-abc123.eu-west-1.es.amazonaws.com:443', 'eu-west-1'),
    ).toEqual({ region: 'eu-west-1', service: 'es' });
    expect(openSearchSigV4For('https://abc123.us-east-1.aoss.amazonaws.com', 'us-east-1')).toEqual({
      region: 'us-east-1',
      service: 'aoss',
    });
    expect(openSearchSigV4For('http://127.0.0.1:9200', 'us-east-1')).toBeUndefined();
    expect(openSearchSigV4For('http://opensearch:9200', 'us-east-1')).toBeUndefined();
  });
});
