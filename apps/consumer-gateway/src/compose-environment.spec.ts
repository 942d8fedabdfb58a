import { envVarNames, loadServiceConfig } from '@tickwire/service-kit';
import { composeEnvironmentFor } from '@tickwire/testing';
import { CONSUMER_GATEWAY } from './service-definition';

// Issue 16: docker-compose.yml once set GATEWAY_PORT, which no app reads.
it('docker-compose.yml gives consumer-gateway an environment its config schema accepts, and nothing it ignores', () => {
  const { env, unread } = composeEnvironmentFor('consumer-gateway', envVarNames(CONSUMER_GATEWAY.envSchema));
  expect(() => loadServiceConfig(CONSUMER_GATEWAY.name, CONSUMER_GATEWAY.envSchema, env)).not.toThrow();
  expect(unread).toEqual([]);
});
