import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { policyJson } from '../../core/policy-document';

/** Props of {@link CustomerManagedKey}. */
export interface CustomerManagedKeyProps {
  /** Alias without the `alias/` prefix, e.g. `tickwire-prod`. */
  readonly alias: string;
  readonly description: string;
}

/**
 * A symmetric customer-managed KMS key with yearly automatic rotation. The key policy delegates use to
 * IAM in this account (so task roles can be granted `kms:Decrypt` on this key's ARN only), lets
 * administrators manage it with explicit actions (no `kms:*`), and lets CloudWatch Logs encrypt this
 * account's log groups (Logs calls KMS as its service principal, not through the caller's role) and
 * CloudWatch alarms publish to topics encrypted with it.
 */
export class CustomerManagedKey extends Construct {
  readonly keyArn: string;
  readonly keyId: string;

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    super(scope, id);
    const account = new DataAwsCallerIdentity(this, 'account');
    const partition = new DataAwsPartition(this, 'partition');
    const region = new DataAwsRegion(this, 'region');
    const root = `arn:${partition.partition}:iam::${account.accountId}:root`;
    const key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: 30,
      policy: policyJson([
        {
          Sid: 'KeyAdministration',
          Effect: 'Allow',
          Principal: { AWS: root },
          Action: [
            'kms:Create*',
            'kms:Describe*',
            'kms:Enable*',
            'kms:List*',
            'kms:Put*',
            'kms:Update*',
            'kms:Revoke*',
            'kms:Disable*',
            'kms:Get*',
            'kms:Delete*',
            'kms:TagResource',
            'kms:UntagResource',
            'kms:ScheduleKeyDeletion',
            'kms:CancelKeyDeletion',
            'kms:RotateKeyOnDemand',
          ],
          Resource: '*',
        },
        {
          Sid: 'KeyUseThroughIamPolicies',
          Effect: 'Allow',
          Principal: { AWS: root },
          Action: [
            'kms:Encrypt',
            'kms:Decrypt',
            'kms:ReEncrypt*',
            'kms:GenerateDataKey*',
            'kms:CreateGrant',
            'kms:ListGrants',
          ],
          Resource: '*',
        },
        {
          Sid: 'CloudWatchLogsOfThisAccount',
          Effect: 'Allow',
          Principal: { Service: `logs.${region.region}.amazonaws.com` },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': `arn:${partition.partition}:logs:${region.region}:${account.accountId}:*`,
            },
          },
        },
        {
          // CloudWatch alarms publish to the SNS topic encrypted with this key.
          Sid: 'CloudWatchAlarmsToEncryptedTopics',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': account.accountId } },
        },
      ]),
    });
    new KmsAlias(this, 'alias', { name: `alias/${props.alias}`, targetKeyId: key.keyId });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
  }
}
