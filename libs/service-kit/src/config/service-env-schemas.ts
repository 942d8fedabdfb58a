import { ARCHIVE_BUCKET } from '@tickwire/resources';
import { z } from 'zod';
import {
  booleanField,
  brokerListField,
  endpointOverrideField,
  httpUrlField,
  logLevelField,
  millisecondsField,
  portField,
  serviceNameField,
} from './env-fields';

/**
 * Environment variables of the Tickwire services, as zod schemas: one per service, composed from
 * per-dependency groups. The schemas are the single source of truth for variable names, defaults and
 * validity; tools (docker-compose / task-definition checks, docs) list names with {@link envVarNames}.
 * Defaults point at the local stack on loopback.
 */

/** The five services and their default HTTP ports (health, metrics; the gateway's public API). */
export const SERVICE_HTTP_PORTS = {
  'consumer-gateway': 8080,
  'ingest-producer': 8081,
  enricher: 8082,
  'opensearch-indexer': 8083,
  'firehose-archiver': 8084,
} as const;
export type ServiceName = keyof typeof SERVICE_HTTP_PORTS;

/** Variables every service reads. */
export function baseEnvShape(service: ServiceName) {
  return {
    /** Name in logs, metrics, dead letters; default the service's own name. */
    SERVICE_NAME: serviceNameField.default(service),
    LOG_LEVEL: logLevelField.default('info'),
    HTTP_PORT: portField.default(SERVICE_HTTP_PORTS[service]),
    /** Hard limit for graceful shutdown after SIGTERM, ms; past it the process exits with code 1. */
    SHUTDOWN_TIMEOUT_MS: millisecondsField.default(10_000),
  };
}

/** Kafka connection. SASL/SCRAM is on when KAFKA_SASL_MECHANISM is set (then user and password are required). */
export const kafkaEnvShape = {
  KAFKA_BROKERS: brokerListField.default(['127.0.0.1:9092']),
  KAFKA_SSL: booleanField.default(false),
  KAFKA_SASL_MECHANISM: z
    .enum(['scram-sha-256', 'scram-sha-512'], { error: 'must be scram-sha-256 or scram-sha-512' })
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1, { error: 'must not be empty' }).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1, { error: 'must not be empty' }).optional(),
};

/** Kafka producers: batch compression (kafkajs ships gzip only); worth it towards MSK, not on loopback. */
export const kafkaProducerEnvShape = {
  KAFKA_COMPRESSION: z.enum(['none', 'gzip'], { error: 'must be none or gzip' }).default('none'),
};

/** Kafka consumers: the consumer group (default SERVICE_NAME, applied by the service). */
export const kafkaConsumerEnvShape = {
  KAFKA_CONSUMER_GROUP: serviceNameField.optional(),
  /** Partitions handled in parallel per instance; each partition stays ordered. */
  KAFKA_PARTITIONS_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1, { error: 'must be at least 1' })
    .max(64)
    .default(1),
};

export const awsEnvShape = {
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be an AWS region such as us-east-1' })
    .default('us-east-1'),
};

export const dynamoDbEnvShape = {
  ...awsEnvShape,
  DYNAMODB_ENDPOINT: endpointOverrideField('http://127.0.0.1:8000'),
};

export const s3EnvShape = {
  ...awsEnvShape,
  S3_ENDPOINT: endpointOverrideField('http://127.0.0.1:9090'),
};

/** OpenSearch; AWS_REGION is the region requests to an Amazon OpenSearch Service endpoint are signed for (SigV4). */
export const openSearchEnvShape = {
  ...awsEnvShape,
  OPENSEARCH_URL: httpUrlField.default('http://127.0.0.1:9200'),
};

/** SASL settings must come complete: a mechanism without credentials would fail only at connect time. */
function requireCompleteSasl(
  env: { KAFKA_SASL_MECHANISM?: string; KAFKA_SASL_USERNAME?: string; KAFKA_SASL_PASSWORD?: string },
  ctx: z.RefinementCtx,
): void {
  if (env.KAFKA_SASL_MECHANISM === undefined) return;
  for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
    if (env[name] === undefined) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'is required when KAFKA_SASL_MECHANISM is set' });
    }
  }
}

export const ingestProducerEnvSchema = z
  .object({ ...baseEnvShape('ingest-producer'), ...kafkaEnvShape, ...kafkaProducerEnvShape })
  .superRefine(requireCompleteSasl);

export const enricherEnvSchema = z
  .object({ ...baseEnvShape('enricher'), ...kafkaEnvShape, ...kafkaConsumerEnvShape, ...dynamoDbEnvShape })
  .superRefine(requireCompleteSasl);

export const opensearchIndexerEnvSchema = z
  .object({
    ...baseEnvShape('opensearch-indexer'),
    ...kafkaEnvShape,
    ...kafkaConsumerEnvShape,
    ...openSearchEnvShape,
  })
  .superRefine(requireCompleteSasl);

export const firehoseArchiverEnvSchema = z
  .object({
    ...baseEnvShape('firehose-archiver'),
    ...kafkaEnvShape,
    ...kafkaConsumerEnvShape,
    ...s3EnvShape,
    ARCHIVE_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be a valid S3 bucket name' })
      .default(ARCHIVE_BUCKET),
  })
  .superRefine(requireCompleteSasl);

export const consumerGatewayEnvSchema = z
  .object({
    ...baseEnvShape('consumer-gateway'),
    ...kafkaEnvShape,
    ...kafkaConsumerEnvShape,
    ...dynamoDbEnvShape,
  })
  .superRefine(requireCompleteSasl);

/** Every service's schema, by service name: what tools iterate to list or check variables. */
export const SERVICE_ENV_SCHEMAS = {
  'ingest-producer': ingestProducerEnvSchema,
  enricher: enricherEnvSchema,
  'opensearch-indexer': opensearchIndexerEnvSchema,
  'firehose-archiver': firehoseArchiverEnvSchema,
  'consumer-gateway': consumerGatewayEnvSchema,
} as const satisfies Record<ServiceName, z.ZodType>;

export type IngestProducerConfig = z.output<typeof ingestProducerEnvSchema>;
export type EnricherConfig = z.output<typeof enricherEnvSchema>;
export type OpensearchIndexerConfig = z.output<typeof opensearchIndexerEnvSchema>;
export type FirehoseArchiverConfig = z.output<typeof firehoseArchiverEnvSchema>;
export type ConsumerGatewayConfig = z.output<typeof consumerGatewayEnvSchema>;
