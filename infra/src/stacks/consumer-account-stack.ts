import { TOPICS } from '@tickwire/contracts';
import { CUSTOMER_GROUP_PREFIX } from '@tickwire/resources';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { TerraformOutput, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { TickwireStack, type TickwireStackProps } from '../core/tickwire-stack';
import { SampleConsumerTask } from '../constructs/compute/sample-consumer-task';
import { ZoneCapacityCheck } from '../constructs/network/zone-capacity-check';
import { PrivateVpc } from '../constructs/network/private-vpc';
import { CustomerManagedKey } from '../constructs/security/customer-managed-key';
import { OperatorSetSecret } from '../constructs/security/operator-set-secret';
import { MskPrivateConnection } from '../constructs/streaming/msk-vpc-connection';

/** Options of the consumer (customer) account. */
export interface ConsumerAccountStackProps extends TickwireStackProps {
  /** Customer name, part of resource names, e.g. `acme`. */
  readonly customer: string;
  /** Availability zones by id (e.g. `use1-az1`): those of the producer's brokers (MSK multi-VPC needs them). */
  readonly availabilityZoneIds: readonly string[];
  readonly vpcCidr: string;
  /**
   * Image of the sample consumer (Apache Kafka CLI). Pulled from Docker Hub through the NAT gateway;
   * customers who forbid internet egress mirror it to their ECR and set this instead.
   */
  readonly sampleConsumerImage: string;
  readonly logRetentionDays: number;
}

/**
 * A customer's AWS account: VPC, the MSK managed VPC connection (SASL/SCRAM) to the producer's cluster,
 * a client security group, the customer's SCRAM credentials in Secrets Manager (value set by the
 * customer from what the provider handed over), and a sample consumer task on `market.enriched.v1`.
 *
 * No state is shared with the producer: its outputs arrive as Terraform variables
 * `producer_cluster_arn` and `producer_bootstrap_brokers`.
 */
export class ConsumerAccountStack extends TickwireStack {
  constructor(scope: Construct, id: string, props: ConsumerAccountStackProps) {
    super(scope, id, props);
    const name = `${this.namePrefix}-${props.customer}`;
    const clusterArn = new TerraformVariable(this, 'producer_cluster_arn', {
      type: 'string',
      description: 'ARN of the producer MSK cluster (producer stack output msk_cluster_arn)',
      validation: [
        {
          condition:
            'can(regex("^arn:aws[a-z-]*:kafka:[a-z0-9-]+:[0-9]{12}:cluster/", var.producer_cluster_arn))',
          errorMessage: 'producer_cluster_arn must be an MSK cluster ARN',
        },
      ],
    });
    const bootstrapBrokers = new TerraformVariable(this, 'producer_bootstrap_brokers', {
      type: 'string',
      description:
        'Multi-VPC SASL/SCRAM bootstrap brokers (producer stack output msk_bootstrap_brokers_vpc_connectivity_sasl_scram)',
    });
    const account = new DataAwsCallerIdentity(this, 'account');
    const partition = new DataAwsPartition(this, 'partition');

    const key = new CustomerManagedKey(this, 'cmk', {
      alias: name,
      description: `Tickwire consumer ${props.customer}: secrets and logs`,
    });
    // The customer's zones must exist in its region (they mirror the brokers' zones by id).
    new ZoneCapacityCheck(this, 'zone-check', { availabilityZoneIds: props.availabilityZoneIds, instanceTypes: [] });
    const vpc = new PrivateVpc(this, 'network', {
      name,
      cidrBlock: props.vpcCidr,
      availabilityZoneIds: props.availabilityZoneIds,
      natGateway: true,
      interfaceEndpoints: ['logs', 'secretsmanager'],
      gatewayEndpoints: ['s3'],
      flowLogs: { kmsKeyArn: key.keyArn, retentionDays: props.logRetentionDays },
    });
    const connection = new MskPrivateConnection(this, 'msk-connection', {
      name,
      targetClusterArn: clusterArn.stringValue,
      vpcId: vpc.vpcId,
      vpcCidrBlock: props.vpcCidr,
      subnetIds: vpc.privateSubnetIds,
    });
    const credentials = new OperatorSetSecret(this, 'scram-credentials', {
      name: `${name}/msk-scram`,
      description:
        'Tickwire SASL/SCRAM credentials, JSON {"username": "...", "password": "..."}; set by the customer',
      kmsKeyArn: key.keyArn,
    });
    const sample = new SampleConsumerTask(this, 'sample-consumer', {
      name,
      image: props.sampleConsumerImage,
      topic: TOPICS.enriched,
      consumerGroup: `${CUSTOMER_GROUP_PREFIX}${props.customer}-sample`,
      bootstrapBrokers: bootstrapBrokers.stringValue,
      scramSecretArn: credentials.secretArn,
      kmsKeyArn: key.keyArn,
      logRetentionDays: props.logRetentionDays,
      subnetIds: vpc.privateSubnetIds,
      securityGroupIds: [connection.clientSecurityGroupId],
      region: props.region,
      partition: partition.partition,
      accountId: account.accountId,
    });

    new TerraformOutput(this, 'msk_vpc_connection_arn', { value: connection.connectionArn });
    new TerraformOutput(this, 'client_security_group_id', { value: connection.clientSecurityGroupId });
    new TerraformOutput(this, 'private_subnet_ids', { value: vpc.privateSubnetIds });
    new TerraformOutput(this, 'sample_consumer_cluster_arn', { value: sample.clusterArn });
    new TerraformOutput(this, 'sample_consumer_task_definition_arn', { value: sample.taskDefinitionArn });
    new TerraformOutput(this, 'scram_secret_arn', { value: credentials.secretArn });
  }
}
