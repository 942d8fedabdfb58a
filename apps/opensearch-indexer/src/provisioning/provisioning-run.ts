import type { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import { provisionOpenSearch, provisionOpenSearchSecurity } from '@tickwire/aws';
import { type KafkaClient, provisionKafka, type StructuredLogger } from '@tickwire/kafka';
import { openSearchSecurityRoles } from '@tickwire/resources';
import type { ProvisioningConfig } from './provisioning-config';

/** The clients a provisioning run uses (made by `provision.ts`, or by a test against the local stack). */
export interface ProvisioningClients {
  readonly kafka: KafkaClient;
  readonly openSearch: OpenSearchClient;
}

/** What a provisioning run did. */
export interface ProvisioningReport {
  readonly createdTopics: string[];
  readonly existingTopics: string[];
  readonly grownTopics: string[];
  readonly acls: number;
  readonly indexTemplates: string[];
  /** OpenSearch roles whose backend-role mapping was set (empty without OPENSEARCH_ROLE_MAPPINGS). */
  readonly mappedRoles: string[];
}

/**
 * Applies the published definitions, in the order the services need them: Kafka topics with their
 * configs (missing ones created, too few partitions raised) and every user's ACLs, then the OpenSearch
 * security roles and role mappings (when given: the indexer may not write before its mapping exists),
 * then the index templates. Idempotent: a second run changes nothing (the same libraries provision the
 * local stack, tools/stack).
 *
 * @throws Error from the first request Kafka or OpenSearch refuses; the caller exits non-zero, so the
 *   deploy that waits for this task stops before the services.
 */
export async function runProvisioning(
  config: ProvisioningConfig,
  clients: ProvisioningClients,
  logger: StructuredLogger,
): Promise<ProvisioningReport> {
  const admin = clients.kafka.admin();
  await admin.connect();
  let kafka;
  try {
    kafka = await provisionKafka(admin, config.topics, config.acls);
  } finally {
    await admin.disconnect();
  }
  logger.info(
    {
      created: kafka.createdTopics,
      grown: kafka.grownTopics,
      existing: kafka.existingTopics.length,
      acls: kafka.acls,
    },
    'kafka topics and ACLs applied',
  );
  const mappedRoles = config.roleMappings
    ? await provisionOpenSearchSecurity(clients.openSearch, openSearchSecurityRoles(), config.roleMappings)
    : [];
  if (mappedRoles.length > 0)
    logger.info({ roles: mappedRoles }, 'opensearch security roles and mappings applied');
  const indexTemplates = await provisionOpenSearch(clients.openSearch, config.indexTemplates);
  logger.info({ templates: indexTemplates }, 'opensearch index templates applied');
  return { ...kafka, indexTemplates, mappedRoles };
}
