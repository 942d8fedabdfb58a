import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Construct } from 'constructs';
import { policyJson } from '../../core/policy-document';
import { denyInsecureTransport, privateBucket } from './private-bucket';

/** Props of {@link AccessLogBucket}. */
export interface AccessLogBucketProps {
  readonly bucketName: string;
  /** ARNs of the buckets whose server access logs may be delivered here. */
  readonly sourceBucketArns: readonly string[];
  readonly accountId: string;
  /** Days a log object is kept (then expires, old versions one day later). */
  readonly retentionDays: number;
  /** Elastic Load Balancing access logs delivered under `<prefix>AWSLogs/<account>/` (ALB logs), if any. */
  readonly loadBalancerLogs?: { readonly region: string; readonly prefix: string };
}

/**
 * The Elastic Load Balancing account that delivers access logs, per Region launched before August
 * 2022 (those Regions grant it, not a service principal): "Enable access logs for your Application
 * Load Balancer", step 2, in the Elastic Load Balancing user guide.
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'eu-west-1': '156460612806',
  'eu-central-1': '054676820928',
};

/**
 * Target bucket of S3 server access logs (and, when asked, load balancer access logs): public-access blocks, bucket-owner-enforced ownership,
 * versioning, TLS-only, expiry after `retentionDays`, and a policy letting only the S3 logging service
 * deliver, only for the listed source buckets of this account (AWS's recommended grant, "Permissions
 * for log delivery" in the S3 user guide).
 *
 * Encrypted with SSE-S3, not the customer-managed key: server access log delivery supports only
 * SSE-S3 on the target bucket (same guide, "Enabling Amazon S3 server access logging").
 */
export class AccessLogBucket extends Construct {
  readonly bucketId: string;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    // SSE-S3: no key.
    const { bucket, versioning } = privateBucket(this, { bucketName: props.bucketName });
    this.bucketId = bucket.id;
    this.bucketArn = bucket.arn;
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: bucket.id,
      dependsOn: [versioning],
      rule: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days: props.retentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    const elb = props.loadBalancerLogs;
    const elbAccount = elb ? ELB_LOG_DELIVERY_ACCOUNTS[elb.region] : undefined;
    if (elb && !elbAccount) throw new RangeError(`no Elastic Load Balancing log delivery account known for ${elb.region}`);
    new S3BucketPolicy(this, 'policy', {
      bucket: bucket.id,
      policy: policyJson([
        {
          Sid: 'S3ServerAccessLogDelivery',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${bucket.arn}/*`,
          Condition: {
            ArnLike: { 'aws:SourceArn': [...props.sourceBucketArns] },
            StringEquals: { 'aws:SourceAccount': props.accountId },
          },
        },
        ...(elb && elbAccount
          ? [
              {
                Sid: 'LoadBalancerAccessLogDelivery',
                Effect: 'Allow' as const,
                Principal: { AWS: `arn:aws:iam::${elbAccount}:root` },
                Action: 's3:PutObject',
                Resource: `${bucket.arn}/${elb.prefix}AWSLogs/${props.accountId}/*`,
              },
            ]
          : []),
        denyInsecureTransport(bucket.arn),
      ]),
    });
  }
}
