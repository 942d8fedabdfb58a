import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { policyJson, serviceTrustPolicy } from '../../core/policy-document';

/** Props of {@link PrivateVpc}. */
export interface PrivateVpcProps {
  /** Name prefix, e.g. `tickwire-prod`. */
  readonly name: string;
  /** IPv4 CIDR of the VPC, at least a /20 (each private subnet is a /20 of a /16; see `subnetBits`). */
  readonly cidrBlock: string;
  /**
   * Availability zones by id, e.g. `use1-az1` (three: MSK and OpenSearch spread over three), one
   * private subnet each. Ids, not names: they are the same zones in every account (a customer's MSK
   * connection needs its subnets in the brokers' zones) and a fixed list never grows by itself.
   */
  readonly availabilityZoneIds: readonly string[];
  /**
   * One NAT gateway for outbound internet (e.g. a live market-data WebSocket). The public subnets it
   * needs hold only the NAT gateway; no task or data store is ever placed there. Default false.
   */
  readonly natGateway?: boolean;
  /**
   * Public subnets for an internet-facing load balancer, a /24 in each zone (routed to the internet
   * gateway, no public IPs on launch). They hold only load balancer nodes. Default false.
   */
  readonly loadBalancerSubnets?: boolean;
  /** Interface endpoint services, e.g. `ecr.api`, `logs`: AWS APIs reached without the internet. */
  readonly interfaceEndpoints?: readonly string[];
  /** Gateway endpoint services (`s3`, `dynamodb`), free and attached to the private route tables. */
  readonly gatewayEndpoints?: readonly ('s3' | 'dynamodb')[];
  /** VPC flow logs (all traffic, 1-minute aggregation) to a log group encrypted with this key. */
  readonly flowLogs: { readonly kmsKeyArn: string; readonly retentionDays: number };
}

/**
 * A VPC of private subnets over the given AZs (no public IPs on launch), with optional single NAT gateway
 * and VPC endpoints so Fargate tasks reach ECR, CloudWatch Logs, Secrets Manager, S3 and DynamoDB privately.
 */
export class PrivateVpc extends Construct {
  readonly vpcId: string;
  readonly cidrBlock: string;
  /** Private subnet ids, one per AZ, in AZ order. */
  readonly privateSubnetIds: string[];
  /** Load balancer subnet ids, one per AZ (empty without `loadBalancerSubnets`). */
  readonly loadBalancerSubnetIds: string[] = [];
  /** Security group of the interface endpoints (HTTPS from inside the VPC). */
  readonly endpointSecurityGroupId: string;

