import { ARCHIVE_BUCKET } from '@tickwire/resources';
import {
  appEnvironment,
  assertDistinctPorts,
  LOCAL_AWS_CREDENTIALS,
  resolveStackConfig,
  STACK_ENV,
  stackEndpoints,
} from './local-stack-config';

describe('resolveStackConfig', () => {
  it('uses the documented defaults when the environment sets nothing', () => {
    const config = resolveStackConfig({});
    expect(config.ports).toEqual({
      kafka: 9092,
      kafkaScram: 9096,
      kafkaController: 9093,
      opensearch: 9200,
      dynamodb: 8000,
      s3: 9090,
      s3Https: 9191,
      gateway: 8080,
    });
    expect(config.kafkaUsers.customer.user).toBe('customer');
    expect(config.topicPartitions).toBe(3);
    expect(config.stackDir).toBe(STACK_ENV.stackDir.defaultValue);
  });

  it('takes ports, users and folders from the environment', () => {
    const config = resolveStackConfig({
      KAFKA_PORT: '19092',
      KAFKA_SCRAM_PORT: '19096',
      OPENSEARCH_PORT: '19200',
      KAFKA_CUSTOMER_USER: 'acme',
      TICKWIRE_STACK_DIR: '/var/tmp/stack',
      KAFKA_TOPIC_PARTITIONS: '6',
    });
    expect(config.ports.kafka).toBe(19092);
    expect(config.ports.kafkaScram).toBe(19096);
    expect(config.ports.opensearch).toBe(19200);
    expect(config.kafkaUsers.customer.user).toBe('acme');
    expect(config.stackDir).toBe('/var/tmp/stack');
    expect(config.topicPartitions).toBe(6);
    expect(stackEndpoints(config).kafkaBrokers).toBe('127.0.0.1:19092');
  });

  it('treats an empty variable as unset', () => {
    expect(resolveStackConfig({ KAFKA_PORT: '' }).ports.kafka).toBe(9092);
  });

  it.each(['0', '65536', 'abc', '80.5'])('rejects the port "%s" naming the variable', (value) => {
    expect(() => resolveStackConfig({ DYNAMODB_PORT: value })).toThrow(/DYNAMODB_PORT must be an integer/);
  });

  it('rejects two servers on one port', () => {
    expect(() => resolveStackConfig({ S3_PORT: '9200' })).toThrow('ports opensearch and s3 are both 9200');
  });

  it('gives apps the connection variables their config reads', () => {
    expect(appEnvironment(resolveStackConfig({}))).toEqual({
      KAFKA_BROKERS: '127.0.0.1:9092',
      OPENSEARCH_URL: 'http://127.0.0.1:9200',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      S3_ENDPOINT: 'http://127.0.0.1:9090',
      AWS_REGION: 'us-east-1',
      ARCHIVE_BUCKET: 'tickwire-archive',
      AWS_ACCESS_KEY_ID: 'tickwirelocal',
      AWS_SECRET_ACCESS_KEY: 'tickwirelocal',
    });
  });

  it('defaults the archive bucket to the one @tickwire/resources defines', () => {
    expect(STACK_ENV.archiveBucket.defaultValue).toBe(ARCHIVE_BUCKET);
  });

  it('uses placeholder credentials DynamoDB Local accepts (letters and digits only)', () => {
    expect(LOCAL_AWS_CREDENTIALS.accessKeyId).toMatch(/^[A-Za-z0-9]+$/);
  });
});

describe('assertDistinctPorts', () => {
  it('accepts distinct ports', () => {
    expect(() => assertDistinctPorts({ a: 1, b: 2, c: 3 })).not.toThrow();
  });
});
