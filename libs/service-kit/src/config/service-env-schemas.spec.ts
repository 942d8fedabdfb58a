import { envVarNames, loadServiceConfig, ServiceConfigError } from './service-config-loader';
import { SERVICE_ENV_SCHEMAS, SERVICE_HTTP_PORTS, type ServiceName } from './service-env-schemas';

const SERVICES = Object.keys(SERVICE_ENV_SCHEMAS) as ServiceName[];

function configError(run: () => unknown): ServiceConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ServiceConfigError) return error;
    throw error;
  }
  throw new Error('expected a ServiceConfigError');
}

describe('service env schemas', () => {
  it.each(SERVICES)('%s starts on an empty environment with the local-stack defaults', (service) => {
    const config = loadServiceConfig(service, SERVICE_ENV_SCHEMAS[service], {}) as Record<string, unknown>;
    expect(config).toMatchObject({
      SERVICE_NAME: service,
      LOG_LEVEL: 'info',
      HTTP_PORT: SERVICE_HTTP_PORTS[service],
      SHUTDOWN_TIMEOUT_MS: 10_000,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_SSL: false,
    });
  });

  it('gives each service its documented HTTP port', () => {
    expect(SERVICE_HTTP_PORTS).toEqual({
      'consumer-gateway': 8080,
      'ingest-producer': 8081,
      enricher: 8082,
      'opensearch-indexer': 8083,
      'firehose-archiver': 8084,
    });
  });

  it.each(SERVICES)('%s rejects an empty KAFKA_BROKERS, naming it', (service) => {
    const error = configError(() =>
      loadServiceConfig(service, SERVICE_ENV_SCHEMAS[service], { KAFKA_BROKERS: '' }),
    );
    expect(error.problems.map((problem) => problem.variable)).toEqual(['KAFKA_BROKERS']);
    expect(error.message).toBe(
      `Invalid configuration for ${service}: KAFKA_BROKERS must list at least one broker as host:port`,
    );
  });

  it('parses a broker list and rejects entries without a port', () => {
    const config = loadServiceConfig('enricher', SERVICE_ENV_SCHEMAS.enricher, {
      KAFKA_BROKERS: 'b-1:9092, b-2:9092',
    });
    expect(config.KAFKA_BROKERS).toEqual(['b-1:9092', 'b-2:9092']);
    const error = configError(() =>
      loadServiceConfig('enricher', SERVICE_ENV_SCHEMAS.enricher, { KAFKA_BROKERS: 'b-1:9092,b-2' }),
    );
    expect(error.message).toContain('KAFKA_BROKERS must be a comma-separated list of host:port');
  });

  it('names every bad variable at once, without echoing values', () => {
    const error = configError(() =>
      loadServiceConfig('opensearch-indexer', SERVICE_ENV_SCHEMAS['opensearch-indexer'], {
        HTTP_PORT: '70000',
        LOG_LEVEL: 'loud',
        OPENSEARCH_URL: 'ftp://secret-host',
        KAFKA_SSL: 'yes',
      }),
    );
    expect(error.problems.map((problem) => problem.variable).sort()).toEqual([
      'HTTP_PORT',
      'KAFKA_SSL',
      'LOG_LEVEL',
      'OPENSEARCH_URL',
    ]);
    expect(error.message).not.toContain('secret-host');
  });

  it('requires SASL credentials when a mechanism is set', () => {
    const error = configError(() =>
      loadServiceConfig('ingest-producer', SERVICE_ENV_SCHEMAS['ingest-producer'], {
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
      }),
    );
    expect(error.problems).toEqual([
      { variable: 'KAFKA_SASL_USERNAME', reason: 'is required when KAFKA_SASL_MECHANISM is set' },
      { variable: 'KAFKA_SASL_PASSWORD', reason: 'is required when KAFKA_SASL_MECHANISM is set' },
    ]);
  });

  it('treats an empty AWS endpoint as "use the AWS endpoint"', () => {
    const config = loadServiceConfig('enricher', SERVICE_ENV_SCHEMAS.enricher, { DYNAMODB_ENDPOINT: '' });
    expect(config.DYNAMODB_ENDPOINT).toBeUndefined();
    expect(loadServiceConfig('enricher', SERVICE_ENV_SCHEMAS.enricher, {}).DYNAMODB_ENDPOINT).toBe(
      'http://127.0.0.1:8000',
    );
  });

  it('lists the variable names of each service', () => {
    expect(envVarNames(SERVICE_ENV_SCHEMAS['firehose-archiver'])).toEqual([
      'ARCHIVE_BUCKET',
      'AWS_REGION',
      'HTTP_PORT',
      'KAFKA_BROKERS',
      'KAFKA_CONSUMER_GROUP',
      'KAFKA_PARTITIONS_CONCURRENCY',
      'KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_PASSWORD',
      'KAFKA_SASL_USERNAME',
      'KAFKA_SSL',
      'LOG_LEVEL',
      'S3_ENDPOINT',
      'SERVICE_NAME',
      'SHUTDOWN_TIMEOUT_MS',
    ]);
    expect(envVarNames(SERVICE_ENV_SCHEMAS['ingest-producer'])).toContain('KAFKA_COMPRESSION');
    expect(envVarNames(SERVICE_ENV_SCHEMAS['opensearch-indexer'])).toContain('OPENSEARCH_URL');
  });
});
