import { SILENT_LOGGER, createKafkaClient } from '@tickwire/kafka';
import { customerReadOnlyAcls, type IndexTemplateSpec, type KafkaTopicSpec } from '@tickwire/resources';
import { createLocalKafka, createLocalOpenSearch, uniqueName } from '@tickwire/testing';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { definitionSuffix, loadProvisioningConfig } from './provisioning-config';
import { runProvisioning } from './provisioning-run';

/**
 * The provisioning run on the local stack, configured as infra's task configures it (definitions as
 * JSON variables): what it creates exists afterwards, a second run changes nothing, and a raised
 * partition count is applied. Names are unique per run; everything is removed at the end.
 */
describe('provisioning run (provision.js) on the local stack', () => {
  const id = uniqueName('prov').toLowerCase();
  const topic = `tickwire.${id}.v1`;
  const user = `${id}-customer`;
  const template: IndexTemplateSpec = {
    name: `tickwire-${id}`,
    body: {
      index_patterns: [`${id}-*`],
      priority: 1,
      template: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: { dynamic: false, properties: {} },
      },
      _meta: { owner: 'tickwire-test' },
    },
  };
  const topicSpec = (partitions: number): KafkaTopicSpec => ({
    name: topic,
    partitions,
    replicationFactor: 1,
    configs: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' },
    role: 'stream',
  });
  const environment = (partitions: number): NodeJS.ProcessEnv => ({
    KAFKA_BROKERS: process.env['KAFKA_BROKERS'],
    OPENSEARCH_URL: process.env['OPENSEARCH_URL'],
    PROVISION_KAFKA_TOPICS: JSON.stringify([topicSpec(partitions)]),
    [`PROVISION_KAFKA_ACLS_${definitionSuffix(user)}`]: JSON.stringify(customerReadOnlyAcls(user)),
    [`PROVISION_INDEX_TEMPLATE_${definitionSuffix(template.name)}`]: JSON.stringify(template),
  });
  const admin = createLocalKafka(`it-${id}`).admin();
  const openSearch = createLocalOpenSearch();

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin
      .deleteAcls({
        filters: [
          {
            resourceType: AclResourceTypes.ANY,
            resourcePatternType: ResourcePatternTypes.ANY,
            principal: `User:${user}`,
            host: '*',
            operation: AclOperationTypes.ANY,
            permissionType: AclPermissionTypes.ANY,
          },
        ],
      })
      .catch(() => undefined);
    await openSearch.indices.deleteIndexTemplate({ name: template.name }).catch(() => undefined);
    await admin.disconnect();
    await openSearch.close();
  });

  async function run(partitions: number) {
    const config = loadProvisioningConfig(environment(partitions));
    const kafka = createKafkaClient({ brokers: config.kafkaBrokers, clientId: `it-${id}` }, SILENT_LOGGER);
    return runProvisioning(config, { kafka, openSearch }, SILENT_LOGGER);
  }

  it('creates the topic with its configs, the ACLs and the index template', async () => {
    const report = await run(2);
    expect(report).toMatchObject({
      createdTopics: [topic],
      indexTemplates: [template.name],
      mappedRoles: [],
    });

    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]!.partitions).toHaveLength(2);
    const configs = await admin.describeConfigs({
      resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    expect(configs.resources[0]!.configEntries[0]!.configValue).toBe('3600000');

    const acls = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal: `User:${user}`,
      host: '*',
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const bindings = acls.resources.flatMap((r) => r.acls.map(() => r.resourceName));
    expect(bindings).toHaveLength(customerReadOnlyAcls(user).length);

    const exists = await openSearch.indices.existsIndexTemplate({ name: template.name });
    expect(exists.body).toBe(true);
  });

  it('changes nothing on a second run, and raises a partition count that grew', async () => {
    expect(await run(2)).toMatchObject({ createdTopics: [], existingTopics: [topic], grownTopics: [] });
    expect(await run(3)).toMatchObject({ createdTopics: [], grownTopics: [topic] });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]!.partitions).toHaveLength(3);
  });
});
