import { Client } from '@opensearch-project/opensearch';

export interface OpenSearchConnectionOptions {
  /** Cluster URL, e.g. `http://127.0.0.1:9200` or `https://search-x.us-east-1.es.amazonaws.com`. */
  url: string;
  /** Per-request timeout in ms; default 30000 (bulk requests of a few MB). */
  requestTimeoutMs?: number;
  /** Retries of a failed request on another node; default 3 (the client's default). */
  maxRetries?: number;
}

/** An OpenSearch client for `options`. Opens no connection until the first request. */
export function createOpenSearchClient(options: OpenSearchConnectionOptions): Client {
  return new Client({
    node: options.url,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
  });
}
