import type { ServiceDefinition } from '@tickwire/service-kit';
import { archiverEnvSchema } from './config/archiver-env-schema';

/**
 * firehose-archiver: consumes the raw topics (and optionally the enriched ones) and writes them to
 * S3 as gzip NDJSON, laid out like a Kinesis Data Firehose delivery (time-partitioned, see
 * @tickwire/resources' archiveObjectKey). Depends on Kafka and S3 (readiness HEADs ARCHIVE_BUCKET).
 *
 * No `kafkaConsumer` transport: Firehose buffering holds records across many fetched batches and
 * commits only after the upload, which a handler-per-batch transport cannot express; the archive
 * module runs @tickwire/kafka's DeferredCommitConsumer (ArchiveConsumer) on the service's KAFKA_CLIENT.
 */
export const FIREHOSE_ARCHIVER: ServiceDefinition<typeof archiverEnvSchema> = {
  name: 'firehose-archiver',
  envSchema: archiverEnvSchema,
  dependencies: ['kafka', 's3'],
  s3ReadinessBucketVariable: 'ARCHIVE_BUCKET',
};
