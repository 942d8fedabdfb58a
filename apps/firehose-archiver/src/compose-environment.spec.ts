import { envVarNames, loadServiceConfig } from '@tickwire/service-kit';
import { composeEnvironmentFor } from '@tickwire/testing';
import { FIREHOSE_ARCHIVER } from './service-definition';

// Issue 16: docker-compose.yml once set GATEWAY_PORT, which no app reads.
it('docker-compose.yml gives firehose-archiver an environment its config schema accepts, and nothing it ignores', () => {
  const { env, unread } = composeEnvironmentFor(
    'firehose-archiver',
    envVarNames(FIREHOSE_ARCHIVER.envSchema),
  );
  expect(() => loadServiceConfig(FIREHOSE_ARCHIVER.name, FIREHOSE_ARCHIVER.envSchema, env)).not.toThrow();
  expect(unread).toEqual([]);
});
