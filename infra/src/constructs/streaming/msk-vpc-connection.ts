import { MskVpcConnection } from '@cdktf/provider-aws/lib/msk-vpc-connection';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Construct } from 'constructs';
import { MSK_PORTS } from './msk-cluster';

/** Props of {@link MskPrivateConnection}. */
export interface MskPrivateConnectionProps {
  readonly name: string;
  /** ARN of the producer's MSK cluster (another account), from a Terraform variable. */
  readonly targetClusterArn: string;
  readonly vpcId: string;
  readonly vpcCidrBlock: string;
  /** Client subnets; the connection's endpoints land in them (one per AZ the cluster uses). */
  readonly subnetIds: string[];
}

/**
 * A managed VPC connection (MSK multi-VPC private connectivity) from this account's VPC to the
 * producer's cluster, authenticated with SASL/SCRAM. Traffic stays on AWS PrivateLink; nothing is
 * public. Creates the connection's security group and a client security group for consumers: the
 * connection admits the broker port range (14001-14100) only from the client group.
 */
export class MskPrivateConnection extends Construct {
  readonly connectionArn: string;
  readonly clientSecurityGroupId: string;

  constructor(scope: Construct, id: string, props: MskPrivateConnectionProps) {
    super(scope, id);
    const client = new SecurityGroup(this, 'client-sg', {
      name: `${props.name}-msk-clients`,
      description: 'Kafka clients of the producer cluster (through the MSK VPC connection)',
      vpcId: props.vpcId,
      egress: [
        {
          description: 'Kafka through the MSK VPC connection',
          protocol: 'tcp',
          fromPort: MSK_PORTS.vpcConnectivityFrom,
          toPort: MSK_PORTS.vpcConnectivityTo,
          cidrBlocks: [props.vpcCidrBlock],
        },
        {
          description: 'HTTPS (AWS endpoints, image pull)',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ['0.0.0.0/0'],
        },
      ],
    });
    const connectionSg = new SecurityGroup(this, 'connection-sg', {
      name: `${props.name}-msk-connection`,
      description: 'MSK managed VPC connection endpoints',
      vpcId: props.vpcId,
      ingress: [
        {
          description: 'Kafka from client tasks',
          protocol: 'tcp',
          fromPort: MSK_PORTS.vpcConnectivityFrom,
          toPort: MSK_PORTS.vpcConnectivityTo,
          securityGroups: [client.id],
        },
      ],
      egress: [],
    });
    const connection = new MskVpcConnection(this, 'connection', {
      authentication: 'SASL_SCRAM',
      targetClusterArn: props.targetClusterArn,
      vpcId: props.vpcId,
      clientSubnets: props.subnetIds,
      securityGroups: [connectionSg.id],
    });
    this.connectionArn = connection.arn;
    this.clientSecurityGroupId = client.id;
  }
}
