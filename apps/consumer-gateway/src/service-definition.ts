import { consumerGatewayEnvSchema, type ServiceDefinition } from '@tickwire/service-kit';

/**
 * consumer-gateway: the customer-facing API on HTTP_PORT (8080): the stream catalog now, live
 * subscriptions over WebSocket/GraphQL in the subscriptions issue. Depends on Kafka (the customer
 * topics) and DynamoDB (customer API keys).
 */
export const CONSUMER_GATEWAY: ServiceDefinition<typeof consumerGatewayEnvSchema> = {
  name: 'consumer-gateway',
  envSchema: consumerGatewayEnvSchema,
  dependencies: ['kafka', 'dynamodb'],
};
