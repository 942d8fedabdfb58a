import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pRetry from 'p-retry';
import type { ArchiveObject } from './archive-objects';
import type { ArchiveStore } from './archive.service';

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

/**
 * True for a failure worth retrying: no HTTP answer (connection refused or reset, timeout), 429, or
 * 5xx (S3 `SlowDown` is a 503). A 4xx such as NoSuchBucket or AccessDenied is a configuration
 * problem a retry will not fix.
 */
export function isRetryableS3Error(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status === 429 || status >= 500;
}

/** Writes archive objects to one bucket with PutObject, retried with exponential backoff (p-retry). */
export class S3ArchiveStore implements ArchiveStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly retry: UploadRetryOptions = DEFAULT_UPLOAD_RETRY,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Stores `object` under its key (overwriting an object of a previous delivery with the same key).
   * @throws the S3 error once retries are exhausted, at once for a non-retryable one, or when aborted.
   */
  async put(object: ArchiveObject): Promise<void> {
    await pRetry(
      () =>
        this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: object.key,
            Body: object.body,
            ContentType: 'application/x-ndjson',
            ContentEncoding: 'gzip',
            Metadata: {
              'record-count': String(object.records),
              'first-offset': object.firstOffset.toString(),
              'last-offset': object.lastOffset.toString(),
            },
          }),
        ),
      {
        retries: this.retry.retries,
        minTimeout: this.retry.minTimeoutMs,
        maxTimeout: this.retry.maxTimeoutMs,
        factor: 2,
        randomize: true,
        ...(this.signal ? { signal: this.signal } : {}),
        shouldRetry: ({ error }) => isRetryableS3Error(error),
      },
    );
  }
}
