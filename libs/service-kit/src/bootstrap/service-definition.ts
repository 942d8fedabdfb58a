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
     * One transactional producer per task (partition p of every input topic, co-partitioned assignment),
     * id `<SERVICE_NAME>-<consumer group>-<p>`: the same on every instance, so the instance that takes a
     * task over fences the previous owner (see libs/kafka PartitionTaskProducers).
     */
    transactional?: boolean;
    /**
     * With `transactional`: producers per task (default 1). 2 gives each task a second transactional
     * id `<SERVICE_NAME>-<consumer group>-<p>-1`, so a handler can send into the task's next
     * transaction while the previous one commits (it orders the commits itself).
     */
    producersPerTask?: number;
  };
}
