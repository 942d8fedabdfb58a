import { S3BucketLoggingA as S3BucketLogging } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Construct } from 'constructs';
import { policyJson } from '../../core/policy-document';
import { denyInsecureTransport, privateBucket } from './private-bucket';

/** When archived objects change storage class; days after creation. */
export interface ArchiveTiering {
  /** To S3 Glacier Instant Retrieval: rarely read, still millisecond access for an ad-hoc replay. */
  readonly glacierInstantRetrievalAfterDays: number;
  /** To S3 Glacier Deep Archive: kept for retention (e.g. record-keeping), restore takes hours. */
  readonly deepArchiveAfterDays: number;
  /** Old versions (after an overwrite by a redelivery) are deleted after this many days. */
  readonly noncurrentVersionExpirationDays: number;
  /** Validation-failure objects are deleted after this many days. */
  readonly errorObjectExpirationDays: number;
}

/** Props of {@link ArchiveBucket}. */
export interface ArchiveBucketProps {
  readonly bucketName: string;
  /** Prefix of archived records (tiered), from `@tickwire/resources` (`raw`). */
  readonly dataPrefix: string;
  /** Prefix of failed records (expire), from `@tickwire/resources` (`errors`). */
  readonly errorPrefix: string;
  readonly kmsKeyArn: string;
  readonly tiering: ArchiveTiering;
  /** Where S3 server access logs of the bucket go (an AccessLogBucket), under `<prefix>`. */
  readonly accessLogs?: { readonly bucketId: string; readonly prefix: string };
}

/**
 * The raw archive bucket: every public-access block on, bucket-owner-enforced ownership (no ACLs),
 * SSE-KMS with the customer-managed key and S3 Bucket Keys (fewer KMS calls), versioning, TLS-only
 * bucket policy, lifecycle tiering of the data prefix (Glacier IR, then Deep Archive), and server
 * access logs when `accessLogs` is given.
 */
export class ArchiveBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    const { tiering } = props;
    if (tiering.deepArchiveAfterDays < tiering.glacierInstantRetrievalAfterDays + 90) {
      // Glacier IR bills a 90-day minimum: moving earlier would pay twice.
      throw new RangeError(
        'deepArchiveAfterDays must be at least 90 days after glacierInstantRetrievalAfterDays',
      );
    }
    const { bucket, versioning } = privateBucket(this, { bucketName: props.bucketName, kmsKeyArn: props.kmsKeyArn });
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;

    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: bucket.id,
      dependsOn: [versioning],
      rule: [
        {
          id: 'tier-archived-records',
          status: 'Enabled',
          filter: [{ prefix: `${props.dataPrefix}/` }],
          transition: [
            { days: tiering.glacierInstantRetrievalAfterDays, storageClass: 'GLACIER_IR' },
            { days: tiering.deepArchiveAfterDays, storageClass: 'DEEP_ARCHIVE' },
          ],
          noncurrentVersionExpiration: [{ noncurrentDays: tiering.noncurrentVersionExpirationDays }],
        },
        {
          id: 'expire-error-records',
          status: 'Enabled',
          filter: [{ prefix: `${props.errorPrefix}/` }],
          expiration: [{ days: tiering.errorObjectExpirationDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: tiering.noncurrentVersionExpirationDays }],
        },
        {
          id: 'abort-incomplete-uploads',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    if (props.accessLogs) {
      new S3BucketLogging(this, 'access-logs', {
        bucket: bucket.id,
        targetBucket: props.accessLogs.bucketId,
        targetPrefix: props.accessLogs.prefix,
        // Objects under <prefix><source account>/<region>/<bucket>/<yyyy>/<mm>/<dd>/: queryable by date.
        targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: 'EventTime' } },
      });
    }
    new S3BucketPolicy(this, 'policy', {
      bucket: bucket.id,
      policy: policyJson([
        denyInsecureTransport(bucket.arn),
      ]),
    });
  }
}
