import { Kafka, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { kafkaLogCreator, kafkaLogLevelFor } from './kafka-log-creator';
import type { StructuredLogger } from './structured-logger';

/** The kafkajs client type, re-exported so code outside libs/kafka never imports kafkajs. */
export type KafkaClient = Kafka;

/** SASL/SCRAM credentials (Amazon MSK and Confluent-style clusters); PLAIN is deliberately not offered. */
export interface KafkaSaslScram {
  mechanism: 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

/** How to reach a Kafka cluster: what the validated service config provides. */
export interface KafkaConnectionOptions {
  /** Bootstrap brokers as `host:port`, at least one. */
  brokers: readonly string[];
  /** Client id shown in broker logs and quotas; by convention the service name. */
  clientId: string;
  /** TLS to the brokers (required by MSK with SCRAM). Default false (local plaintext stack). */
  ssl?: boolean;
  /** SASL/SCRAM authentication; omit for an unauthenticated cluster. */
  sasl?: KafkaSaslScram;
  /** TCP connect timeout in ms; kafkajs' default (1000 ms) is tight for cross-AZ TLS, so default 3000. */
  connectionTimeoutMs?: number;
  /** Per-request timeout in ms; default 30000 (kafkajs default). */
  requestTimeoutMs?: number;
}

/**
 * The kafkajs configuration for `options`, with kafkajs' logs bridged to `logger` at the level that
 * matches `logger.level`. Exposed separately from {@link createKafkaClient} so it can be asserted in
 * unit tests without opening sockets.
 */
export function kafkaClientConfig(options: KafkaConnectionOptions, logger: StructuredLogger): KafkaConfig {
  if (options.brokers.length === 0) {
    throw new Error('KafkaConnectionOptions.brokers must name at least one host:port');
  }
  const sasl: SASLOptions | undefined = options.sasl
    ? options.sasl.mechanism === 'scram-sha-256'
      ? { mechanism: 'scram-sha-256', username: options.sasl.username, password: options.sasl.password }
      : { mechanism: 'scram-sha-512', username: options.sasl.username, password: options.sasl.password }
    : undefined;
  return {
    clientId: options.clientId,
    brokers: [...options.brokers],
    ssl: options.ssl ?? false,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logLevel: kafkaLogLevelFor(logger.level),
    logCreator: kafkaLogCreator(logger),
  };
}

/**
 * A kafkajs client for `options`. Creating it opens no connection: producers, consumers and admins
 * made from it connect on their own `connect()`.
 *
 * @throws Error if `options.brokers` is empty.
 */
export function createKafkaClient(options: KafkaConnectionOptions, logger: StructuredLogger): Kafka {
  return new Kafka(kafkaClientConfig(options, logger));
}
