import { loadServiceConfig } from '@tickwire/service-kit';
import { OPENSEARCH_INDEXER } from './service-definition';

describe('opensearch-indexer configuration', () => {
  const load = (env: NodeJS.ProcessEnv) => loadServiceConfig(OPENSEARCH_INDEXER.name, OPENSEARCH_INDEXER.envSchema, env);

  it('defaults to the local stack on port 8083', () => {
    expect(load({})).toMatchObject({ HTTP_PORT: 8083, OPENSEARCH_URL: 'http://127.0.0.1:9200' });
  });

  it('rejects a bad variable, naming it', () => {
    expect(() => load({ OPENSEARCH_URL: '127.0.0.1:9200' })).toThrow(
      'Invalid configuration for opensearch-indexer: OPENSEARCH_URL must be an http:// or https:// URL',
    );
    expect(() => load({ KAFKA_PARTITIONS_CONCURRENCY: '0' })).toThrow(/KAFKA_PARTITIONS_CONCURRENCY must be at least 1/);
  });
});
