import type { ServiceDefinition } from '@tickwire/service-kit';
import { enricherSettingsEnvSchema } from './enrichment/enricher-env';

/**
 * enricher: consumes raw trades, quotes and daily bars, keeps per-symbol state, and produces enriched
 * events, 1-minute bars and alerts in Kafka transactions together with its input offsets (exactly-once
 * consume-transform-produce). Depends on Kafka and DynamoDB (reference data, symbol-state).
 * Environment: service-kit's enricher variables plus the enrichment settings (enricher-env.ts).
 */
/**
 * Transactional producers per task: the task's next transaction takes (and sends) outputs while the
 * previous one commits (TaskTransactionLanes orders the commits), so a commit never holds the live
 * feed back. Ids `enricher-<group>-<p>` and `enricher-<group>-<p>-1`.
 */
export const ENRICHER_PRODUCERS_PER_TASK = 2;

export const ENRICHER: ServiceDefinition<typeof enricherSettingsEnvSchema> = {
  name: 'enricher',
  envSchema: enricherSettingsEnvSchema,
  dependencies: ['kafka', 'dynamodb'],
  kafkaConsumer: { transactional: true, producersPerTask: ENRICHER_PRODUCERS_PER_TASK },
};
