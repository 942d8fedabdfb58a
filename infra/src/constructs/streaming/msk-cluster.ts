import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsSecretsmanagerRandomPassword } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password';
import { MskCluster } from '@cdktf/provider-aws/lib/msk-cluster';
import { MskClusterPolicy } from '@cdktf/provider-aws/lib/msk-cluster-policy';
import { MskConfiguration } from '@cdktf/provider-aws/lib/msk-configuration';
import { MskSingleScramSecretAssociation } from '@cdktf/provider-aws/lib/msk-single-scram-secret-association';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { policyJson } from '../../core/policy-document';

/** Broker ports (Amazon MSK): SASL/SCRAM over TLS, IAM over TLS, multi-VPC private connectivity range. */
export const MSK_PORTS = {
  saslScram: 9096,
  saslIam: 9098,
  vpcConnectivityFrom: 14001,
  vpcConnectivityTo: 14100,
} as const;

/**
 * Broker settings applied through an MSK configuration. Values from the Kafka and MSK docs:
 * RF 3 with min ISR 2 lets `acks=all` producers survive one broker loss; topics are created only by
 * the provisioning task, never by a client typo; and no ACL means no access.
 */
export const MSK_SERVER_PROPERTIES: Readonly<Record<string, string>> = {
  'auto.create.topics.enable': 'false',
  'default.replication.factor': '3',
  'min.insync.replicas': '2',
  'num.partitions': '3',
  'allow.everyone.if.no.acl.found': 'false',
  'unclean.leader.election.enable': 'false',
  'log.retention.hours': '168',
};

/** Props of {@link MskKafkaCluster}. */
export interface MskKafkaClusterProps {
  /** Cluster name, e.g. `tickwire-prod`. */
  readonly name: string;
  /** MSK Kafka version, e.g. `3.8.x`. */
  readonly kafkaVersion: string;
  /** Broker instance type; multi-VPC connectivity needs kafka.m5.large / m7g.large or larger. */
  readonly instanceType: string;
  /** One broker per subnet (one per AZ). */
  readonly subnetIds: string[];
  readonly vpcId: string;
  /** CIDR allowed to reach the SASL listeners (the VPC). */
  readonly clientCidrBlock: string;
  /** Broker EBS volume, GiB. */
  readonly volumeSizeGiB: number;
  /** Customer-managed KMS key for data at rest, SCRAM secrets and broker logs. */
  readonly kmsKeyArn: string;
  /** SCRAM users to create (services and customers); each gets an `AmazonMSK_` secret. */
  readonly scramUsers: readonly string[];
  /** AWS account id (token or literal) allowed to create a multi-VPC connection to this cluster. */
  readonly consumerAccountId: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly logRetentionDays: number;
}

/**
 * An Amazon MSK provisioned cluster: TLS only in transit (client-broker and in-cluster), encryption at
 * rest with the customer-managed key, SASL/SCRAM and IAM client authentication (no unauthenticated or
 * plaintext access), multi-VPC private connectivity with SCRAM for the consumer account, and a cluster
 * policy that lets only that account create a VPC connection and read the bootstrap brokers.
 *
 * SCRAM secrets follow MSK's rules: the name starts with `AmazonMSK_` and the secret is encrypted with
 * a customer-managed key (MSK rejects secrets under the default `aws/secretsmanager` key).
 */
