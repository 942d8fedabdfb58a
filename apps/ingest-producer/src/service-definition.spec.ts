import { loadServiceConfig } from '@tickwire/service-kit';
import { INGEST_PRODUCER } from './service-definition';

describe('ingest-producer configuration', () => {
  const load = (env: NodeJS.ProcessEnv) => loadServiceConfig(INGEST_PRODUCER.name, INGEST_PRODUCER.envSchema, env);

  it('defaults to the local stack on port 8081', () => {
    expect(load({})).toMatchObject({ HTTP_PORT: 8081, KAFKA_BROKERS: ['127.0.0.1:9092'], KAFKA_COMPRESSION: 'none' });
  });

  it('rejects a bad variable, naming it', () => {
    expect(() => load({ KAFKA_COMPRESSION: 'snappy' })).toThrow('Invalid configuration for ingest-producer: KAFKA_COMPRESSION must be none or gzip');
    expect(() => load({ KAFKA_BROKERS: 'localhost' })).toThrow(/KAFKA_BROKERS must be a comma-separated list of host:port/);
  });
});
