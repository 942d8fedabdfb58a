import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import type { AwsCredentialIdentity } from './aws-connection-options';

/** Request signing for an Amazon OpenSearch Service domain (IAM access) or Serverless collection. */
export interface OpenSearchSigV4Options {
  /** Region of the domain, e.g. `us-east-1`. */
  region: string;
  /** `es` for a managed domain (default), `aoss` for OpenSearch Serverless. */
  service?: 'es' | 'aoss';
  /**
   * Credentials to sign with, fetched before each signature (the client caches them until they
   * expire). Default: the AWS SDK's default provider chain (env, profile, ECS task role, IMDS).
   */
  getCredentials?: () => Promise<AwsCredentialIdentity>;
}

export interface OpenSearchConnectionOptions {
  /** Cluster URL, e.g. `http://127.0.0.1:9200` or `https://search-x.us-east-1.es.amazonaws.com`. */
  url: string;
  /** Per-request timeout in ms; default 30000 (bulk requests of a few MB). */
  requestTimeoutMs?: number;
  /** Retries of a failed request on another node; default 3 (the client's default). */
  maxRetries?: number;
  /**
   * Sign every request with AWS Signature Version 4 (an IAM-only domain refuses anything else).
   * Omit for the local stack's OpenSearch. See {@link openSearchSigV4For} for choosing it from the URL.
   */
  sigv4?: OpenSearchSigV4Options;
}

/**
 * An OpenSearch client for `options`. Opens no connection until the first request. With `sigv4`,
 * requests are signed by the client's own `AwsSigv4Signer` (the OpenSearch JavaScript client's
 * documented way to reach Amazon OpenSearch Service: docs.opensearch.org, "Amazon OpenSearch
 * Service" in the JavaScript client guide).
 */
export function createOpenSearchClient(options: OpenSearchConnectionOptions): Client {
  const common = {
    node: options.url,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
  };
  if (!options.sigv4) return new Client(common);
  const { region, service = 'es', getCredentials } = options.sigv4;
  return new Client({
    ...AwsSigv4Signer({ region, service, getCredentials: getCredentials ?? defaultProvider() }),
    ...common,
  });
}

/** Host suffixes of AWS's OpenSearch endpoints: managed domains (`es`) and Serverless collections (`aoss`). */
const AWS_OPENSEARCH_HOSTS: readonly [suffix: RegExp, service: 'es' | 'aoss'][] = [
  [/\.(es|aos)\.amazonaws\.com(\.cn)?$/, 'es'],
  [/\.aoss\.amazonaws\.com(\.cn)?$/, 'aoss'],
];

/**
 * The signing options for an OpenSearch `url`: SigV4 for `region` when the host is an Amazon
 * OpenSearch Service endpoint (`*.es.amazonaws.com`, `*.aos.amazonaws.com`, VPC endpoints included)
 * or a Serverless collection (`*.aoss.amazonaws.com`); undefined otherwise (the local stack).
 *
 * @throws TypeError when `url` is not a URL
 */
export function openSearchSigV4For(url: string, region: string): OpenSearchSigV4Options | undefined {
  const host = new URL(url).hostname;
  for (const [suffix, service] of AWS_OPENSEARCH_HOSTS) if (suffix.test(host)) return { region, service };
  return undefined;
}
