import { createHash, createHmac } from 'node:crypto';

/** AWS credentials as the SDK's providers return them. */
export interface AwsSigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Options of {@link mskIamAuthToken}. */
export interface MskIamTokenOptions {
  /** Region of the MSK cluster, e.g. `us-east-1`. */
  readonly region: string;
  readonly credentials: AwsSigningCredentials;
  /** Signing time; default now. */
  readonly now?: Date;
  /** Seconds the token is valid (MSK accepts up to 900); default 900. */
  readonly expiresInSeconds?: number;
}

/** An MSK IAM authentication token and when it stops being accepted. */
export interface MskIamToken {
  /** The SASL/OAUTHBEARER token: the base64url (unpadded) presigned `kafka-cluster:Connect` URL. */
  readonly token: string;
  /** Epoch ms after which the brokers refuse it. */
  readonly expiresAtMs: number;
}

/** Identifies this signer to MSK, as AWS's own signers do with theirs. */
const USER_AGENT = 'tickwire-msk-iam-signer/1.0';

/**
 * A token for Amazon MSK's IAM access control over SASL/OAUTHBEARER: a SigV4-presigned GET of
 * `https://kafka.<region>.amazonaws.com/?Action=kafka-cluster:Connect` (service `kafka-cluster`, only the
 * host header signed, empty payload), with a `User-Agent` parameter, base64url-encoded without padding.
 * That is the format of AWS's aws-msk-iam-sasl-signer-js (and its Python and Go twins), written here on
 * node:crypto so no new package is needed; the spec checks the signature against the AWS SDK's signer
 * (@smithy/signature-v4). Signing algorithm: "Create a signed AWS API request" (IAM user guide, SigV4).
 */
export function mskIamAuthToken(options: MskIamTokenOptions): MskIamToken {
  const now = options.now ?? new Date();
  const expires = options.expiresInSeconds ?? 900;
  const host = `kafka.${options.region}.amazonaws.com`;
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${options.region}/kafka-cluster/aws4_request`;
  const { accessKeyId, secretAccessKey, sessionToken } = options.credentials;
  const query: Record<string, string> = {
    Action: 'kafka-cluster:Connect',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': String(expires),
    'X-Amz-SignedHeaders': 'host',
    ...(sessionToken ? { 'X-Amz-Security-Token': sessionToken } : {}),
  };
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((key) => `${rfc3986(key)}=${rfc3986(query[key] ?? '')}`)
    .join('&');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${host}\n`, 'host', sha256Hex('')].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${secretAccessKey}`, day);
  for (const part of [options.region, 'kafka-cluster', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  const url = `https://${host}/?${canonicalQuery}&X-Amz-Signature=${signature}&User-Agent=${rfc3986(USER_AGENT)}`;
  return {
    token: Buffer.from(url, 'utf8').toString('base64url'),
    expiresAtMs: Math.floor(now.getTime() / 1000) * 1000 + expires * 1000,
  };
}

/** URI encoding as SigV4 wants it: encodeURIComponent plus `!'()*`. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
