import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { APP_ENV_NAMES, STACK_ENV, STACK_VERSIONS } from './stack-config';

/** docker-compose.yml must offer the same stack as `stack:up`: same ports, variables and versions. */

interface ComposeService {
  image?: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  build?: { dockerfile: string };
}

const compose = parse(readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** `127.0.0.1:${VAR:-default}:containerPort` -> its parts. */
function publishedPorts(name: string): { variable: string; defaultPort: string; containerPort: string }[] {
  return (service(name).ports ?? []).map((mapping) => {
    const match = /^127\.0\.0\.1:\$\{(\w+):-(\d+)\}:(\d+)$/.exec(mapping);
    if (!match) throw new Error(`${name}: port mapping "${mapping}" is not 127.0.0.1:\${VAR:-default}:port`);
    return { variable: match[1]!, defaultPort: match[2]!, containerPort: match[3]! };
  });
}

const APPS = ['ingest-producer', 'enricher', 'opensearch-indexer', 'firehose-archiver', 'consumer-gateway'];

describe('docker-compose.yml agrees with the local stack', () => {
  it.each([
    ['kafka', [STACK_ENV.kafkaPort, STACK_ENV.kafkaScramPort]],
    ['opensearch', [STACK_ENV.openSearchPort]],
    ['dynamodb', [STACK_ENV.dynamoDbPort]],
    ['s3', [STACK_ENV.s3Port]],
    ['consumer-gateway', [STACK_ENV.gatewayPort]],
  ])('%s publishes the same host ports under the same variables', (name, variables) => {
    expect(publishedPorts(name)).toEqual(
      variables.map((variable) => ({
        variable: variable.name,
        defaultPort: variable.defaultValue,
        // Containers listen on the default port; only the host side moves with the variable.
        containerPort: variable.defaultValue,
      })),
    );
  });

  it('runs the pinned server versions', () => {
    expect(service('kafka').image).toBe(`apache/kafka:${STACK_VERSIONS.kafka}`);
    expect(service('kafka-init').image).toBe(`apache/kafka:${STACK_VERSIONS.kafka}`);
    expect(service('opensearch').image).toBe(`opensearchproject/opensearch:${STACK_VERSIONS.opensearch}`);
    expect(service('dynamodb').image).toBe(`amazon/dynamodb-local:${STACK_VERSIONS.dynamodbLocal}`);
    expect(service('s3').image).toBe(`adobe/s3mock:${STACK_VERSIONS.s3mock}`);
  });

  it('configures Kafka like the local broker: SCRAM listener, deny by default, no auto-created topics', () => {
    const env = service('kafka').environment ?? {};
    expect(env['KAFKA_LISTENERS']).toContain('CUSTOMER://0.0.0.0:9096');
    expect(env['KAFKA_LISTENER_SECURITY_PROTOCOL_MAP']).toContain('CUSTOMER:SASL_PLAINTEXT');
    expect(env['KAFKA_SASL_ENABLED_MECHANISMS']).toBe('SCRAM-SHA-512');
    expect(env['KAFKA_AUTHORIZER_CLASS_NAME']).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    expect(env['KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND']).toBe('false');
    expect(env['KAFKA_AUTO_CREATE_TOPICS_ENABLE']).toBe('false');
    expect(env['KAFKA_SUPER_USERS']).toBe(`User:ANONYMOUS;User:\${${STACK_ENV.adminUser.name}:-${STACK_ENV.adminUser.defaultValue}}`);
  });

  it('creates the SCRAM users from the same variables and defaults', () => {
    const env = service('kafka-init').environment ?? {};
    for (const variable of [STACK_ENV.customerUser, STACK_ENV.customerPassword, STACK_ENV.adminUser, STACK_ENV.adminPassword]) {
      expect(env[variable.name]).toBe(`\${${variable.name}:-${variable.defaultValue}}`);
    }
  });

  it.each(APPS)('%s is built from its Dockerfile and gets every connection variable', (name) => {
    const app = service(name);
    expect(app.build?.dockerfile).toBe(`apps/${name}/Dockerfile`);
    expect(Object.keys(app.environment ?? {})).toEqual(expect.arrayContaining(Object.values(APP_ENV_NAMES)));
  });
});
