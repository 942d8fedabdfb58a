import { firehoseArchiverEnvSchema, type ServiceDefinition } from '@tickwire/service-kit';

/**
 * firehose-archiver: consumes the raw topics and writes them to S3 as gzip NDJSON, laid out like a
 * Kinesis Data Firehose delivery (time-partitioned, see @tickwire/resources' archiveObjectKey).
 * Depends on Kafka and S3 (readiness HEADs ARCHIVE_BUCKET).
 */
export const FIREHOSE_ARCHIVER: ServiceDefinition<typeof firehoseArchiverEnvSchema> = {
  name: 'firehose-archiver',
  envSchema: firehoseArchiverEnvSchema,
  dependencies: ['kafka', 's3'],
  s3ReadinessBucketVariable: 'ARCHIVE_BUCKET',
  kafkaConsumer: {},
};
