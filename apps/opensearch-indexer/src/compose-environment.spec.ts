import { envVarNames, loadServiceConfig } from '@tickwire/service-kit';
import { composeEnvironmentFor } from '@tickwire/testing';
import { OPENSEARCH_INDEXER } from './service-definition';

// Issue 16: docker-compose.yml once set GATEWAY_PORT, which no app reads.
it('docker-compose.yml gives opensearch-indexer an environment its config schema accepts, and nothing it ignores', () => {
  const { env, unread } = composeEnvironmentFor(
    'opensearch-indexer',
    envVarNames(OPENSEARCH_INDEXER.envSchema),
  );
  expect(() => loadServiceConfig(OPENSEARCH_INDEXER.name, OPENSEARCH_INDEXER.envSchema, env)).not.toThrow();
  expect(unread).toEqual([]);
});
