import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { createDynamoDbClient, createOpenSearchClient, createS3Client } from '@tickwire/aws';
import {
  LOCAL_AWS_CREDENTIALS,
  resolveStackConfig,
  type StackConfig,
  stackEndpoints,
} from './local-stack-config';

/**
 * Clients pointing at the local stack, for integration tests. Each takes the stack config (default:
 * from the environment, as `stack:up` resolves it). Callers close what they create.
 */

/** A kafkajs client on the PLAINTEXT listener (the services' principal, a super user). */
export function createLocalKafka(clientId: string, config: StackConfig = resolveStackConfig()): Kafka {
  return new Kafka({
    clientId,
    brokers: [stackEndpoints(config).kafkaBrokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  });
}

/**
 * A kafkajs client on the customer listener (SASL_PLAINTEXT, SCRAM-SHA-512), as the customer user
 * unless `credentials` say otherwise. No retries: tests assert on the first failure.
 */
export function createCustomerKafka(
  clientId: string,
  credentials?: { readonly user: string; readonly password: string },
  config: StackConfig = resolveStackConfig(),
): Kafka {
  const { user, password } = credentials ?? config.kafkaUsers.customer;
  return new Kafka({
    clientId,
    brokers: [stackEndpoints(config).kafkaScramBrokers],
    sasl: { mechanism: 'scram-sha-512', username: user, password },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
}

/** OpenSearch client for the local node. */
export function createLocalOpenSearch(config: StackConfig = resolveStackConfig()): OpenSearchClient {
  return createOpenSearchClient({ url: stackEndpoints(config).openSearchUrl, maxRetries: 1 });
}

/** DynamoDB client for DynamoDB Local (letters-and-digits placeholder credentials it accepts). */
export function createLocalDynamoDb(config: StackConfig = resolveStackConfig()): DynamoDBClient {
  return createDynamoDbClient({
    region: config.awsRegion,
    endpoint: stackEndpoints(config).dynamoDbEndpoint,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
}

/** S3 client for S3Mock (path-style URLs). */
export function createLocalS3(config: StackConfig = resolveStackConfig()): S3Client {
  return createS3Client({
    region: config.awsRegion,
    endpoint: stackEndpoints(config).s3Endpoint,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
}

/**
 * Commits `groupId`'s offsets of every partition of `topics` at the partition's current end (high
 * watermark), so that a consumer of the group, even one configured `fromBeginning`, reads only what is
 * produced from now on. kafkajs' `admin.resetOffsets({ earliest: false })` is no substitute: it commits
 * the "latest" sentinel, which a `fromBeginning` consumer resolves to the earliest offset, so the group
 * read every earlier run's records of the shared topics first.
 *
 * @throws the admin client's error (e.g. the group has running members, or a topic does not exist)
 */
export async function commitOffsetsAtEnd(admin: Admin, groupId: string, topics: readonly string[]): Promise<void> {
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId, topic, partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) });
  }
}
