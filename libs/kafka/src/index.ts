export * from './client/structured-logger';
export * from './client/kafka-client-factory';
export * from './client/kafka-log-creator';
export * from './client/kafka-readiness-probe';
export * from './kafka-record';
export * from './kafka-metrics-sink';
export * from './producer/record-producer';
export * from './dead-letter/dead-letter-publisher';
export * from './consumer/kafka-consumer-context';
export * from './consumer/kafka-handler-options';
export * from './consumer/kafka-consumer-server';
export * from './consumer/rethrow-rpc-exception-filter';
export * from './consumer/contract-records';
export * from './consumer/deferred-commit-consumer';
export * from './consumer/co-partitioned-assigner';
export * from './consumer/partition-task-producers';
// kafkajs types that services name in signatures, re-exported so apps import no Kafka client directly.
export type { Consumer as KafkaConsumer, EachBatchPayload as KafkaEachBatchPayload } from 'kafkajs';
export * from './consumer/partition-group';
