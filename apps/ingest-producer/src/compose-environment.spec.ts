import { envVarNames, loadServiceConfig } from '@tickwire/service-kit';
import { composeEnvironmentFor } from '@tickwire/testing';
import { INGEST_PRODUCER } from './service-definition';

// Issue 16: docker-compose.yml once set GATEWAY_PORT, which no app reads.
it('docker-compose.yml gives ingest-producer an environment its config schema accepts, and nothing it ignores', () => {
  const { env, unread } = composeEnvironmentFor('ingest-producer', envVarNames(INGEST_PRODUCER.envSchema));
  expect(() => loadServiceConfig(INGEST_PRODUCER.name, INGEST_PRODUCER.envSchema, env)).not.toThrow();
  expect(unread).toEqual([]);
});

it('docker-compose.yml mounts the market data the replay reads (the image has none: .dockerignore excludes data/)', () => {
  const { env } = composeEnvironmentFor('ingest-producer', envVarNames(INGEST_PRODUCER.envSchema));
  expect(env['SOURCE']).toBe('replay');
  // Translated through the bind mount to the host folder: the schema checked that it holds the data.
  expect(env['MARKET_DATA_DIR']).toMatch(/\/data\/market$/);
  expect(loadServiceConfig(INGEST_PRODUCER.name, INGEST_PRODUCER.envSchema, env).MARKET_DATA_DIR).toBe(
    env['MARKET_DATA_DIR'],
  );
});
