import { S3Client } from '@aws-sdk/client-s3';
import { type AwsConnectionOptions, resolveCredentials } from './aws-connection-options';

/**
 * An S3 client for `options`. With an endpoint override (a local S3 mock) it uses path-style URLs
 * (`http://host:port/bucket/key`), because local mocks do not resolve virtual-host bucket names
 * (`bucket.host`); against AWS it keeps virtual-hosted style.
 */
export function createS3Client(options: AwsConnectionOptions): S3Client {
  const credentials = resolveCredentials(options);
  return new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(credentials ? { credentials } : {}),
  });
}