export class MskKafkaCluster extends Construct {
  readonly clusterArn: string;
  readonly clusterName: string;
  /** SASL/SCRAM bootstrap brokers inside the producer VPC (comma-separated host:port). */
  readonly bootstrapBrokersSaslScram: string;
  /** IAM bootstrap brokers inside the producer VPC (port 9098): the provisioning task's listener. */
  readonly bootstrapBrokersSaslIam: string;
  /**
   * ARN prefix of the cluster's topics, `arn:<partition>:kafka:<region>:<account>:topic/<name>/<uuid>`:
   * IAM access control names a topic as `<prefix>/<topic>`.
   */
  readonly topicArnPrefix: string;
  /** SASL/SCRAM bootstrap brokers for multi-VPC private connectivity (used from the consumer account). */
  readonly bootstrapBrokersVpcConnectivitySaslScram: string;
  readonly securityGroupId: string;
  /** Secret ARN of each SCRAM user, by user name. */
  readonly scramSecretArns: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: MskKafkaClusterProps) {
    super(scope, id);
    const sg = new SecurityGroup(this, 'brokers-sg', {
      name: `${props.name}-msk-brokers`,
      description: 'MSK brokers: SASL/SCRAM and IAM over TLS from the VPC, multi-VPC connectivity range',
      vpcId: props.vpcId,
      ingress: [
        {
          description: 'SASL/SCRAM over TLS',
          protocol: 'tcp',
          fromPort: MSK_PORTS.saslScram,
          toPort: MSK_PORTS.saslScram,
          cidrBlocks: [props.clientCidrBlock],
        },
        {
          description: 'IAM over TLS',
          protocol: 'tcp',
          fromPort: MSK_PORTS.saslIam,
          toPort: MSK_PORTS.saslIam,
          cidrBlocks: [props.clientCidrBlock],
        },
        {
          description: 'Multi-VPC private connectivity',
          protocol: 'tcp',
          fromPort: MSK_PORTS.vpcConnectivityFrom,
          toPort: MSK_PORTS.vpcConnectivityTo,
          cidrBlocks: [props.clientCidrBlock],
        },
      ],
      egress: [],
    });
    this.securityGroupId = sg.id;

    const configuration = new MskConfiguration(this, 'configuration', {
      name: `${props.name}-brokers`,
      kafkaVersions: [props.kafkaVersion],
      description: 'Tickwire broker settings: no topic auto-creation, RF 3, min ISR 2, deny without ACL',
      serverProperties: Object.entries(MSK_SERVER_PROPERTIES)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    });

    const brokerLogs = new CloudwatchLogGroup(this, 'broker-logs', {
      name: `/tickwire/msk/${props.name}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });

    const cluster = new MskCluster(this, 'cluster', {
      clusterName: props.name,
      kafkaVersion: props.kafkaVersion,
      numberOfBrokerNodes: props.subnetIds.length,
      enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      brokerNodeGroupInfo: {
        instanceType: props.instanceType,
        clientSubnets: props.subnetIds,
        securityGroups: [sg.id],
        storageInfo: { ebsStorageInfo: { volumeSize: props.volumeSizeGiB } },
        connectivityInfo: {
          publicAccess: { type: 'DISABLED' },
          vpcConnectivity: { clientAuthentication: { sasl: { scram: true, iam: false }, tls: false } },
        },
      },
      clientAuthentication: { unauthenticated: false, sasl: { scram: true, iam: true } },
      encryptionInfo: {
        encryptionAtRestKmsKeyArn: props.kmsKeyArn,
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
      loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: brokerLogs.name } } },
    });
    this.clusterArn = cluster.arn;
    this.clusterName = cluster.clusterName;
    this.bootstrapBrokersSaslScram = cluster.bootstrapBrokersSaslScram;
    this.bootstrapBrokersSaslIam = cluster.bootstrapBrokersSaslIam;
    this.topicArnPrefix = `arn:${props.partition}:kafka:${props.region}:${props.accountId}:topic/${cluster.clusterName}/${cluster.clusterUuid}`;
    this.bootstrapBrokersVpcConnectivitySaslScram = cluster.bootstrapBrokersVpcConnectivitySaslScram;

    const secretArns = new Map<string, string>();
    for (const user of props.scramUsers) {
      const secret = new SecretsmanagerSecret(this, `scram-${user}`, {
        name: `AmazonMSK_${props.name}_${user}`,
        description: `SASL/SCRAM credentials of Kafka user ${user}`,
        kmsKeyId: props.kmsKeyArn,
        recoveryWindowInDays: 7,
      });
      const password = new DataAwsSecretsmanagerRandomPassword(this, `scram-${user}-password`, {
        passwordLength: 32,
        excludePunctuation: true,
      });
      const version = new SecretsmanagerSecretVersion(this, `scram-${user}-value`, {
        secretId: secret.id,
        secretString: Fn.jsonencode({ username: user, password: password.randomPassword }),
        // The data source draws a new password at every plan; keep the first one (rotate explicitly).
        lifecycle: { ignoreChanges: ['secret_string'] },
      });
      // One association per secret, not aws_msk_scram_secret_association: that resource owns the
      // cluster's whole list and would disassociate, at the next apply, the customers' secrets that
      // `npm run customers` associates outside Terraform.
      new MskSingleScramSecretAssociation(this, `scram-${user}-association`, {
        clusterArn: cluster.arn,
        secretArn: secret.arn,
        dependsOn: [version],
      });
      secretArns.set(user, secret.arn);
    }
    this.scramSecretArns = secretArns;

    new MskClusterPolicy(this, 'cluster-policy', {
      clusterArn: cluster.arn,
      policy: policyJson([
        {
          Sid: 'ConsumerAccountMultiVpcConnectivity',
          Effect: 'Allow',
          Principal: { AWS: `arn:${props.partition}:iam::${props.consumerAccountId}:root` },
          Action: [
            'kafka:CreateVpcConnection',
            'kafka:GetBootstrapBrokers',
            'kafka:DescribeCluster',
            'kafka:DescribeClusterV2',
          ],
          Resource: cluster.arn,
        },
      ]),
    });
  }
}
