import type { ServiceDefinition } from '@tickwire/service-kit';
import { ingestProducerAppEnvSchema } from './config/ingest-producer-env';

/**
 * ingest-producer: reads market data from a source (LOBSTER / daily bars replay, Alpaca, synthetic) and
 * publishes validated raw events to the raw topics. Depends on Kafka only; holds an idempotent producer.
 */
export const INGEST_PRODUCER: ServiceDefinition<typeof ingestProducerAppEnvSchema> = {
  name: 'ingest-producer',
  envSchema: ingestProducerAppEnvSchema,
  dependencies: ['kafka'],
  // Compression comes from KAFKA_COMPRESSION (gzip pays towards MSK, only costs CPU on loopback).
  kafkaProducer: {},
};
