import type { ServiceDefinition } from '@tickwire/service-kit';
import { gatewayEnvSchema } from './config/gateway-config';

/**
 * consumer-gateway: the customer-facing API on HTTP_PORT (8080): live subscriptions over the
 * `/v1/stream` WebSocket protocol and GraphQL (graphql-ws at `/v1/graphql`), REST snapshots and history,
 * the stream catalog and the live page. Depends on Kafka (the customer topics, consumed by its own
 * per-instance consumer; a producer for dead letters), DynamoDB (API keys, symbol-state) and
 * OpenSearch (history).
 */
export const CONSUMER_GATEWAY: ServiceDefinition<typeof gatewayEnvSchema> = {
  name: 'consumer-gateway',
  envSchema: gatewayEnvSchema,
  dependencies: ['kafka', 'dynamodb', 'opensearch'],
  kafkaProducer: {},
};
