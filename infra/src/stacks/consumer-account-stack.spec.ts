import { MskVpcConnection } from '@cdktf/provider-aws/lib/msk-vpc-connection';
import { TOPICS } from '@tickwire/contracts';
import { Testing } from 'cdktf';
import { PRODUCTION_CONSUMER, PRODUCTION_PRODUCER } from '../config/environments';
import {
  leastPrivilegeViolations,
  policyStatements,
  resourcesOf,
  unusedSecurityGroups,
  type SynthesizedStack,
} from '../testing/synthesized-stack';
import { ConsumerAccountStack } from './consumer-account-stack';

describe('ConsumerAccountStack', () => {
  let synth: string;
  let stack: SynthesizedStack;

  beforeAll(() => {
    synth = Testing.synth(new ConsumerAccountStack(Testing.app(), 'consumer', PRODUCTION_CONSUMER));
    stack = JSON.parse(synth) as SynthesizedStack;
  });

  it('matches the reviewed Terraform JSON', () => {
    expect(stack).toMatchSnapshot();
  });

  it('connects to the producer cluster (a variable) privately with SASL/SCRAM', () => {
    expect(synth).toHaveResourceWithProperties(MskVpcConnection, {
      authentication: 'SASL_SCRAM',
      target_cluster_arn: '${var.producer_cluster_arn}',
    });
    expect(Object.keys(stack.variable ?? {}).sort()).toEqual([
      'producer_bootstrap_brokers',
      'producer_cluster_arn',
    ]);
  });

  it("fails the plan unless the producer's zones (by id) exist and are available in the customer's region", () => {
    const [check] = Object.values(stack.data?.['aws_availability_zones'] ?? {});
    expect(check).toMatchObject({
      state: 'available',
      filter: [{ name: 'zone-id', values: [...PRODUCTION_CONSUMER.availabilityZoneIds] }],
      lifecycle: { postcondition: [{ condition: expect.stringContaining('contains(self.zone_ids, id)') }] },
    });
    expect(JSON.stringify(resourcesOf(stack, 'aws_subnet'))).not.toContain('data.aws_availability_zones');
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

  it('shares no state with the producer', () => {
    expect(stack.data?.['terraform_remote_state']).toBeUndefined();
    expect(JSON.stringify(stack)).not.toContain('remote_state');
  });

  it('runs the sample consumer on market.enriched.v1 in a customer- group with the SCRAM secret, no public IP', () => {
    const [[, task]] = resourcesOf(stack, 'aws_ecs_task_definition') as [[string, Record<string, unknown>]];
    const [container] = JSON.parse(String(task['container_definitions'])) as {
      environment: { name: string; value: string }[];
      secrets: { name: string; valueFrom: string }[];
    }[];
    const env = Object.fromEntries(container!.environment.map((e) => [e.name, e.value]));
    expect(env['KAFKA_TOPIC']).toBe(TOPICS.enriched);
    expect(env['KAFKA_GROUP_ID']).toMatch(/^customer-/);
    expect(env['KAFKA_BROKERS']).toBe('${var.producer_bootstrap_brokers}');
    expect(container!.secrets.map((s) => s.valueFrom)).toEqual([
      expect.stringMatching(/^\$\{aws_secretsmanager_secret\.[^}]+\.arn\}:username::$/),
      expect.stringMatching(/^\$\{aws_secretsmanager_secret\.[^}]+\.arn\}:password::$/),
    ]);
    for (const [, subnet] of resourcesOf(stack, 'aws_subnet'))
      expect(subnet['map_public_ip_on_launch']).toBe(false);
  });

  it('admits the broker port range on the connection only from the client security group', () => {
    const groups = new Map(resourcesOf(stack, 'aws_security_group').map(([name, g]) => [name, g]));
    const connection = [...groups.values()].find((g) => String(g['name']).endsWith('-msk-connection'));
    const client = [...groups.entries()].find(([, g]) => String(g['name']).endsWith('-msk-clients'));
    expect(connection?.['ingress']).toEqual([
      expect.objectContaining({
        from_port: 14001,
        to_port: 14100,
        security_groups: [`\${aws_security_group.${client?.[0]}.id}`],
      }),
    ]);
  });

  it('runs the sample consumer as a service at zero tasks in the private subnets with the client security group', () => {
    const [[, service]] = resourcesOf(stack, 'aws_ecs_service') as [[string, Record<string, unknown>]];
    const client = resourcesOf(stack, 'aws_security_group').find(([, g]) =>
      String(g['name']).endsWith('-msk-clients'),
    );
    expect(service).toMatchObject({
      desired_count: 0,
      network_configuration: {
        assign_public_ip: false,
        security_groups: [`\${aws_security_group.${client?.[0]}.id}`],
      },
      lifecycle: { ignore_changes: ['desired_count'] },
    });
  });

  it("keeps a year of logs and pins its subnets to the producer's zone ids", () => {
    for (const [, group] of resourcesOf(stack, 'aws_cloudwatch_log_group'))
      expect(group['retention_in_days']).toBeGreaterThanOrEqual(365);
    const zones = resourcesOf(stack, 'aws_subnet').map(([, s]) => s['availability_zone_id']);
    expect(new Set(zones)).toEqual(new Set(PRODUCTION_PRODUCER.availabilityZoneIds));
  });

  it('grants no wildcard actions', () => {
    expect(leastPrivilegeViolations(policyStatements(stack), [])).toEqual([]);
  });
});
