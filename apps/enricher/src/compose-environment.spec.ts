import { envVarNames, loadServiceConfig } from '@tickwire/service-kit';
import { composeEnvironmentFor } from '@tickwire/testing';
import { ENRICHER } from './service-definition';

// Issue 16: docker-compose.yml once set GATEWAY_PORT, which no app reads.
it('docker-compose.yml gives enricher an environment its config schema accepts, and nothing it ignores', () => {
  const { env, unread } = composeEnvironmentFor('enricher', envVarNames(ENRICHER.envSchema));
  expect(() => loadServiceConfig(ENRICHER.name, ENRICHER.envSchema, env)).not.toThrow();
  expect(unread).toEqual([]);
});
