import { enricherEnvSchema, type ServiceDefinition } from '@tickwire/service-kit';

/**
 * enricher: consumes raw trades and quotes, keeps per-symbol state, and (in the enrichment issue)
 * produces enriched events, 1-minute bars and alerts in Kafka transactions together with its input
 * offsets (exactly-once consume-transform-produce). Depends on Kafka and DynamoDB (reference data,
 * symbol-state).
 */
export const ENRICHER: ServiceDefinition<typeof enricherEnvSchema> = {
  name: 'enricher',
  envSchema: enricherEnvSchema,
  dependencies: ['kafka', 'dynamodb'],
  kafkaConsumer: { transactional: true },
};
