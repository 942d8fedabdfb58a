import type { ServiceDefinition } from '@tickwire/service-kit';
import { indexerEnvSchema } from './config/indexer-env-schema';

/**
 * opensearch-indexer: consumes enriched events, 1-minute bars and alerts (read_committed: the
 * enricher writes them in transactions) and bulk-indexes them into daily OpenSearch indices with
 * `index` by deterministic `_id`, so a redelivery overwrites instead of duplicating.
 * Depends on Kafka and OpenSearch.
 */
export const OPENSEARCH_INDEXER: ServiceDefinition<typeof indexerEnvSchema> = {
  name: 'opensearch-indexer',
  envSchema: indexerEnvSchema,
  dependencies: ['kafka', 'opensearch'],
};
