import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Construct } from 'constructs';
import { policyJson } from '../../core/policy-document';

/** Props of {@link PublicHttpsLoadBalancer}. */
export interface PublicHttpsLoadBalancerProps {
  /** Name of the load balancer and its parts, at most 26 characters (target group names end in `-tg`). */
  readonly name: string;
  readonly vpcId: string;
  readonly vpcCidrBlock: string;
  /** Public subnets, one per zone (at least two), holding only load balancer nodes. */
  readonly subnetIds: string[];
  /** ACM certificate of the public host name (TLS terminates here). */
  readonly certificateArn: string;
  /** Port of the targets (ECS tasks, `ip` targets) inside the VPC, plain HTTP. */
  readonly targetPort: number;
  /** Path a target must answer 200 on to get traffic, e.g. `/health/ready`. */
  readonly healthCheckPath: string;
  /**
   * Seconds a connection may stay idle before the load balancer closes it. WebSocket subscriptions
   * can be quiet between updates (a thin symbol outside market hours), so this is minutes, not 60 s.
   */
  readonly idleTimeoutSeconds: number;
  /** Requests per client address per 5 minutes above which WAF blocks the address (rate-based rule). */
  readonly requestsPerAddressPer5Min: number;
  /** S3 bucket (SSE-S3, see AccessLogBucket) and prefix of the load balancer's access logs. */
  readonly accessLogs: { readonly bucketId: string; readonly prefix: string };
  /** Key and retention of the WAF log group. */
  readonly kmsKeyArn: string;
  readonly logRetentionDays: number;
  readonly region: string;
  readonly partition: string;
  readonly accountId: string;
}

/**
 * A managed rule group of AWS WAF, applied with its own actions except the rules in `countOnly`
 * (matched and logged, not blocked).
 */
function managedRules(priority: number, name: string, countOnly: readonly string[] = []) {
  const overrides = countOnly.map((rule) => ({ name: rule, action_to_use: { count: {} } }));
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managed_rule_group_statement: {
        name,
        vendor_name: 'AWS',
        ...(overrides.length > 0 ? { rule_action_override: overrides } : {}),
      },
    },
    visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
  };
}

/**
 * An internet-facing Application Load Balancer in front of ECS tasks: HTTPS only on 443 (TLS 1.2/1.3
 * policy `ELBSecurityPolicy-TLS13-1-2-2021-06`, the certificate from ACM; WebSocket upgrades pass
 * as `wss://`), no plain-HTTP listener, invalid headers dropped, deletion protection, access logs to
 * S3, and health checks on `healthCheckPath` (a target gets traffic only while its dependencies answer).
 *
 * AWS WAF in front: AWS managed rule groups (IP reputation, common rule set, known bad inputs such as
 * Log4j exploits, anonymous IPs except cloud hosting) and a rate-based rule per client address, logged to an encrypted CloudWatch log
 * group with the credential headers redacted. The load balancer's security group admits 443 from
 * anywhere and reaches only the target port inside the VPC.
 */
export class PublicHttpsLoadBalancer extends Construct {
  readonly targetGroupArn: string;
  readonly dnsName: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: PublicHttpsLoadBalancerProps) {
    super(scope, id);
    if (props.name.length > 26) throw new RangeError(`load balancer name ${props.name} is longer than 26 characters`);
    const sg = new SecurityGroup(this, 'sg', {
      name: `${props.name}-lb`,
      description: `Load balancer ${props.name}: HTTPS from the internet, to the targets only`,
      vpcId: props.vpcId,
      ingress: [
        { description: 'HTTPS (REST, wss) from clients', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] },
      ],
      egress: [
        {
          description: 'HTTP to the targets and their health checks',
          protocol: 'tcp',
          fromPort: props.targetPort,
          toPort: props.targetPort,
          cidrBlocks: [props.vpcCidrBlock],
        },
      ],
    });
    this.securityGroupId = sg.id;

    const lb = new Lb(this, 'lb', {
      name: props.name,
      internal: false,
      loadBalancerType: 'application',
      subnets: props.subnetIds,
      securityGroups: [sg.id],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: true,
      idleTimeout: props.idleTimeoutSeconds,
      accessLogs: { bucket: props.accessLogs.bucketId, prefix: props.accessLogs.prefix, enabled: true },
    });
    this.dnsName = lb.dnsName;

    const targets = new LbTargetGroup(this, 'targets', {
      name: `${props.name}-tg`,
      port: props.targetPort,
      protocol: 'HTTP',
      targetType: 'ip',
      vpcId: props.vpcId,
      // Tasks get SIGTERM after deregistration; 30 s matches their stop timeout.
      deregistrationDelay: '30',
      healthCheck: {
        path: props.healthCheckPath,
        matcher: '200',
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
    });
    const listener = new LbListener(this, 'https', {
      loadBalancerArn: lb.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificateArn: props.certificateArn,
      defaultAction: [{ type: 'forward', targetGroupArn: targets.arn }],
    });
    // Read through the listener, so an ECS service registering in the group is created after the
    // listener: ECS refuses a target group no load balancer forwards to yet.
    this.targetGroupArn = listener.defaultAction.get(0).targetGroupArn;

    const acl = new Wafv2WebAcl(this, 'waf', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: [
        managedRules(0, 'AWSManagedRulesAmazonIpReputationList'),
        managedRules(1, 'AWSManagedRulesCommonRuleSet'),
        managedRules(2, 'AWSManagedRulesKnownBadInputsRuleSet'),
        // Tor exits and anonymizing VPNs are blocked (API-key guessing hides there); cloud hosting
        // addresses only counted: customers run their trading systems in clouds.
        managedRules(3, 'AWSManagedRulesAnonymousIpList', ['HostingProviderIPList']),
        {
          name: 'RequestsPerAddress',
          priority: 4,
          action: { block: {} },
          statement: {
            rate_based_statement: { limit: props.requestsPerAddressPer5Min, aggregate_key_type: 'IP' },
          },
          visibilityConfig: {
            cloudwatchMetricsEnabled: true,
            metricName: 'RequestsPerAddress',
            sampledRequestsEnabled: true,
          },
        },
      ],
      visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: props.name, sampledRequestsEnabled: true },
    });
    new Wafv2WebAclAssociation(this, 'waf-association', { resourceArn: lb.arn, webAclArn: acl.arn });

    // WAF requires the `aws-waf-logs-` prefix on its log group.
    const wafLogs = new CloudwatchLogGroup(this, 'waf-logs', {
      name: `aws-waf-logs-${props.name}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const logPolicy = new CloudwatchLogResourcePolicy(this, 'waf-logs-policy', {
      policyName: `${props.name}-waf-logs`,
      policyDocument: policyJson([
        {
          Sid: 'WafLogDelivery',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${wafLogs.arn}:*`,
          Condition: {
            StringEquals: { 'aws:SourceAccount': props.accountId },
            ArnLike: { 'aws:SourceArn': `arn:${props.partition}:logs:${props.region}:${props.accountId}:*` },
          },
        },
      ]),
    });
    new Wafv2WebAclLoggingConfiguration(this, 'waf-logging', {
      resourceArn: acl.arn,
      logDestinationConfigs: [wafLogs.arn],
      // API keys travel in these headers (consumer-gateway's api-key.guard.ts): never in logs.
      redactedFields: [{ singleHeader: { name: 'x-api-key' } }, { singleHeader: { name: 'authorization' } }],
      dependsOn: [logPolicy],
    });
  }
}
