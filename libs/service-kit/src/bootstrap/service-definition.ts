import type { z } from 'zod';
import type { ServiceName } from '../config/service-env-schemas';
import type { DependencyDeclaration } from '../dependencies/dependency-providers';

/**
 * Everything service-kit needs to know to start a service: its name, env schema, dependencies and
 * whether it consumes Kafka (then it runs as a hybrid app: HTTP for health/metrics plus the Kafka
 * transport for its `@EventPattern` handlers).
 */
export interface ServiceDefinition<Schema extends z.ZodType = z.ZodType> extends DependencyDeclaration {
  name: ServiceName;
  envSchema: Schema;
  kafkaConsumer?: {
    /**
     * Give handlers `KafkaConsumerContext.transaction()` (exactly-once consume-transform-produce).
     * The transactional id is `<SERVICE_NAME>-<hostname>`: stable across restarts of one instance,
     * distinct between instances.
     */
    transactional?: boolean;
  };
}
