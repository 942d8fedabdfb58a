import { kafkaServerProperties, newClusterId } from './kafka-server';
import { resolveStackConfig } from '../stack-config';

function parseProperties(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('kafkaServerProperties', () => {
  const props = parseProperties(kafkaServerProperties(resolveStackConfig({ KAFKA_ADMIN_USER: 'root-admin' }), '/d'));

  it('listens on loopback: PLAINTEXT 9092, SCRAM 9096, controller 9093', () => {
    expect(props['listeners']).toBe('PLAINTEXT://127.0.0.1:9092,CUSTOMER://127.0.0.1:9096,CONTROLLER://127.0.0.1:9093');
    expect(props['listener.security.protocol.map']).toContain('CUSTOMER:SASL_PLAINTEXT');
    expect(props['sasl.enabled.mechanisms']).toBe('SCRAM-SHA-512');
  });

  it('denies by default and makes the services and the admin super users', () => {
    expect(props['authorizer.class.name']).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    expect(props['allow.everyone.if.no.acl.found']).toBe('false');
    expect(props['super.users']).toBe('User:ANONYMOUS;User:root-admin');
    expect(props['auto.create.topics.enable']).toBe('false');
    expect(props['offsets.topic.replication.factor']).toBe('1');
    expect(props['transaction.state.log.min.isr']).toBe('1');
  });
});

describe('newClusterId', () => {
  it('is a 22-character URL-safe base64 UUID not starting with "-"', () => {
    for (let i = 0; i < 200; i += 1) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