  constructor(scope: Construct, id: string, props: PrivateVpcProps) {
    super(scope, id);
    const region = new DataAwsRegion(this, 'region');
    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidrBlock,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.name },
    });
    this.vpcId = vpc.id;
    this.cidrBlock = vpc.cidrBlock;
    // The default group is attached to anything launched without a group: make it deny everything.
    new DefaultSecurityGroup(this, 'default-sg', { vpcId: vpc.id, ingress: [], egress: [] });
    this.addFlowLogs(vpc.id, props);

    const igw =
      props.natGateway || props.loadBalancerSubnets
        ? new InternetGateway(this, 'igw', { vpcId: vpc.id, tags: { Name: `${props.name}-igw` } })
        : undefined;
    let natGatewayId: string | undefined;
    if (props.natGateway && igw) {
      const publicSubnet = new Subnet(this, 'nat-subnet', {
        vpcId: vpc.id,
        // A /24 at the top of the range, away from the private /20s.
        cidrBlock: Fn.cidrsubnet(props.cidrBlock, 8, 255),
        availabilityZoneId: props.availabilityZoneIds[0],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-nat`, Tier: 'nat-only' },
      });
      const publicRoutes = new RouteTable(this, 'nat-routes', {
        vpcId: vpc.id,
        route: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }],
        tags: { Name: `${props.name}-nat` },
      });
      new RouteTableAssociation(this, 'nat-routes-assoc', {
        subnetId: publicSubnet.id,
        routeTableId: publicRoutes.id,
      });
      const eip = new Eip(this, 'nat-eip', { domain: 'vpc', tags: { Name: `${props.name}-nat` } });
      natGatewayId = new NatGateway(this, 'nat', {
        allocationId: eip.allocationId,
        subnetId: publicSubnet.id,
        tags: { Name: `${props.name}-nat` },
        dependsOn: [igw],
      }).id;
    }

    if (props.loadBalancerSubnets && igw) {
      if (props.availabilityZoneIds.length > 3) throw new RangeError('load balancer subnets fit three zones (/24s 252-254)');
      const lbRoutes = new RouteTable(this, 'lb-routes', {
        vpcId: vpc.id,
        route: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }],
        tags: { Name: `${props.name}-lb` },
      });
      for (const [i, zoneId] of props.availabilityZoneIds.entries()) {
        const subnet = new Subnet(this, `lb-${i}`, {
          vpcId: vpc.id,
          // /24s below the NAT subnet's, away from the private /20s.
          cidrBlock: Fn.cidrsubnet(props.cidrBlock, 8, 252 + i),
          availabilityZoneId: zoneId,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${props.name}-lb-${i}`, Tier: 'load-balancer-only' },
        });
        new RouteTableAssociation(this, `lb-${i}-assoc`, { subnetId: subnet.id, routeTableId: lbRoutes.id });
        this.loadBalancerSubnetIds.push(subnet.id);
      }
    }

    const privateRoutes = new RouteTable(this, 'private-routes', {
      vpcId: vpc.id,
      route: natGatewayId ? [{ cidrBlock: '0.0.0.0/0', natGatewayId }] : [],
      tags: { Name: `${props.name}-private` },
    });
    this.privateSubnetIds = [];
    for (const [i, zoneId] of props.availabilityZoneIds.entries()) {
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: vpc.id,
        cidrBlock: Fn.cidrsubnet(props.cidrBlock, 4, i),
        availabilityZoneId: zoneId,
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-private-${i}`, Tier: 'private' },
      });
      new RouteTableAssociation(this, `private-${i}-assoc`, {
        subnetId: subnet.id,
        routeTableId: privateRoutes.id,
      });
      this.privateSubnetIds.push(subnet.id);
    }

    const endpointSg = new SecurityGroup(this, 'endpoints-sg', {
      name: `${props.name}-vpc-endpoints`,
      description: 'HTTPS from inside the VPC to AWS interface endpoints',
      vpcId: vpc.id,
      ingress: [
        {
          description: 'HTTPS from the VPC',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrBlocks: [props.cidrBlock],
        },
      ],
      egress: [],
    });
    this.endpointSecurityGroupId = endpointSg.id;
    for (const service of props.interfaceEndpoints ?? []) {
      new VpcEndpoint(this, `endpoint-${service.replace(/\./g, '-')}`, {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${region.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: this.privateSubnetIds,
        securityGroupIds: [endpointSg.id],
      });
    }
    for (const service of props.gatewayEndpoints ?? []) {
      new VpcEndpoint(this, `endpoint-${service}`, {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${region.region}.${service}`,
        vpcEndpointType: 'Gateway',
        routeTableIds: [privateRoutes.id],
      });
    }
  }

  /** Flow logs to CloudWatch through a role that may write only to this VPC's log group. */
  private addFlowLogs(vpcId: string, props: PrivateVpcProps): void {
    const account = new DataAwsCallerIdentity(this, 'flow-logs-account');
    const group = new CloudwatchLogGroup(this, 'flow-logs', {
      name: `/tickwire/vpc/${props.name}`,
      retentionInDays: props.flowLogs.retentionDays,
      kmsKeyId: props.flowLogs.kmsKeyArn,
    });
    const role = new IamRole(this, 'flow-logs-role', {
      name: `${props.name}-vpc-flow-logs`,
      assumeRolePolicy: serviceTrustPolicy('vpc-flow-logs.amazonaws.com', {
        StringEquals: { 'aws:SourceAccount': account.accountId },
      }),
    });
    new IamRolePolicy(this, 'flow-logs-policy', {
      name: 'flow-logs',
      role: role.id,
      policy: policyJson([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: [group.arn, `${group.arn}:*`],
        },
      ]),
    });
    new FlowLog(this, 'flow-log', {
      vpcId,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
    });
  }
}
