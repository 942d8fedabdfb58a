import { DataAwsElbServiceAccount } from '@cdktf/provider-aws/lib/data-aws-elb-service-account';
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
  /**
   * Elastic Load Balancing access logs delivered under `<prefix>AWSLogs/<account>/` (ALB logs), if any,
   * by the Elastic Load Balancing account of the provider's region (data source
   * `aws_elb_service_account`).
   */
  readonly loadBalancerLogs?: { readonly prefix: string };
}

/**
 * Target bucket of S3 server access logs (and, when asked, load balancer access logs): public-access blocks, bucket-owner-enforced ownership,
 * versioning, TLS-only, expiry after `retentionDays`, and a policy letting only the S3 logging service
 * deliver, only for the listed source buckets of this account (AWS's recommended grant, "Permissions
 * for log delivery" in the S3 user guide).
 *
 * Load balancer logs: in Regions launched before August 2022 Elastic Load Balancing delivers as an
 * account of its own, a different one per Region ("Enable access logs for your Application Load
 * Balancer", step 2, Elastic Load Balancing user guide). The provider's `aws_elb_service_account` data
 * source looks it up for the stack's region at plan time, so no hand-kept table goes stale or misses a
 * region. (Regions opened later grant the service principal `logdelivery.elasticloadbalancing.amazonaws.com`
 * instead; the data source knows none for them and the plan fails there, which is the moment to add it.)
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
    const elbAccount = elb ? new DataAwsElbServiceAccount(this, 'elb-account', {}) : undefined;
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
                Principal: { AWS: elbAccount.arn },
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
