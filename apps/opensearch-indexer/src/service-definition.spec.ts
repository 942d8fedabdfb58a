import { loadServiceConfig } from '@tickwire/service-kit';
import { OPENSEARCH_INDEXER } from './service-definition';

describe('opensearch-indexer configuration', () => {
  const load = (env: NodeJS.ProcessEnv) =>
    loadServiceConfig(OPENSEARCH_INDEXER.name, OPENSEARCH_INDEXER.envSchema, env);

  it('defaults to the local stack on port 8083', () => {
    expect(load({})).toMatchObject({ HTTP_PORT: 8083, OPENSEARCH_URL: 'http://127.0.0.1:9200' });
  });

  it('reads the bulk tuning, with measured defaults', () => {
    expect(load({})).toMatchObject({
      BULK_MAX_DOCS: 1000,
      BULK_MAX_BYTES: 5 * 1024 * 1024,
      BULK_FLUSH_INTERVAL_MS: 50,
      BULK_MAX_RETRIES: 5,
      BULK_MAX_PENDING_BATCHES: 4,
    });
    expect(
      load({
        BULK_MAX_DOCS: '250',
        BULK_MAX_BYTES: '1048576',
        BULK_FLUSH_INTERVAL_MS: '10',
        BULK_MAX_RETRIES: '0',
        BULK_MAX_PENDING_BATCHES: '1',
      }),
    ).toMatchObject({
      BULK_MAX_DOCS: 250,
      BULK_MAX_BYTES: 1_048_576,
      BULK_FLUSH_INTERVAL_MS: 10,
      BULK_MAX_RETRIES: 0,
      BULK_MAX_PENDING_BATCHES: 1,
    });
    expect(() => load({ BULK_MAX_PENDING_BATCHES: '0' })).toThrow(/BULK_MAX_PENDING_BATCHES must be at least 1/);
    expect(() => load({ BULK_MAX_DOCS: '0' })).toThrow(
      /BULK_MAX_DOCS must be a positive number of documents/,
    );
    expect(() => load({ BULK_FLUSH_INTERVAL_MS: 'soon' })).toThrow(
      /BULK_FLUSH_INTERVAL_MS must be a number of milliseconds/,
    );
  });

  it('rejects a bad variable, naming it', () => {
    expect(() => load({ OPENSEARCH_URL: '127.0.0.1:9200' })).toThrow(
      'Invalid configuration for opensearch-indexer: OPENSEARCH_URL must be an http:// or https:// URL',
    );
    expect(() => load({ KAFKA_PARTITIONS_CONCURRENCY: '0' })).toThrow(
      /KAFKA_PARTITIONS_CONCURRENCY must be at least 1/,
    );
  });
});
