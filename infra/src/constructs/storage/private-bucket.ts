import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA as S3BucketVersioning } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { Construct } from 'constructs';
import type { PolicyStatement } from '../../core/policy-document';

/** What {@link privateBucket} created; lifecycle rules depend on `versioning`. */
export interface PrivateBucketResources {
  readonly bucket: S3Bucket;
  readonly versioning: S3BucketVersioning;
}

/**
 * A bucket nobody outside reaches, in `scope` (ids `bucket`, `public-access-block`, `ownership`,
 * `encryption`, `versioning`, so buckets made before this helper keep their Terraform addresses): all
 * four public-access blocks, bucket-owner-enforced ownership (no ACLs), versioning, and default
 * encryption: SSE-KMS with `kmsKeyArn` and S3 Bucket Keys (fewer KMS calls), or SSE-S3 without it.
 */
export function privateBucket(
  scope: Construct,
  props: { readonly bucketName: string; readonly kmsKeyArn?: string },
): PrivateBucketResources {
  const bucket = new S3Bucket(scope, 'bucket', { bucket: props.bucketName, forceDestroy: false });
  new S3BucketPublicAccessBlock(scope, 'public-access-block', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, 'ownership', {
    bucket: bucket.id,
    rule: { objectOwnership: 'BucketOwnerEnforced' },
  });
  new S3BucketServerSideEncryptionConfiguration(scope, 'encryption', {
    bucket: bucket.id,
    rule: [
      props.kmsKeyArn
        ? {
            applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn },
            bucketKeyEnabled: true,
          }
        : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
    ],
  });
  const versioning = new S3BucketVersioning(scope, 'versioning', {
    bucket: bucket.id,
    versioningConfiguration: { status: 'Enabled' },
  });
  return { bucket, versioning };
}

/** Bucket-policy statement refusing every request to `bucketArn` and its objects made without TLS. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    // A deny on every S3 action is the point here: no request without TLS.
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': false } },
  };
}
