import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { MskCluster } from '@cdktf/provider-aws/lib/msk-cluster';
import { OpensearchDomain } from '@cdktf/provider-aws/lib/opensearch-domain';
import { TOPICS } from '@tickwire/contracts';
import {
  ARCHIVE_DATA_PREFIX,
  customerReadOnlyAcls,
  DAILY_BAR_HOLD_TOPIC,
  dailyBarHoldTopicSpec,
  DYNAMODB_TABLES,
  ENRICHER_STATE_CHANGELOG_TOPIC,
  enricherChangelogTopicSpec,
  kafkaTopicSpecs,
} from '@tickwire/resources';
import { Testing } from 'cdktf';
import { PRODUCTION_PRODUCER } from '../config/environments';
import { SERVICE_NAMES, SERVICES } from '../config/service-catalogue';
import {
  leastPrivilegeViolations,
  policyStatements,
  POLICY_ATTRIBUTES,
  resourcesOf,
  unusedSecurityGroups,
  type SynthesizedStack,
  deepPartial,
} from '../testing/synthesized-stack';
import { RUN_TASK_SCRIPT } from '../constructs/compute/provisioning-task';
import { ProducerAccountStack } from './producer-account-stack';

const props = PRODUCTION_PRODUCER;

describe('ProducerAccountStack', () => {
  let synth: string;
  let stack: SynthesizedStack;
  let cmkArn: string;
  const ref = (type: string, name: string, attribute: string): string => `\${${type}.${name}.${attribute}}`;
  const only = (type: string): [string, Record<string, unknown>] => {
    const all = resourcesOf(stack, type);
    expect(all).toHaveLength(1);
    return all[0]!;
  };
  /** The archive bucket's resource of `type` (the access-log bucket has one of each, too). */
  const archiveOnly = (type: string): [string, Record<string, unknown>] => {
    const all = resourcesOf(stack, type).filter(([name]) => name.startsWith('archive_'));
    expect(all).toHaveLength(1);
    return all[0]!;
  };

  beforeAll(() => {
    const app = Testing.app();
    synth = Testing.synth(new ProducerAccountStack(app, 'producer', props));
    stack = JSON.parse(synth) as SynthesizedStack;
    cmkArn = ref('aws_kms_key', only('aws_kms_key')[0], 'arn');
  });

  it('matches the reviewed Terraform JSON', () => {
    expect(stack).toMatchSnapshot();
  });

  describe('encryption at rest with the customer-managed key', () => {
    it('rotates the key', () => {
      expect(synth).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    });

    it('encrypts MSK, OpenSearch, DynamoDB, S3, ECR, secrets and logs with it', () => {
      expect(synth).toHaveResourceWithProperties(
        MskCluster,
        deepPartial({ encryption_info: { encryption_at_rest_kms_key_arn: cmkArn } }),
      );
      expect(synth).toHaveResourceWithProperties(OpensearchDomain, {
        encrypt_at_rest: { enabled: true, kms_key_id: cmkArn },
      });
      const [, sse] = archiveOnly('aws_s3_bucket_server_side_encryption_configuration');
      expect(sse['rule']).toEqual([
        {
          apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: cmkArn },
          bucket_key_enabled: true,
        },
      ]);
      for (const [, table] of resourcesOf(stack, 'aws_dynamodb_table')) {
        expect(table['server_side_encryption']).toEqual({ enabled: true, kms_key_arn: cmkArn });
      }
      for (const [, repo] of resourcesOf(stack, 'aws_ecr_repository')) {
        expect(repo['encryption_configuration']).toEqual([{ encryption_type: 'KMS', kms_key: cmkArn }]);
      }
      for (const [, secret] of resourcesOf(stack, 'aws_secretsmanager_secret'))
        expect(secret['kms_key_id']).toBe(cmkArn);
      for (const [, group] of resourcesOf(stack, 'aws_cloudwatch_log_group'))
        expect(group['kms_key_id']).toBe(cmkArn);
      expect(only('aws_sns_topic')[1]['kms_master_key_id']).toBe(cmkArn);
      const parameters = resourcesOf(stack, 'aws_ssm_parameter');
      expect(parameters.length).toBeGreaterThan(SERVICE_NAMES.length * 2);
      for (const [, parameter] of parameters)
        expect(parameter).toMatchObject({ type: 'SecureString', key_id: cmkArn });
    });

    it('runs each service on the tag its image-tag parameter holds, readable in plans (the tag is no secret)', () => {
      for (const [, task] of resourcesOf(stack, 'aws_ecs_task_definition')) {
        const [container] = JSON.parse(String(task['container_definitions'])) as { image: string }[];
        expect(container?.image).toMatch(
          /:\$\{nonsensitive\(aws_ssm_parameter\.svc-[a-z-]+_image-tag_[0-9A-F]+\.value\)\}$/,
        );
      }
    });

    it('keeps a year of logs in every log group', () => {
      const groups = resourcesOf(stack, 'aws_cloudwatch_log_group');
      expect(groups.length).toBeGreaterThan(SERVICE_NAMES.length);
      for (const [, group] of groups) expect(group['retention_in_days']).toBeGreaterThanOrEqual(365);
    });
  });

  it('logs access to the archive into an access-log bucket that only S3 log delivery of this account writes to', () => {
    const accessLogBucket = resourcesOf(stack, 'aws_s3_bucket').find(([name]) =>
      name.startsWith('access-logs_'),
    )!;
    expect(archiveOnly('aws_s3_bucket_logging')[1]).toMatchObject({
      bucket: ref('aws_s3_bucket', archiveOnly('aws_s3_bucket')[0], 'id'),
      target_bucket: ref('aws_s3_bucket', accessLogBucket[0], 'id'),
    });
    const policy = resourcesOf(stack, 'aws_s3_bucket_policy').find(([name]) =>
      name.startsWith('access-logs_'),
    )!;
    expect(JSON.parse(String(policy[1]['policy']))).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Condition: {
            ArnLike: {
              'aws:SourceArn': [expect.stringMatching(new RegExp(`:s3:::${props.archive.bucketName}$`))],
            },
            StringEquals: { 'aws:SourceAccount': expect.any(String) },
          },
        },
        {
          Effect: 'Allow',
          // The Elastic Load Balancing account of the stack's region, looked up by the provider.
          Principal: { AWS: '${data.aws_elb_service_account.access-logs_elb-account_88A64705.arn}' },
          Action: 's3:PutObject',
          Resource: expect.stringMatching(
            /\/load-balancers\/AWSLogs\/\$\{data\.aws_caller_identity\.account\.account_id\}\/\*$/,
          ),
        },
        { Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } },
      ],
    });
    // S3 delivers server access logs only to SSE-S3 buckets.
    const sse = resourcesOf(stack, 'aws_s3_bucket_server_side_encryption_configuration').find(([name]) =>
      name.startsWith('access-logs_'),
    )!;
    expect(sse[1]['rule']).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } },
    ]);
    expect(resourcesOf(stack, 'aws_s3_bucket_public_access_block')).toHaveLength(2);
  });

  describe('the public API (consumer gateway)', () => {
    const named = (type: string, prefix: string): Record<string, unknown> => {
      const found = resourcesOf(stack, type).filter(([name]) => name.startsWith(prefix));
      expect(found).toHaveLength(1);
      return found[0]![1];
    };

    it('is reached only over HTTPS (TLS 1.2+, the certificate a variable names) on an internet-facing load balancer', () => {
      expect(stack.variable).toHaveProperty('gateway_certificate_arn');
      expect(named('aws_lb', 'lb-consumer-gateway_')).toMatchObject({
        internal: false,
        load_balancer_type: 'application',
        drop_invalid_header_fields: true,
        enable_deletion_protection: true,
        access_logs: { enabled: true, prefix: 'load-balancers/' },
      });
      expect(resourcesOf(stack, 'aws_lb_listener').map(([, l]) => l)).toEqual([
        expect.objectContaining({
          port: 443,
          protocol: 'HTTPS',
          ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          certificate_arn: '${var.gateway_certificate_arn}',
        }),
      ]);
      const group = named('aws_security_group', 'lb-consumer-gateway_');
      expect(group['ingress']).toEqual([expect.objectContaining({ from_port: 443, to_port: 443 })]);
      expect(group['egress']).toEqual([
        expect.objectContaining({ from_port: 8080, cidr_blocks: [props.vpcCidr] }),
      ]);
    });

    it("sends traffic only to gateway tasks whose /health/ready answers, in the gateway's ECS service", () => {
      const targets = named('aws_lb_target_group', 'lb-consumer-gateway_');
      expect(targets).toMatchObject({
        target_type: 'ip',
        port: 8080,
        health_check: { path: '/health/ready', matcher: '200' },
      });
      const gateway = resourcesOf(stack, 'aws_ecs_service').find(
        ([, s]) => s['name'] === 'consumer-gateway',
      )![1];
      expect(gateway['load_balancer']).toEqual([
        {
          container_name: 'consumer-gateway',
          container_port: 8080,
          // Through the listener: the service is created after the group has a load balancer.
          target_group_arn: expect.stringMatching(
            /^\$\{aws_lb_listener\.[^}]+\.default_action\[0\]\.target_group_arn\}$/,
          ),
        },
      ]);
      const others = resourcesOf(stack, 'aws_ecs_service').filter(
        ([, s]) => s['name'] !== 'consumer-gateway',
      );
      for (const [, service] of others) expect(service['load_balancer']).toBeUndefined();
    });

    it('puts AWS WAF in front: managed rule groups, a rate limit per address, logs without API keys', () => {
      const acl = named('aws_wafv2_web_acl', 'lb-consumer-gateway_');
      const rules = acl['rule'] as { name: string; statement: Record<string, unknown> }[];
      expect(rules.map((r) => r.name)).toEqual([
        'AWSManagedRulesAmazonIpReputationList',
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesAnonymousIpList',
        'RequestsPerAddress',
      ]);
      expect(rules.at(-1)?.statement).toEqual({
        rate_based_statement: { limit: 1500, aggregate_key_type: 'IP' },
      });
      expect(named('aws_wafv2_web_acl_association', 'lb-consumer-gateway_')['web_acl_arn']).toContain(
        'aws_wafv2_web_acl.',
      );
      expect(
        named('aws_wafv2_web_acl_logging_configuration', 'lb-consumer-gateway_')['redacted_fields'],
      ).toEqual([{ single_header: { name: 'x-api-key' } }, { single_header: { name: 'authorization' } }]);
    });

    it('places the load balancer in public subnets that launch nothing with a public IP', () => {
      const subnets = resourcesOf(stack, 'aws_subnet').filter(([name]) => name.startsWith('network_lb-'));
      expect(subnets).toHaveLength(props.availabilityZoneIds.length);
      for (const [, subnet] of subnets) expect(subnet['map_public_ip_on_launch']).toBe(false);
      expect(named('aws_lb', 'lb-consumer-gateway_')['subnets']).toEqual(
        subnets.map(([name]) => `\${aws_subnet.${name}.id}`),
      );
    });
  });

  it("asks the provider for the region's Elastic Load Balancing account, not a hand-kept table", () => {
    expect(Object.values(stack.data?.['aws_elb_service_account'] ?? {})).toEqual([{}]);
  });

  it('fails the plan unless every zone exists and offers the MSK and OpenSearch instance types', () => {
    const zones = Object.values(stack.data?.['aws_availability_zones'] ?? {});
    expect(zones).toEqual([
      {
        state: 'available',
        filter: [{ name: 'zone-id', values: [...props.availabilityZoneIds] }],
        lifecycle: {
          postcondition: [
            {
              condition:
                '${alltrue([for id in ["use1-az1","use1-az2","use1-az4"] : contains(self.zone_ids, id)])}',
              error_message: expect.stringContaining('use1-az1, use1-az2, use1-az4 must all exist'),
            },
          ],
        },
      },
    ]);
    const offerings = Object.values(stack.data?.['aws_ec2_instance_type_offerings'] ?? {});
    expect(offerings).toEqual([
      {
        location_type: 'availability-zone-id',
        filter: [
          { name: 'location', values: [...props.availabilityZoneIds] },
          // kafka.m7g.large, r7g.large.search and m7g.large.search run on these EC2 types.
          { name: 'instance-type', values: ['m7g.large', 'r7g.large'] },
        ],
        lifecycle: {
          postcondition: [
            {
              condition:
                '${alltrue([for pair in setproduct(["m7g.large","r7g.large"], ["use1-az1","use1-az2","use1-az4"]) : ' +
                'contains(formatlist("%s@%s", self.instance_types, self.locations), join("@", pair))])}',
              error_message: expect.stringContaining('kafka.m7g.large (MSK brokers, EC2 m7g.large)'),
            },
          ],
        },
      },
    ]);
  });

  it('pins the subnets to the configured zone ids', () => {
    const zones = resourcesOf(stack, 'aws_subnet').map(([, s]) => s['availability_zone_id']);
    expect(new Set(zones)).toEqual(new Set(props.availabilityZoneIds));
    // The zones data source only checks them (below); subnets never take a zone from it.
    expect(JSON.stringify(resourcesOf(stack, 'aws_subnet'))).not.toContain('data.aws_availability_zones');
  });

  describe('MSK', () => {
    it('uses TLS only in transit and SASL/SCRAM + IAM, never unauthenticated or public', () => {
      expect(synth).toHaveResourceWithProperties(
        MskCluster,
        deepPartial({
          encryption_info: { encryption_in_transit: { client_broker: 'TLS', in_cluster: true } },
          client_authentication: { unauthenticated: false, sasl: { scram: true, iam: true } },
          broker_node_group_info: {
            connectivity_info: {
              public_access: { type: 'DISABLED' },
              vpc_connectivity: { client_authentication: { sasl: { scram: true } } },
            },
          },
        }),
      );
    });

    it('spreads one broker per private subnet', () => {
      const [, cluster] = only('aws_msk_cluster');
      const subnets = (cluster['broker_node_group_info'] as { client_subnets: string[] }).client_subnets;
      expect(cluster['number_of_broker_nodes']).toBe(3);
      expect(subnets).toHaveLength(3);
      for (const s of subnets) expect(privateSubnetRefs()).toContain(s);
    });

    it('configures brokers: no topic auto-creation, RF 3, min ISR 2, deny without ACL', () => {
      const [, configuration] = only('aws_msk_configuration');
      const properties = Object.fromEntries(
        String(configuration['server_properties'])
          .split('\n')
          .map((line) => line.split('=') as [string, string]),
      );
      expect(properties).toMatchObject({
        'auto.create.topics.enable': 'false',
        'min.insync.replicas': '2',
        'default.replication.factor': '3',
        'allow.everyone.if.no.acl.found': 'false',
      });
    });

    it('lets only the consumer account (a variable) create a VPC connection and read bootstrap brokers', () => {
      expect(stack.variable).toHaveProperty('consumer_account_id');
      const [, policy] = only('aws_msk_cluster_policy');
      const document = JSON.parse(String(policy['policy'])) as { Statement: Record<string, unknown>[] };
      expect(document.Statement).toHaveLength(1);
      const statement = document.Statement[0]!;
      expect(statement['Principal']).toEqual({
        AWS: expect.stringMatching(
          /^arn:\$\{data\.aws_partition\.[^}]+\}:iam::\$\{var\.consumer_account_id\}:root$/,
        ),
      });
      expect(statement['Action']).toEqual(
        expect.arrayContaining([
          'kafka:CreateVpcConnection',
          'kafka:GetBootstrapBrokers',
          'kafka:DescribeClusterV2',
        ]),
      );
      expect(statement['Resource']).toBe(ref('aws_msk_cluster', only('aws_msk_cluster')[0], 'arn'));
    });

    it('keeps SCRAM credentials in AmazonMSK_ secrets, one per service and customer, all associated', () => {
      const secrets = resourcesOf(stack, 'aws_secretsmanager_secret').filter(([, s]) =>
        String(s['name']).startsWith('AmazonMSK_'),
      );
      expect(secrets).toHaveLength(SERVICES.length + props.customerUsers.length);
      // One association per secret; never the list-owning aws_msk_scram_secret_association, which would
      // disassociate the customers' secrets `npm run customers` associates outside Terraform.
      expect(resourcesOf(stack, 'aws_msk_scram_secret_association')).toEqual([]);
      const associations = resourcesOf(stack, 'aws_msk_single_scram_secret_association');
      expect(associations.map(([, a]) => a['secret_arn']).sort()).toEqual(
        secrets.map(([name]) => ref('aws_secretsmanager_secret', name, 'arn')).sort(),
      );
      for (const [, association] of associations) {
        expect(association['cluster_arn']).toBe(ref('aws_msk_cluster', only('aws_msk_cluster')[0], 'arn'));
      }
    });

    it('publishes the topics (RF 3, min ISR 2) and ACLs for the provisioning task, as the provider has no topic resource', () => {
      const parameters = new Map(
        resourcesOf(stack, 'aws_ssm_parameter').map(([, p]) => [String(p['name']), p]),
      );
      const topics = JSON.parse(String(parameters.get('/tickwire/prod/kafka/topics')?.['value'])) as unknown;
      expect(topics).toEqual(
        [
          ...kafkaTopicSpecs({ partitions: props.kafka.partitions, replicationFactor: 3, minInsyncReplicas: 2 }),
          enricherChangelogTopicSpec({ partitions: props.kafka.partitions, replicationFactor: 3, minInsyncReplicas: 2 }),
          dailyBarHoldTopicSpec({ replicationFactor: 3, minInsyncReplicas: 2 }),
        ],
      );
      // The ingest-producer writes its daily-bar hold and reads it back with restore groups (never committed).
      const ingestAcls = JSON.parse(String(parameters.get('/tickwire/prod/kafka/acls/tickwire-ingest-producer')?.['value'])) as unknown[];
      expect(ingestAcls).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ resourceType: 'TOPIC', resourceName: DAILY_BAR_HOLD_TOPIC, operation: 'WRITE' }),
          expect.objectContaining({ resourceType: 'TOPIC', resourceName: DAILY_BAR_HOLD_TOPIC, operation: 'READ' }),
          expect.objectContaining({ resourceType: 'GROUP', resourceName: 'ingest-producer-restore', patternType: 'PREFIXED', operation: 'READ' }),
        ]),
      );
      const customerAcls = JSON.parse(
        String(parameters.get('/tickwire/prod/kafka/acls/customer')?.['value']),
      ) as unknown;
      expect(customerAcls).toEqual(customerReadOnlyAcls('customer'));
      expect(parameters.has('/tickwire/prod/kafka/acls/tickwire-enricher')).toBe(true);
    });

    it('creates every topic a service reads or writes and gives every service and customer user its ACLs', () => {
      const parameters = new Map(
        resourcesOf(stack, 'aws_ssm_parameter').map(([, p]) => [String(p['name']), p]),
      );
      const created = new Set(
        (
          JSON.parse(String(parameters.get('/tickwire/prod/kafka/topics')?.['value'])) as { name: string }[]
        ).map((t) => t.name),
      );
      const used = SERVICES.flatMap((s) => [...s.consumes, ...s.produces]);
      expect(used.filter((topic) => !created.has(topic))).toEqual([]);
      const scramUsers = resourcesOf(stack, 'aws_secretsmanager_secret')
        .map(([, secret]) => String(secret['name']))
        .filter((name) => name.startsWith('AmazonMSK_'))
        .map((name) => name.replace(/^AmazonMSK_tickwire-prod_/, ''));
      const aclUsers = [...parameters.keys()]
        .filter((name) => name.startsWith('/tickwire/prod/kafka/acls/'))
        .map((name) => name.slice('/tickwire/prod/kafka/acls/'.length));
      expect(aclUsers.sort()).toEqual(scramUsers.sort());
      // ACLs name only topics the run creates (or prefixes and groups, which need no topic).
      for (const user of aclUsers) {
        const acls = JSON.parse(String(parameters.get(`/tickwire/prod/kafka/acls/${user}`)?.['value'])) as {
          resourceType: string;
          resourceName: string;
          patternType: string;
        }[];
        const topics = acls.filter((a) => a.resourceType === 'TOPIC' && a.patternType === 'LITERAL');
        expect(topics.filter((a) => !created.has(a.resourceName))).toEqual([]);
      }
    });
  });

  describe('no public access', () => {
    it('blocks every kind of public access to the archive bucket and denies plain HTTP', () => {
      for (const [, block] of resourcesOf(stack, 'aws_s3_bucket_public_access_block')) {
        expect(block).toMatchObject({
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        });
      }
      const [, policy] = archiveOnly('aws_s3_bucket_policy');
      expect(JSON.parse(String(policy['policy']))).toMatchObject({
        Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } }],
      });
    });

    it('puts OpenSearch in the private subnets with FGAC, node-to-node encryption and HTTPS with TLS 1.2+', () => {
      const [, domain] = only('aws_opensearch_domain');
      const vpcOptions = domain['vpc_options'] as { subnet_ids: string[] };
      expect(vpcOptions.subnet_ids).toHaveLength(3);
      for (const s of vpcOptions.subnet_ids) expect(privateSubnetRefs()).toContain(s);
      expect(domain).toMatchObject({
        node_to_node_encryption: { enabled: true },
        domain_endpoint_options: {
          enforce_https: true,
          tls_security_policy: expect.stringMatching(/^Policy-Min-TLS-1-2/),
        },
        advanced_security_options: {
          enabled: true,
          anonymous_auth_enabled: false,
          internal_user_database_enabled: false,
        },
      });
    });

    it('uses every security group it creates (what checkov CKV2_AWS_5 would check, run-task included)', () => {
      expect(resourcesOf(stack, 'aws_security_group').length).toBeGreaterThan(1);
      expect(unusedSecurityGroups(stack)).toEqual([]);
      // The check itself: a group nothing names is found.
      const orphan = {
        ...stack,
        resource: {
          ...stack.resource,
          aws_security_group: { ...stack.resource['aws_security_group'], orphan: {} },
        },
      };
      expect(unusedSecurityGroups(orphan)).toEqual(['orphan']);
    });

    it('closes the default security group and logs all VPC traffic', () => {
      expect(only('aws_default_security_group')[1]).toMatchObject({ ingress: [], egress: [] });
      expect(only('aws_flow_log')[1]).toMatchObject({
        traffic_type: 'ALL',
        log_destination_type: 'cloud-watch-logs',
      });
    });

    it('publishes OpenSearch application, slow and audit logs', () => {
      const [, domain] = only('aws_opensearch_domain');
      const published = (domain['log_publishing_options'] as { log_type: string; enabled: boolean }[])
        .filter((o) => o.enabled)
        .map((o) => o.log_type);
      expect(published.sort()).toEqual([
        'AUDIT_LOGS',
        'ES_APPLICATION_LOGS',
        'INDEX_SLOW_LOGS',
        'SEARCH_SLOW_LOGS',
      ]);
    });

    it('launches no subnet with public IPs and runs every task in private subnets without a public IP', () => {
      for (const [, subnet] of resourcesOf(stack, 'aws_subnet'))
        expect(subnet['map_public_ip_on_launch']).toBe(false);
      const services = resourcesOf(stack, 'aws_ecs_service');
      expect(services).toHaveLength(SERVICE_NAMES.length);
      for (const [, service] of services) {
        const network = service['network_configuration'] as { assign_public_ip: boolean; subnets: string[] };
        expect(network.assign_public_ip).toBe(false);
        expect([...network.subnets].sort()).toEqual(privateSubnetRefs().sort());
      }
      expect(synth).toHaveResourceWithProperties(
        EcsService,
        deepPartial({ network_configuration: { assign_public_ip: false } }),
      );
    });
  });

  describe('least-privilege IAM', () => {
    it('audits every policy attribute present in the stack', () => {
      const audited = new Set(POLICY_ATTRIBUTES.map((p) => `${p.type}.${p.attribute}`));
      for (const [type, resources] of Object.entries(stack.resource)) {
        for (const config of Object.values(resources)) {
          for (const [attribute, value] of Object.entries(config)) {
            if (typeof value === 'string' && value.includes('"Statement"'))
              expect(audited).toContain(`${type}.${attribute}`);
          }
        }
      }
    });

    it('grants no "*" or "<service>:*" action and no data action on resource "*"', () => {
      const statements = policyStatements(stack);
      expect(statements.length).toBeGreaterThan(20);
      expect(leastPrivilegeViolations(statements, ['ecr:GetAuthorizationToken'])).toEqual([]);
    });

    it('gives each service only its own tables, prefixes and domain', () => {
      const taskPolicy = (service: string): { Action: string[]; Resource: string | string[] }[] => {
        const found = resourcesOf(stack, 'aws_iam_role_policy').find(([name]) =>
          name.startsWith(`svc-${service}_task-policy`),
        );
        return found
          ? (
              JSON.parse(String(found[1]['policy'])) as {
                Statement: { Action: string[]; Resource: string[] }[];
              }
            ).Statement
          : [];
      };
      const tableRef = (table: string): string => ref('aws_dynamodb_table', `tables_${table}`, 'arn');
      const resources = (service: string): string[] =>
        taskPolicy(service).flatMap((s) => [s.Resource].flat());

      expect(taskPolicy('ingest-producer')).toEqual([]);
      expect(
        resources('enricher')
          .map((r) => r.replace(/_[0-9A-F]{8}\./, '.'))
          .sort(),
      ).toEqual([tableRef('reference-daily-bars'), tableRef('symbol-state')].sort());
      const gatewayActions = taskPolicy('consumer-gateway').flatMap((s) => s.Action);
      expect(
        gatewayActions.every((a) =>
          [
            'dynamodb:GetItem',
            'dynamodb:BatchGetItem',
            'dynamodb:Query',
            'dynamodb:ConditionCheckItem',
            'es:ESHttpGet',
            'es:ESHttpHead',
            'es:ESHttpPost',
          ].includes(a),
        ),
      ).toBe(true);
      expect(resources('consumer-gateway')).toContainEqual(
        expect.stringMatching(/^\$\{aws_opensearch_domain\.[^}]+\.arn\}\/\*$/),
      );
      const archiverS3 = taskPolicy('firehose-archiver').find((s) => s.Action.includes('s3:PutObject'));
      expect([archiverS3?.Resource].flat()).toEqual([
        expect.stringMatching(new RegExp(`\\.arn\\}/${ARCHIVE_DATA_PREFIX}/\\*$`)),
        expect.stringMatching(/\.arn\}\/errors\/\*$/),
      ]);
      expect(resources('opensearch-indexer')).toEqual([
        expect.stringMatching(/^\$\{aws_opensearch_domain\.[^}]+\.arn\}\/\*$/),
      ]);
    });
  });

  describe('the provisioning task', () => {
    const named = (type: string, prefix: string): [string, Record<string, unknown>] => {
      const all = resourcesOf(stack, type).filter(([name]) => name.startsWith(prefix));
      expect(all).toHaveLength(1);
      return all[0]!;
    };
    const statementsOf = (policy: Record<string, unknown>): unknown[] =>
      (JSON.parse(String(policy['policy'])) as { Statement: unknown[] }).Statement;
    const topicNames = [
      ...kafkaTopicSpecs({ partitions: props.kafka.partitions }),
      enricherChangelogTopicSpec({ partitions: props.kafka.partitions }),
      dailyBarHoldTopicSpec(),
    ]
      .map((t) => t.name)
      .sort();

    it('runs provision.js from the indexer image at its deployed tag, as a task definition of its own (no service)', () => {
      const [, task] = named('aws_ecs_task_definition', 'provisioning_task');
      expect(task).toMatchObject({ family: 'tickwire-prod-provisioning', cpu: '256', memory: '512' });
      const [container] = JSON.parse(String(task['container_definitions'])) as Record<string, unknown>[];
      expect(container).toMatchObject({
        name: 'provisioning',
        command: ['node', '--enable-source-maps', 'provision.js'],
        readonlyRootFilesystem: true,
        image: expect.stringMatching(
          /^\$\{aws_ecr_repository\.ecr-opensearch-indexer_[^.]+\.repository_url\}:\$\{nonsensitive\(aws_ssm_parameter\.svc-opensearch-indexer_image-tag_[0-9A-F]+\.value\)\}$/,
        ),
      });
      // Every definition comes from its SSM parameter, none is written into the task definition.
      const secrets = container!['secrets'] as { name: string; valueFrom: string }[];
      expect(secrets.map((s) => s.name)).toEqual(
        expect.arrayContaining([
          'PROVISION_KAFKA_TOPICS',
          'PROVISION_KAFKA_ACLS_TICKWIRE_ENRICHER',
          'PROVISION_KAFKA_ACLS_CUSTOMER',
        ]),
      );
      for (const secret of secrets) expect(secret.valueFrom).toMatch(/^\$\{aws_ssm_parameter\.[^.]+\.arn\}$/);
      expect(resourcesOf(stack, 'aws_ecs_service').map(([, s]) => s['name'])).not.toContain('provisioning');
    });

    it('has a role of its own: MSK IAM admin on the cluster and exactly its topics, PUT on templates and security only', () => {
      const [roleName, role] = named('aws_iam_role', 'provisioning-role_');
      expect(role['name']).toBe('tickwire-prod-provisioning-task');
      const [, policy] = named('aws_iam_role_policy', 'provisioning_task-policy');
      expect(policy['role']).toBe(ref('aws_iam_role', roleName, 'id'));
      const cluster = only('aws_msk_cluster')[0];
      const domain = `\${aws_opensearch_domain.${only('aws_opensearch_domain')[0]}.arn}`;
      const topicPrefix =
        'arn:${data.aws_partition.partition.partition}:kafka:us-east-1:${data.aws_caller_identity.account.account_id}:topic/' +
        `\${aws_msk_cluster.${cluster}.cluster_name}/\${aws_msk_cluster.${cluster}.cluster_uuid}`;
      expect(statementsOf(policy)).toEqual([
        {
          Sid: 'KafkaClusterAcls',
          Effect: 'Allow',
          Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka-cluster:AlterCluster'],
          Resource: ref('aws_msk_cluster', cluster, 'arn'),
        },
        {
          Sid: 'KafkaTopics',
          Effect: 'Allow',
          Action: ['kafka-cluster:CreateTopic', 'kafka-cluster:DescribeTopic', 'kafka-cluster:AlterTopic'],
          Resource: topicNames.map((topic) => `${topicPrefix}/${topic}`),
        },
        {
          Sid: 'SearchProvisioning',
          Effect: 'Allow',
          Action: 'es:ESHttpPut',
          Resource: [
            `${domain}/_index_template/*`,
            `${domain}/_plugins/_security/api/roles/*`,
            `${domain}/_plugins/_security/api/rolesmapping/*`,
          ],
        },
      ]);
      // Its execution role pulls the indexer image, writes its log group and reads only the definitions.
      const [, execution] = named('aws_iam_role_policy', 'provisioning_execution-policy');
      const parameters = resourcesOf(stack, 'aws_ssm_parameter')
        .filter(([, p]) => /^\/tickwire\/prod\/(kafka|opensearch)\//.test(String(p['name'])))
        .map(([name]) => ref('aws_ssm_parameter', name, 'arn'));
      expect(statementsOf(execution)).toEqual([
        { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        expect.objectContaining({
          Sid: 'EcrPull',
          Resource: expect.stringMatching(/^\$\{aws_ecr_repository\.ecr-opensearch-indexer_[^.]+\.arn\}$/),
        }),
        expect.objectContaining({ Sid: 'Logs', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
        {
          Sid: 'Definitions',
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: expect.arrayContaining(parameters),
        },
        {
          Sid: 'DefinitionsDecrypt',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: cmkArn,
          Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
        },
      ]);
      expect((statementsOf(execution)[3] as { Resource: string[] }).Resource).toHaveLength(parameters.length);
    });

    it('is the OpenSearch master user, and maps the operators, the indexer (writes) and the gateway (reads)', () => {
      const [roleName] = named('aws_iam_role', 'provisioning-role_');
      expect(only('aws_opensearch_domain')[1]).toMatchObject({
        advanced_security_options: {
          master_user_options: { master_user_arn: ref('aws_iam_role', roleName, 'arn') },
        },
      });
      const [, task] = named('aws_ecs_task_definition', 'provisioning_task');
      const [container] = JSON.parse(String(task['container_definitions'])) as {
        environment: { name: string; value: string }[];
      }[];
      const mappings = JSON.parse(
        container!.environment.find((e) => e.name === 'OPENSEARCH_ROLE_MAPPINGS')!.value,
      ) as Record<string, string[]>;
      const operator = ref('aws_iam_role', named('aws_iam_role', 'search_master-role')[0], 'arn');
      const taskRole = (service: string) =>
        ref('aws_iam_role', named('aws_iam_role', `svc-${service}_task-role`)[0], 'arn');
      expect(mappings).toEqual({
        all_access: [operator],
        security_manager: [operator],
        tickwire_indexer: [taskRole('opensearch-indexer')],
        tickwire_reader: [taskRole('consumer-gateway')],
      });
    });

    it('runs once per change before every service: terraform_data run-task, waited for, its exit code checked', () => {
      const [runName, run] = named('terraform_data', 'provisioning_run');
      for (const [, service] of resourcesOf(stack, 'aws_ecs_service')) {
        expect(service['depends_on']).toEqual([`terraform_data.${runName}`]);
      }
      const taskDefinition = ref(
        'aws_ecs_task_definition',
        named('aws_ecs_task_definition', 'provisioning_task')[0],
        'arn',
      );
      const triggers = run['triggers_replace'] as Record<string, string>;
      expect(triggers['taskDefinition']).toBe(taskDefinition);
      // A new value of any definition (a new SSM parameter version) runs it again.
      expect(Object.keys(triggers).filter((k) => k.startsWith('PROVISION_'))).toHaveLength(
        resourcesOf(stack, 'aws_ssm_parameter').filter(([, p]) =>
          /^\/tickwire\/prod\/(kafka|opensearch)\//.test(String(p['name'])),
        ).length,
      );
      for (const [key, value] of Object.entries(triggers)) {
        if (key !== 'taskDefinition') expect(value).toMatch(/^\$\{aws_ssm_parameter\.[^.]+\.version\}$/);
      }
      const [exec] = run['provisioner'] as {
        'local-exec': { command: string; environment: Record<string, string> };
      }[];
      expect(exec!['local-exec'].command).toBe(RUN_TASK_SCRIPT);
      expect(exec!['local-exec'].environment).toMatchObject({
        TASK_DEFINITION: taskDefinition,
        CLUSTER: ref('aws_ecs_cluster', only('aws_ecs_cluster')[0], 'arn'),
        INITIAL_IMAGE_TAG: props.initialImageTag,
        REGION: 'us-east-1',
      });
    });

    it('reaches only MSK IAM (9098) in the VPC and HTTPS, and accepts no connection', () => {
      const [, sg] = named('aws_security_group', 'provisioning_sg');
      expect(sg['ingress']).toEqual([]);
      expect(
        (sg['egress'] as { from_port: number; cidr_blocks: string[] }[]).map((e) => [
          e.from_port,
          e.cidr_blocks,
        ]),
      ).toEqual([
        [443, ['0.0.0.0/0']],
        [9098, [props.vpcCidr]],
      ]);
    });
  });

  it('creates every shared DynamoDB table on demand with point-in-time recovery', () => {
    for (const spec of DYNAMODB_TABLES) {
      expect(synth).toHaveResourceWithProperties(DynamodbTable, {
        name: spec.tableName,
        billing_mode: 'PAY_PER_REQUEST',
        hash_key: spec.partitionKey.name,
        point_in_time_recovery: { enabled: true },
        deletion_protection_enabled: true,
      });
    }
    expect(resourcesOf(stack, 'aws_dynamodb_table')).toHaveLength(DYNAMODB_TABLES.length);
  });

  it('tiers the raw prefix to Glacier IR then Deep Archive', () => {
    const [, lifecycle] = archiveOnly('aws_s3_bucket_lifecycle_configuration');
    const rules = lifecycle['rule'] as {
      filter: { prefix: string }[];
      transition?: { storage_class: string; days: number }[];
    }[];
    const raw = rules.find((r) => r.filter[0]?.prefix === `${ARCHIVE_DATA_PREFIX}/`);
    expect(raw?.transition).toEqual([
      { days: props.archive.tiering.glacierInstantRetrievalAfterDays, storage_class: 'GLACIER_IR' },
      { days: props.archive.tiering.deepArchiveAfterDays, storage_class: 'DEEP_ARCHIVE' },
    ]);
  });

  it('has one immutable, scanned ECR repository per app', () => {
    const names = resourcesOf(stack, 'aws_ecr_repository').map(([, r]) => r['name']);
    expect(names.sort()).toEqual(SERVICE_NAMES.map((s) => `tickwire/${s}`).sort());
    expect(synth).toHaveResourceWithProperties(EcrRepository, {
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
    });
  });

  it('alarms on SumOffsetLag of every committing consumer group, per consumed stream (not the restore-only changelog)', () => {
    // The gateway's per-instance groups commit nothing, so MSK has no offset lag of theirs to alarm on.
    for (const service of SERVICES.filter((s) => s.consumerGroup && !s.consumerGroupPerInstance)) {
      for (const topic of service.consumes.filter((t) => t !== ENRICHER_STATE_CHANGELOG_TOPIC)) {
        expect(synth).toHaveResourceWithProperties(
          CloudwatchMetricAlarm,
          deepPartial({
            namespace: 'AWS/Kafka',
            metric_name: 'SumOffsetLag',
            dimensions: { 'Consumer Group': service.consumerGroup, Topic: topic },
          }),
        );
      }
    }
    const alarmed = new Set(
      resourcesOf(stack, 'aws_cloudwatch_metric_alarm').map(
        ([, a]) => (a['dimensions'] as Record<string, string>)['Consumer Group'],
      ),
    );
    expect([...alarmed].sort()).toEqual(['enricher', 'firehose-archiver', 'opensearch-indexer']);
    expect(TOPICS.enriched).toBe('market.enriched.v1');
  });

  it('runs the services with non-secret settings in the environment and credentials as secrets', () => {
    const services = resourcesOf(stack, 'aws_ecs_task_definition').filter(([name]) =>
      name.startsWith('svc-'),
    );
    expect(services).toHaveLength(SERVICE_NAMES.length);
    for (const [, task] of services) {
      const [container] = JSON.parse(String(task['container_definitions'])) as {
        environment: { name: string; value: string }[];
        secrets: { name: string; valueFrom: string }[];
        readonlyRootFilesystem: boolean;
        healthCheck: { command: string[] };
      }[];
      const env = Object.fromEntries(container!.environment.map((e) => [e.name, e.value]));
      expect(env).toMatchObject({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512' });
      expect(Object.keys(env).some((k) => /PASSWORD|SECRET/.test(k))).toBe(false);
      expect(container!.secrets.map((s) => s.name)).toEqual(
        expect.arrayContaining(['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']),
      );
      expect(container!.readonlyRootFilesystem).toBe(true);
      expect(container!.healthCheck.command.join(' ')).toContain('/health/live');
    }
  });

  function privateSubnetRefs(): string[] {
    return resourcesOf(stack, 'aws_subnet')
      .filter(([, s]) => (s['tags'] as Record<string, string>)['Tier'] === 'private')
      .map(([name]) => ref('aws_subnet', name, 'id'));
  }
});
