import { Kafka, logLevel } from 'kafkajs';
import { createDynamoDbClient, createOpenSearchClient, createS3Client, provisionOpenSearch } from '@tickwire/aws';
import { provisionKafka } from '@tickwire/kafka';
import { customerReadOnlyAcls, DYNAMODB_TABLES, indexTemplates, kafkaTopicSpecs } from '@tickwire/resources';
import { LOCAL_AWS_CREDENTIALS, type StackConfig, stackEndpoints } from '../stack-config';
import { provisionDynamoDb } from './dynamodb-provisioner';
import { provisionS3Bucket } from './s3-provisioner';

/**
 * Creates everything the platform needs on a running stack, from the definitions in
 * @tickwire/resources: Kafka topics (each stream, its `.dlq`, `.late` for trades and quotes) and the
 * customer's read-only ACLs, OpenSearch index templates, DynamoDB tables and the archive bucket.
 * Idempotent: what exists is left alone (index templates are re-put with the same body).
 *
 * @param log one line per resource kind.
 * @throws Error from the first client whose server rejects a request.
 */
export async function provisionStack(config: StackConfig, log: (message: string) => void = () => undefined): Promise<void> {
  const endpoints = stackEndpoints(config);

  const kafka = new Kafka({ clientId: 'tickwire-stack-provision', brokers: [endpoints.kafkaBrokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const report = await provisionKafka(
      admin,
      kafkaTopicSpecs({ partitions: config.topicPartitions, replicationFactor: 1 }),
      customerReadOnlyAcls(config.kafkaUsers.customer.user),
    );
    log(
      `kafka: ${report.createdTopics.length} topics created, ${report.existingTopics.length} existed` +
        `${report.grownTopics.length ? `, ${report.grownTopics.length} got more partitions` : ''}; ` +
        `${report.acls} ACLs for User:${config.kafkaUsers.customer.user}`,
    );
  } finally {
    await admin.disconnect();
  }

  const openSearch = createOpenSearchClient({ url: endpoints.openSearchUrl });
  try {
    const templates = await provisionOpenSearch(openSearch, indexTemplates({ replicas: 0 }));
    log(`opensearch: index templates ${templates.join(', ')}`);
  } finally {
    await openSearch.close();
  }

  const dynamo = createDynamoDbClient({
    region: config.awsRegion,
    endpoint: endpoints.dynamoDbEndpoint,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  try {
    const report = await provisionDynamoDb(dynamo, DYNAMODB_TABLES);
    log(`dynamodb: ${report.createdTables.length} tables created, ${report.existingTables.length} existed${report.createdIndexes.length > 0 ? `, indexes added: ${report.createdIndexes.join(', ')}` : ''}`);
  } finally {
    dynamo.destroy();
  }

  const s3 = createS3Client({ region: config.awsRegion, endpoint: endpoints.s3Endpoint, credentials: LOCAL_AWS_CREDENTIALS });
  try {
    const created = await provisionS3Bucket(s3, config.archiveBucket);
    log(`s3: bucket ${config.archiveBucket} ${created ? 'created' : 'existed'}`);
  } finally {
    s3.destroy();
  }
}
