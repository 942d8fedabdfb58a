import { logLevel } from 'kafkajs';
import { createKafkaClient, kafkaClientConfig } from './kafka-client-factory';
import { kafkaLogCreator, kafkaLogLevelFor } from './kafka-log-creator';
import type { StructuredLogger } from './structured-logger';

function recordingLogger(level = 'info') {
  const lines: { level: string; fields: object; message: string }[] = [];
  const at = (name: string) => (fields: object, message: string) =>
    lines.push({ level: name, fields, message });
  const logger: StructuredLogger = {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    level,
  };
  return { logger, lines };
}

describe('kafkaClientConfig', () => {
  it('uses the brokers, client id and plaintext by default', () => {
    const { logger } = recordingLogger();
    const config = kafkaClientConfig({ brokers: ['127.0.0.1:9092'], clientId: 'enricher' }, logger);
    expect(config).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      clientId: 'enricher',
      ssl: false,
      connectionTimeout: 3000,
      requestTimeout: 30000,
    });
    expect(config.sasl).toBeUndefined();
  });

  it('configures TLS and SASL/SCRAM when given', () => {
    const { logger } = recordingLogger();
    const config = kafkaClientConfig(
      {
        brokers: ['b-1.msk:9096'],
        clientId: 'x',
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
      },
      logger,
    );
    expect(config.ssl).toBe(true);
    expect(config.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  });

  it('authenticates with MSK IAM over SASL/OAUTHBEARER, a fresh signed token at each authentication', async () => {
    const asked: number[] = [];
    const config = kafkaClientConfig(
      {
        brokers: ['b-1.tickwire.kafka.us-east-1.amazonaws.com:9098'],
        clientId: 'tickwire-provisioning',
        ssl: true,
        sasl: {
          mechanism: 'aws-msk-iam',
          region: 'us-east-1',
          getCredentials: async () => {
            asked.push(asked.length);
            return { accessKeyId: 'ASIATEST', secretAccessKey: 'secret', sessionToken: 'session' };
          },
        },
      },
      recordingLogger().logger,
    );
    const sasl = config.sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };
    expect(sasl.mechanism).toBe('oauthbearer');
    const { value } = await sasl.oauthBearerProvider();
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    expect(url.host).toBe('kafka.us-east-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session');
    await sasl.oauthBearerProvider();
    expect(asked).toHaveLength(2);
  });

  it('rejects an empty broker list', () => {
    const { logger } = recordingLogger();
    expect(() => createKafkaClient({ brokers: [], clientId: 'x' }, logger)).toThrow(/at least one host:port/);
  });

  it('follows the pino level for kafkajs verbosity', () => {
    expect(kafkaLogLevelFor('debug')).toBe(logLevel.DEBUG);
    expect(kafkaLogLevelFor('trace')).toBe(logLevel.DEBUG);
    expect(kafkaLogLevelFor('info')).toBe(logLevel.INFO);
    expect(kafkaLogLevelFor('warn')).toBe(logLevel.WARN);
    expect(kafkaLogLevelFor('fatal')).toBe(logLevel.ERROR);
    expect(kafkaLogLevelFor('silent')).toBe(logLevel.NOTHING);
    const { logger } = recordingLogger('warn');
    expect(kafkaClientConfig({ brokers: ['h:1'], clientId: 'x' }, logger).logLevel).toBe(logLevel.WARN);
  });
});

describe('kafkaLogCreator', () => {
  it('forwards kafkajs entries as structured lines at the matching level', () => {
    const { logger, lines } = recordingLogger();
    const log = kafkaLogCreator(logger)(logLevel.INFO);
    log({
      namespace: 'Consumer',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 't', logger: 'kafkajs', message: 'Crash', groupId: 'g' },
    });
    log({
      namespace: 'Producer',
      level: logLevel.WARN,
      label: 'WARN',
      log: { timestamp: 't', logger: 'kafkajs', message: 'Slow' },
    });
    log({
      namespace: 'Runner',
      level: logLevel.DEBUG,
      label: 'DEBUG',
      log: { timestamp: 't', logger: 'kafkajs', message: 'Fetch' },
    });
    expect(lines).toEqual([
      { level: 'error', fields: { kafka: { namespace: 'Consumer', groupId: 'g' } }, message: 'Crash' },
      { level: 'warn', fields: { kafka: { namespace: 'Producer' } }, message: 'Slow' },
      { level: 'debug', fields: { kafka: { namespace: 'Runner' } }, message: 'Fetch' },
    ]);
  });
});
