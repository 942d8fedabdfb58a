/** The external systems a service can depend on; each gets a client provider and a readiness check. */
export type ServiceDependency = 'kafka' | 'opensearch' | 'dynamodb' | 's3';

/** kafkajs client (type `KafkaClient` from @tickwire/kafka), built from KAFKA_* variables. */
export const KAFKA_CLIENT = Symbol('tickwire:kafka-client');
/** Idempotent `RecordProducer` (connected at start-up), present when the service declares `kafkaProducer`. */
export const KAFKA_PRODUCER = Symbol('tickwire:kafka-producer');
/** OpenSearch `Client` built from OPENSEARCH_URL. */
export const OPENSEARCH_CLIENT = Symbol('tickwire:opensearch-client');
/** `DynamoDBClient` built from AWS_REGION / DYNAMODB_ENDPOINT. */
export const DYNAMODB_CLIENT = Symbol('tickwire:dynamodb-client');
/** `DynamoDBDocumentClient` over {@link DYNAMODB_CLIENT}. */
export const DYNAMODB_DOCUMENT_CLIENT = Symbol('tickwire:dynamodb-document-client');
/** `S3Client` built from AWS_REGION / S3_ENDPOINT. */
export const S3_CLIENT = Symbol('tickwire:s3-client');
/** The service's root pino `Logger` (also behind nestjs-pino). */
export const ROOT_LOGGER = Symbol('tickwire:root-logger');
/** `ReadinessCheck[]` evaluated by `GET /health/ready`. */
export const READINESS_CHECKS = Symbol('tickwire:readiness-checks');

/** One dependency probe of the readiness endpoint. */
export interface ReadinessCheck {
  /** Key in the health response, e.g. `kafka`. */
  name: string;
  /** Resolves with details shown in the response when the dependency answers; rejects otherwise. */
  probe(): Promise<Record<string, unknown>>;
}
