import { ingestProducerEnvSchema, type ServiceDefinition } from '@tickwire/service-kit';

/**
 * ingest-producer: reads market data from a source (LOBSTER replay, Alpaca, synthetic) and publishes
 * validated raw events to the raw topics. Depends on Kafka only; holds an idempotent producer.
 */
export const INGEST_PRODUCER: ServiceDefinition<typeof ingestProducerEnvSchema> = {
  name: 'ingest-producer',
  envSchema: ingestProducerEnvSchema,
  dependencies: ['kafka'],
  // Compression comes from KAFKA_COMPRESSION (gzip pays towards MSK, only costs CPU on loopback).
  kafkaProducer: {},
};
