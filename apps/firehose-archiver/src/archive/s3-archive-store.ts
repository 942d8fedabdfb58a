import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pRetry from 'p-retry';
import type { ArchiveObject } from './archive-objects';
import type { ArchiveStore, CreateResult } from './archive.service';

/** Retry policy of one PutObject. */
export interface UploadRetryOptions {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

/** 200 ms, 400 ms, ... capped at 5 s; five retries span about 6-12 s, on top of the SDK's 3 attempts. */
export const DEFAULT_UPLOAD_RETRY: UploadRetryOptions = {
  retries: 5,
  minTimeoutMs: 200,
  maxTimeoutMs: 5_000,
};

/** The HTTP status of an AWS SDK error, undefined when there was no answer. */
function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/**
 * True for a failure worth retrying: no HTTP answer (connection refused or reset, timeout), 409
 * `ConditionalRequestConflict` (a conditional write raced another write of the same key; AWS: "retry
 * the request"), 429, or 5xx (S3 `SlowDown` is a 503). A 4xx such as NoSuchBucket or AccessDenied is
 * a configuration problem a retry will not fix, and 412 is an answer, not a failure (see
 * {@link S3ArchiveStore.create}).
 */
export function isRetryableS3Error(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === undefined || status === 409 || status === 429 || status >= 500;
}

/** Thrown when the object under a key holds no readable offset range (not written by this archiver). */
export class ForeignArchiveObjectError extends Error {
  override readonly name = 'ForeignArchiveObjectError';
}

/**
 * Writes archive objects to one bucket, create-only: PutObject with `If-None-Match: *` (S3
 * conditional writes, https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html),
 * retried with exponential backoff (p-retry). An object is never replaced: S3 answers 412
 * PreconditionFailed when the key exists, and the store then reads that object's offset range from
 * its metadata (HeadObject; S3 reads are strongly consistent). Correctness needs S3's atomicity: of
 * concurrent creates of one key exactly one succeeds (the others get 412, or 409 ConditionalRequestConflict,
 * retried). S3Mock 4.7.0, the local stack's S3, answers 412 on an existing key but does not serialize
 * concurrent creates (several can succeed; `archive.rebalance-storm.int-spec.ts` measures it), so on the
 * local stack two owners creating the same key within milliseconds could still overwrite each other.
 */
export class S3ArchiveStore implements ArchiveStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly retry: UploadRetryOptions = DEFAULT_UPLOAD_RETRY,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Creates `object` under its key unless the key exists. Metadata `first-offset`, `last-offset`
   * (Kafka offsets, decimal) and `record-count` record the object's range for a later writer of the
   * same key. A retried attempt whose first try had landed (a timeout after the write) gets 412 too
   * and reads back its own range, which is the same answer.
   *
   * @returns `{ created: true }`, or `{ created: false, existing }` with the existing object's range.
   * @throws the S3 error once retries are exhausted, at once for a non-retryable one, or when aborted;
   *   ForeignArchiveObjectError when the existing object has no offset metadata.
   */
  async create(object: ArchiveObject): Promise<CreateResult> {
    try {
      await this.withRetry(() =>
        this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: object.key,
            Body: object.body,
            IfNoneMatch: '*',
            ContentType: 'application/x-ndjson',
            ContentEncoding: 'gzip',
            Metadata: {
              'record-count': String(object.records),
              'first-offset': object.firstOffset.toString(),
              'last-offset': object.lastOffset.toString(),
            },
          }),
        ),
      );
      return { created: true };
    } catch (error) {
      if (httpStatusOf(error) !== 412) throw error;
    }
    const head = await this.withRetry(() =>
      this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: object.key })),
    );
    const first = head.Metadata?.['first-offset'];
    const last = head.Metadata?.['last-offset'];
    if (!first || !last || !/^\d+$/.test(first) || !/^\d+$/.test(last)) {
      throw new ForeignArchiveObjectError(
        `s3://${this.bucket}/${object.key} exists without first-offset/last-offset metadata`,
      );
    }
    return { created: false, existing: { firstOffset: BigInt(first), lastOffset: BigInt(last) } };
  }

  private withRetry<T>(send: () => Promise<T>): Promise<T> {
    return pRetry(send, {
      retries: this.retry.retries,
      minTimeout: this.retry.minTimeoutMs,
      maxTimeout: this.retry.maxTimeoutMs,
      factor: 2,
      randomize: true,
      ...(this.signal ? { signal: this.signal } : {}),
      shouldRetry: ({ error }) => isRetryableS3Error(error),
    });
  }
}
