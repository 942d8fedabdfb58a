import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { OpensearchDomain } from '@cdktf/provider-aws/lib/opensearch-domain';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Construct } from 'constructs';
import { policyJson } from '../../core/policy-document';

/** HTTP methods an IAM principal may send to the domain; FGAC then decides per index. */
export const OPENSEARCH_HTTP_ACTIONS = [
  'es:ESHttpGet',
  'es:ESHttpHead',
  'es:ESHttpPost',
  'es:ESHttpPut',
  'es:ESHttpDelete',
  'es:ESHttpPatch',
] as const;

/** Props of {@link VpcOpenSearchDomain}. */
export interface VpcOpenSearchDomainProps {
  /** Domain name (3-28 lowercase characters), e.g. `tickwire-prod`. */
  readonly domainName: string;
  /** e.g. `OpenSearch_2.19`. */
  readonly engineVersion: string;
  readonly instanceType: string;
  /** Data nodes; a multiple of the AZ count. */
  readonly instanceCount: number;
  /**
   * Instance type of three dedicated cluster-manager nodes, or undefined for none. AWS recommends
   * three dedicated managers for production domains (stable elections while data nodes are busy).
   */
  readonly dedicatedMasterType?: string;
  /** Data subnets, one per AZ (zone awareness spans them). */
  readonly subnetIds: string[];
  readonly vpcId: string;
  /** CIDR allowed to reach HTTPS (443). */
  readonly clientCidrBlock: string;
  readonly volumeSizeGiB: number;
  readonly kmsKeyArn: string;
  readonly logRetentionDays: number;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /**
   * IAM role that is the fine-grained access control master user: the provisioning task's role, which
   * puts the security roles and role mappings (the operators' role among them) and the index templates.
   */
  readonly masterUserArn: string;
}

/**
 * An OpenSearch domain inside the VPC (no public endpoint), with fine-grained access control whose
 * master user is an IAM role, `masterUserArn` (no internal user database, no passwords): the
 * provisioning task's, so security configuration is applied by a deploy, not by hand. Operators get an
 * MFA-only role of their own (`operatorRoleArn`), which the provisioning task maps to `all_access` and
 * `security_manager`. Encryption at rest with the
 * customer-managed key, node-to-node encryption, HTTPS enforced with TLS 1.2+ (the PFS 2023-10 policy).
 *
 * Application, slow and audit logs go to CloudWatch log groups encrypted with the same key (audit
 * logging itself is then switched on in the security plugin by the provisioning task).
 *
 * The domain access policy admits IAM principals of this account only; FGAC maps roles to OpenSearch
 * roles (the services' task roles are mapped by the provisioning task, see infra/README.md).
 */
export class VpcOpenSearchDomain extends Construct {
  readonly domainArn: string;
  readonly endpoint: string;
  /** The operators' role (assumed with MFA), mapped to `all_access` and `security_manager` by provisioning. */
  readonly operatorRoleArn: string;

  constructor(scope: Construct, id: string, props: VpcOpenSearchDomainProps) {
    super(scope, id);
    const root = `arn:${props.partition}:iam::${props.accountId}:root`;
    const domainArn = `arn:${props.partition}:es:${props.region}:${props.accountId}:domain/${props.domainName}`;

    const master = new IamRole(this, 'master-role', {
      name: `${props.domainName}-opensearch-admin`,
      description: 'OpenSearch operators (all_access, security_manager by mapping); assumed with MFA only',
      assumeRolePolicy: policyJson([
        {
          Effect: 'Allow',
          Principal: { AWS: root },
          Action: 'sts:AssumeRole',
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': true } },
        },
      ]),
    });
    this.operatorRoleArn = master.arn;

    const sg = new SecurityGroup(this, 'sg', {
      name: `${props.domainName}-opensearch`,
      description: 'OpenSearch domain: HTTPS from the VPC only',
      vpcId: props.vpcId,
      ingress: [
        {
          description: 'HTTPS from the VPC',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrBlocks: [props.clientCidrBlock],
        },
      ],
      egress: [],
    });

    const logTypes = ['ES_APPLICATION_LOGS', 'INDEX_SLOW_LOGS', 'SEARCH_SLOW_LOGS', 'AUDIT_LOGS'] as const;
    const logs = logTypes.map((logType) => ({
      logType,
      group: new CloudwatchLogGroup(this, `logs-${logType.toLowerCase()}`, {
        name: `/tickwire/opensearch/${props.domainName}/${logType.toLowerCase().replace(/_/g, '-')}`,
        retentionInDays: props.logRetentionDays,
        kmsKeyId: props.kmsKeyArn,
      }),
    }));
    // OpenSearch writes logs as its service principal: a Logs resource policy scoped to these groups.
    const logPolicy = new CloudwatchLogResourcePolicy(this, 'logs-policy', {
      policyName: `${props.domainName}-opensearch-logs`,
      policyDocument: policyJson([
        {
          Effect: 'Allow',
          Principal: { Service: 'es.amazonaws.com' },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: logs.map(({ group }) => `${group.arn}:*`),
          Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
        },
      ]),
    });

    const domain = new OpensearchDomain(this, 'domain', {
      dependsOn: [logPolicy],
      logPublishingOptions: logs.map(({ logType, group }) => ({
        logType,
        cloudwatchLogGroupArn: group.arn,
        enabled: true,
      })),
      domainName: props.domainName,
      engineVersion: props.engineVersion,
      clusterConfig: {
        instanceType: props.instanceType,
        instanceCount: props.instanceCount,
        zoneAwarenessEnabled: true,
        ...(props.dedicatedMasterType
          ? {
              dedicatedMasterEnabled: true,
              dedicatedMasterCount: 3,
              dedicatedMasterType: props.dedicatedMasterType,
            }
          : { dedicatedMasterEnabled: false }),
        zoneAwarenessConfig: { availabilityZoneCount: props.subnetIds.length },
      },
      vpcOptions: { subnetIds: props.subnetIds, securityGroupIds: [sg.id] },
      ebsOptions: { ebsEnabled: true, volumeType: 'gp3', volumeSize: props.volumeSizeGiB },
      encryptAtRest: { enabled: true, kmsKeyId: props.kmsKeyArn },
      nodeToNodeEncryption: { enabled: true },
      domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
      advancedSecurityOptions: {
        enabled: true,
        anonymousAuthEnabled: false,
        internalUserDatabaseEnabled: false,
        masterUserOptions: { masterUserArn: props.masterUserArn },
      },
      accessPolicies: policyJson([
        {
          Sid: 'AccountPrincipalsThenFineGrainedAccessControl',
          Effect: 'Allow',
          Principal: { AWS: root },
          Action: [...OPENSEARCH_HTTP_ACTIONS],
          Resource: `${domainArn}/*`,
        },
      ]),
    });
    this.domainArn = domain.arn;
    this.endpoint = domain.endpoint;
  }
}
