import {
  type AwsConnectionOptions,
  type OpenSearchConnectionOptions,
  openSearchSigV4For,
} from '@tickwire/aws';
import type { KafkaConnectionOptions } from '@tickwire/kafka';

/** Config fields read for Kafka (see `kafkaEnvShape`). */
export interface KafkaEnvConfig {
  SERVICE_NAME: string;
  KAFKA_BROKERS: string[];
  KAFKA_SSL: boolean;
  KAFKA_SASL_MECHANISM?: 'scram-sha-256' | 'scram-sha-512' | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
}

/** Kafka connection options from validated config; client id = SERVICE_NAME. */
export function kafkaConnectionFrom(config: KafkaEnvConfig): KafkaConnectionOptions {
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } = config;
  return {
    brokers: config.KAFKA_BROKERS,
    clientId: config.SERVICE_NAME,
    ssl: config.KAFKA_SSL,
    // The env schema guarantees username and password whenever a mechanism is set.
    ...(mechanism && username && password ? { sasl: { mechanism, username, password } } : {}),
  };
}

/** AWS options for DynamoDB from validated config. */
export function dynamoDbConnectionFrom(config: {
  AWS_REGION: string;
  DYNAMODB_ENDPOINT?: string | undefined;
}): AwsConnectionOptions {
  return {
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  };
}

/** AWS options for S3 from validated config. */
export function s3ConnectionFrom(config: {
  AWS_REGION: string;
  S3_ENDPOINT?: string | undefined;
}): AwsConnectionOptions {
  return { region: config.AWS_REGION, ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}) };
}

/**
 * OpenSearch options from validated config: requests are signed with SigV4 for `AWS_REGION` when
 * `OPENSEARCH_URL` is an Amazon OpenSearch Service endpoint (see openSearchSigV4For), with the task
 * role's credentials; the local stack's OpenSearch gets plain requests.
 */
export function openSearchConnectionFrom(config: {
  OPENSEARCH_URL: string;
  AWS_REGION?: string;
}): OpenSearchConnectionOptions {
  const sigv4 = openSearchSigV4For(config.OPENSEARCH_URL, config.AWS_REGION ?? 'us-east-1');
  return { url: config.OPENSEARCH_URL, ...(sigv4 ? { sigv4 } : {}) };
}
