import { customerReadOnlyAcls, indexTemplates, kafkaTopicSpecs } from '@tickwire/resources';
import { ServiceConfigError } from '@tickwire/service-kit';
import { definitionSuffix, isProvisioningVariable, loadProvisioningConfig } from './provisioning-config';

/** The environment infra's provisioning task gives the run (values as SSM holds them). */
function taskEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    KAFKA_BROKERS:
      'b-1.tickwire.kafka.us-east-1.amazonaws.com:9098,b-2.tickwire.kafka.us-east-1.amazonaws.com:9098',
    KAFKA_SSL: 'true',
    KAFKA_SASL_MECHANISM: 'aws-msk-iam',
    AWS_REGION: 'us-east-1',
    OPENSEARCH_URL: 'https://vpc-tickwire-prod-abc.us-east-1.es.amazonaws.com',
    OPENSEARCH_ROLE_MAPPINGS: JSON.stringify({
      tickwire_indexer: ['arn:aws:iam::123456789012:role/tickwire-prod-opensearch-indexer-task'],
    }),
    PROVISION_KAFKA_TOPICS: JSON.stringify(
      kafkaTopicSpecs({ partitions: 6, replicationFactor: 3, minInsyncReplicas: 2 }),
    ),
    [`PROVISION_KAFKA_ACLS_${definitionSuffix('customer')}`]: JSON.stringify(
      customerReadOnlyAcls('customer'),
    ),
    [`PROVISION_KAFKA_ACLS_${definitionSuffix('other-customer')}`]: JSON.stringify(
      customerReadOnlyAcls('other-customer'),
    ),
  };
  for (const template of indexTemplates({ replicas: 1 })) {
    env[`PROVISION_INDEX_TEMPLATE_${definitionSuffix(template.name)}`] = JSON.stringify(template);
  }
  return env;
}

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadProvisioningConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceConfigError);
    return (error as ServiceConfigError).problems.map((p) => `${p.variable} ${p.reason}`);
  }
  return [];
}

describe('loadProvisioningConfig', () => {
  it('reads the cluster, the domain and every definition variable', () => {
    const config = loadProvisioningConfig(taskEnvironment());
    expect(config).toMatchObject({
      kafkaBrokers: [
        'b-1.tickwire.kafka.us-east-1.amazonaws.com:9098',
        'b-2.tickwire.kafka.us-east-1.amazonaws.com:9098',
      ],
      kafkaSsl: true,
      kafkaSaslMechanism: 'aws-msk-iam',
      awsRegion: 'us-east-1',
      roleMappings: {
        tickwire_indexer: ['arn:aws:iam::123456789012:role/tickwire-prod-opensearch-indexer-task'],
      },
    });
    expect(config.topics).toEqual(
      kafkaTopicSpecs({ partitions: 6, replicationFactor: 3, minInsyncReplicas: 2 }),
    );
    // Both users' ACLs, in variable-name order.
    expect(config.acls).toEqual([
      ...customerReadOnlyAcls('customer'),
      ...customerReadOnlyAcls('other-customer'),
    ]);
    expect(config.indexTemplates.map((t) => t.name).sort()).toEqual(
      indexTemplates()
        .map((t) => t.name)
        .sort(),
    );
  });

  it('runs against the local stack without MSK IAM or role mappings', () => {
    const env = taskEnvironment();
    for (const name of [
      'KAFKA_BROKERS',
      'KAFKA_SSL',
      'KAFKA_SASL_MECHANISM',
      'OPENSEARCH_URL',
      'OPENSEARCH_ROLE_MAPPINGS',
    ])
      delete env[name];
    const config = loadProvisioningConfig(env);
    expect(config).toMatchObject({
      kafkaBrokers: ['127.0.0.1:9092'],
      kafkaSsl: false,
      openSearchUrl: 'http://127.0.0.1:9200',
    });
    expect(config.kafkaSaslMechanism).toBeUndefined();
    expect(config.roleMappings).toBeUndefined();
  });

  it('names each bad variable, never its value', () => {
    const env: NodeJS.ProcessEnv = {
      ...taskEnvironment(),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      PROVISION_KAFKA_ACLS_CUSTOMER: '{not json',
      PROVISION_INDEX_TEMPLATE_TICKWIRE_ALERTS: JSON.stringify({ name: 'tickwire-alerts', body: {} }),
      OPENSEARCH_ROLE_MAPPINGS: JSON.stringify({ all_access: ['arn:aws:iam::123456789012:user/alice'] }),
    };
    delete env['PROVISION_KAFKA_TOPICS'];
    expect(problemsOf(env)).toEqual([
      'KAFKA_SASL_MECHANISM must be aws-msk-iam (or unset)',
      'PROVISION_KAFKA_TOPICS is required but not set',
      'PROVISION_KAFKA_ACLS_CUSTOMER is not JSON',
      'PROVISION_INDEX_TEMPLATE_TICKWIRE_ALERTS does not hold the expected definition (at body.index_patterns)',
      'OPENSEARCH_ROLE_MAPPINGS does not hold the expected definition (at all_access.0)',
    ]);
  });

  it('refuses a run with no index template', () => {
    const env = Object.fromEntries(
      Object.entries(taskEnvironment()).filter(([name]) => !name.startsWith('PROVISION_INDEX_TEMPLATE_')),
    );
    expect(problemsOf(env)).toEqual(['PROVISION_INDEX_TEMPLATE_* is required but not set']);
  });

  it('knows its variables: the fixed ones and the definition prefixes with a suffix', () => {
    expect(Object.keys(taskEnvironment()).every(isProvisioningVariable)).toBe(true);
    expect(isProvisioningVariable('PROVISION_KAFKA_ACLS_')).toBe(false);
    expect(isProvisioningVariable('KAFKA_SASL_USERNAME')).toBe(false);
    expect(definitionSuffix('tickwire-bars-1m')).toBe('TICKWIRE_BARS_1M');
  });
});
