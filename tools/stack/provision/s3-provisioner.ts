import { CreateBucketCommand, HeadBucketCommand, NotFound, type S3Client } from '@aws-sdk/client-s3';

/**
 * Creates `bucket` unless it exists.
 *
 * @returns true when it was created.
 * @throws Error from the SDK for anything but "not found" on HeadBucket, or a failed CreateBucket.
 */
export async function provisionS3Bucket(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return false;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (!(error instanceof NotFound) && status !== 404) throw error;
  }
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return true;
}
