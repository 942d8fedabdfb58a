import { Kafka, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { kafkaLogCreator, kafkaLogLevelFor } from './kafka-log-creator';
import { type AwsSigningCredentials, mskIamAuthToken } from './msk-iam-token';
import type { StructuredLogger } from './structured-logger';

/** The kafkajs client type, re-exported so code outside libs/kafka never imports kafkajs. */
export type KafkaClient = Kafka;

/** SASL/SCRAM credentials (Amazon MSK and Confluent-style clusters); PLAIN is deliberately not offered. */
export interface KafkaSaslScram {
  mechanism: 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

/**
 * Amazon MSK IAM access control (SASL/OAUTHBEARER with a SigV4-presigned token, port 9098): the
 * broker authorises by the caller's IAM policy (`kafka-cluster:*` actions), not by Kafka ACLs. What
 * bootstraps a cluster whose SCRAM users have no ACLs yet (the provisioning task).
 */
export interface KafkaSaslMskIam {
  mechanism: 'aws-msk-iam';
  /** Region of the cluster. */
  region: string;
  /** Credentials to sign with, asked at every (re)authentication, e.g. the SDK's default provider. */
  getCredentials: () => Promise<AwsSigningCredentials>;
}

/** How to reach a Kafka cluster: what the validated service config provides. */
export interface KafkaConnectionOptions {
  /** Bootstrap brokers as `host:port`, at least one. */
  brokers: readonly string[];
  /** Client id shown in broker logs and quotas; by convention the service name. */
  clientId: string;
  /** TLS to the brokers (required by MSK with SCRAM). Default false (local plaintext stack). */
  ssl?: boolean;
  /** SASL/SCRAM or MSK IAM authentication; omit for an unauthenticated cluster. */
  sasl?: KafkaSaslScram | KafkaSaslMskIam;
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
  const sasl = options.sasl ? saslOptions(options.sasl) : undefined;
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

function saslOptions(sasl: KafkaSaslScram | KafkaSaslMskIam): SASLOptions {
  switch (sasl.mechanism) {
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
    case 'aws-msk-iam': {
      const { region, getCredentials } = sasl;
      return {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({
          value: (await mskIamAuthToken({ region, getCredentials })).token,
        }),
      };
    }
  }
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
