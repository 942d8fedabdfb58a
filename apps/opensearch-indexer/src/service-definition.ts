import { opensearchIndexerEnvSchema, type ServiceDefinition } from '@tickwire/service-kit';

/**
 * opensearch-indexer: consumes enriched events, 1-minute bars and alerts (read_committed) and
 * bulk-indexes them into daily OpenSearch indices with idempotent `create` by event id.
 * Depends on Kafka and OpenSearch.
 */
export const OPENSEARCH_INDEXER: ServiceDefinition<typeof opensearchIndexerEnvSchema> = {
  name: 'opensearch-indexer',
  envSchema: opensearchIndexerEnvSchema,
  dependencies: ['kafka', 'opensearch'],
  kafkaConsumer: {},
};
