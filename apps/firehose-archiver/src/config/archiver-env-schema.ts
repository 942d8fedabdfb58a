import { ARCHIVE_DATA_PREFIX, ARCHIVE_ERROR_PREFIX } from '@tickwire/resources';
import { booleanField, firehoseArchiverEnvSchema } from '@tickwire/service-kit';
import { z } from 'zod';

/** An S3 key prefix: one or more path segments, no leading or trailing slash. */
const keyPrefixField = z.string().regex(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/, {
  error: 'must be an S3 key prefix such as raw or archive/raw (no leading or trailing slash)',
});

/**
 * firehose-archiver's environment: service-kit's shared variables (KAFKA_*, S3_ENDPOINT, AWS_REGION,
 * ARCHIVE_BUCKET default `tickwire-archive`, HTTP_PORT, LOG_LEVEL, ...) plus Kinesis Data Firehose's
 * S3 destination settings:
 * - BUFFER_SIZE_MIB (default 5, Firehose 1..128) and BUFFER_INTERVAL_SECONDS (default 300, Firehose
 *   0..900): the buffering hints, per topic-partition; whichever is reached first flushes the buffer;
 * - ARCHIVE_PREFIX (default `raw`) and ARCHIVE_ERROR_PREFIX (default `errors`): key prefixes of
 *   archived records and of records that failed validation;
 * - ARCHIVE_ENRICHED (default false): also archive the enriched, 1-minute bar and alert topics;
 * - KAFKA_TOPIC_PREFIX (default empty): namespace of the consumed topics on a shared cluster
 *   (`<prefix>market.trades.v1`); records are validated and filed under the contract topic name;
 * - UPLOAD_MAX_RETRIES (default 5): PutObject retries (exponential backoff 200 ms x2 up to 5 s) on
 *   top of the SDK's own 3 attempts, before the batch is given up and redelivered;
 * - KAFKA_SESSION_TIMEOUT_MS (default 30000): the consumer group session timeout, ms (heartbeats every
 *   third of it); at least the broker's group.min.session.timeout.ms (6000 by default). Tests lower it
 *   so that a paused or killed instance leaves the group quickly.
 */
export const archiverEnvSchema = firehoseArchiverEnvSchema.safeExtend({
  BUFFER_SIZE_MIB: z.coerce
    .number({ error: 'must be a number of MiB' })
    .positive({ error: 'must be a positive number of MiB' })
    .max(128, { error: 'must be at most 128 MiB (the Firehose maximum)' })
    .default(5),
  BUFFER_INTERVAL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .min(0, { error: 'must be at least 0 seconds' })
    .max(900, { error: 'must be at most 900 seconds (the Firehose maximum)' })
    .default(300),
  ARCHIVE_PREFIX: keyPrefixField.default(ARCHIVE_DATA_PREFIX),
  ARCHIVE_ERROR_PREFIX: keyPrefixField.default(ARCHIVE_ERROR_PREFIX),
  ARCHIVE_ENRICHED: booleanField.default(false),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, { error: 'must contain only letters, digits, dots, underscores and hyphens' })
    .default(''),
  UPLOAD_MAX_RETRIES: z.coerce
    .number({ error: 'must be a number of retries' })
    .int()
    .min(0, { error: 'must be at least 0' })
    .default(5),
  KAFKA_SESSION_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int()
    .min(6_000, { error: "must be at least 6000 ms (the broker's group.min.session.timeout.ms)" })
    .max(300_000, { error: 'must be at most 300000 ms' })
    .default(30_000),
});

export type ArchiverConfig = z.output<typeof archiverEnvSchema>;
