/**
 * Infra and apps agree (issue 16, item 3): every ECS task definition of the synthesized stacks gives
 * its container an environment (secrets included, by name) that the container's program accepts.
 * For a Tickwire app that means its own config schema (the one it validates at start-up) parses it,
 * nothing set is ignored by the app, and no dependency is left at its local-stack default (loopback).
 * Terraform references (`${aws_msk_cluster.x.bootstrap_brokers_sasl_scram}`) stand for values of the
 * shape AWS returns; a reference this spec does not know fails it, so nothing passes unread.
 */
import { envVarNames, loadServiceConfig, type ServiceDefinition } from '@tickwire/service-kit';
import { Testing } from 'cdktf';
import type { z } from 'zod';
import { CONSUMER_GATEWAY } from '../../../apps/consumer-gateway/src/service-definition';
import { ENRICHER } from '../../../apps/enricher/src/service-definition';
import { FIREHOSE_ARCHIVER } from '../../../apps/firehose-archiver/src/service-definition';
import { INGEST_PRODUCER } from '../../../apps/ingest-producer/src/service-definition';
import {
  isProvisioningVariable,
  loadProvisioningConfig,
} from '../../../apps/opensearch-indexer/src/provisioning/provisioning-config';
import { OPENSEARCH_INDEXER } from '../../../apps/opensearch-indexer/src/service-definition';
import { SERVICE_NAMES, type ServiceName } from '../config/service-catalogue';
import { PRODUCTION_CONSUMER, PRODUCTION_PRODUCER } from '../config/environments';
import { resourcesOf, type SynthesizedStack } from '../testing/synthesized-stack';
import { ConsumerAccountStack } from './consumer-account-stack';
import { ProducerAccountStack } from './producer-account-stack';

const APPS: Record<ServiceName, ServiceDefinition<z.ZodType>> = {
  'ingest-producer': INGEST_PRODUCER,
  enricher: ENRICHER,
  'opensearch-indexer': OPENSEARCH_INDEXER,
  'firehose-archiver': FIREHOSE_ARCHIVER,
  'consumer-gateway': CONSUMER_GATEWAY,
};

/** What a deployed Terraform reference resolves to, by its attribute, in the shape AWS returns. */
const REFERENCE_SAMPLES: Readonly<Record<string, string>> = {
  // aws_msk_cluster: comma-separated host:port of the SASL/SCRAM listener (9096).
  bootstrap_brokers_sasl_scram: [1, 2, 3]
    .map((b) => `b-${b}.tickwireprod.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9096`)
    .join(','),
  // aws_msk_cluster: the IAM listener (9098), the provisioning task's.
  bootstrap_brokers_sasl_iam: [1, 2, 3]
    .map((b) => `b-${b}.tickwireprod.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9098`)
    .join(','),
  // aws_opensearch_domain in a VPC: a host name without scheme.
  endpoint: 'vpc-tickwire-prod-a1b2c3d4e5f6.us-east-1.es.amazonaws.com',
  // aws_s3_bucket.
  bucket: 'tickwire-archive-prod',
  // Consumer stack variable: the producer's multi-VPC bootstrap brokers (14001-14100).
  'var.producer_bootstrap_brokers':
    'b-1.tickwireprod.a1b2c3.c2.kafka.us-east-1.amazonaws.com:14001,b-2.tickwireprod.a1b2c3.c2.kafka.us-east-1.amazonaws.com:14002',
};

/** `value` with each `${...}` Terraform reference replaced by its sample; throws on an unknown one. */
function resolveReferences(value: string): string {
  return value.replace(/\$\{([^}]+)\}/g, (_, expression: string) => {
    // aws_iam_role.<name>.arn: a role ARN (the provisioning task maps task roles in OpenSearch).
    const roleArn = /^aws_iam_role\.([A-Za-z0-9_-]+)\.arn$/.exec(expression);
    if (roleArn) return `arn:aws:iam::123456789012:role/${roleArn[1]!.slice(0, 40)}`;
    const sample = REFERENCE_SAMPLES[expression] ?? REFERENCE_SAMPLES[expression.split('.').pop()!];
    if (sample === undefined)
      throw new Error(`no sample value for the Terraform reference \${${expression}}`);
    return sample;
  });
}

interface ContainerDefinition {
  name: string;
  environment?: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
  command?: string[];
  entryPoint?: string[];
}

/**
 * What a container sees in a secret variable: a Secrets Manager JSON key is unknown here (its name
 * stands for it); an SSM parameter of the stack (`${aws_ssm_parameter.<name>.arn}`) holds the value
 * Terraform writes, so the container gets exactly that.
 */
function secretValue(stack: SynthesizedStack, valueFrom: string): string {
  const parameter = /^\$\{aws_ssm_parameter\.([^.}]+)\.arn\}$/.exec(valueFrom);
  if (!parameter) return `${valueFrom.split(':').at(-3)}-from-secrets-manager`;
  const value = stack.resource['aws_ssm_parameter']?.[parameter[1]!]?.['value'];
  if (typeof value !== 'string') throw new Error(`no value for SSM parameter ${parameter[1]}`);
  return value;
}

/** Every container of every task definition in `stack`, with its environment as the container sees it. */
function containersOf(stack: SynthesizedStack) {
  return resourcesOf(stack, 'aws_ecs_task_definition').flatMap(([resource, task]) =>
    (JSON.parse(String(task['container_definitions'])) as ContainerDefinition[]).map((container) => ({
      resource,
      container,
      env: {
        ...Object.fromEntries((container.environment ?? []).map((e) => [e.name, resolveReferences(e.value)])),
        // A secret's value is unknown here; only its name and the JSON key it comes from matter.
        ...Object.fromEntries(
          (container.secrets ?? []).map((s) => [s.name, secretValue(stack, s.valueFrom)]),
        ),
      } as Record<string, string>,
    })),
  );
}

/** Why `env` would not start `app`'s container as intended; empty when it would. */
function disagreements(app: ServiceDefinition<z.ZodType>, env: Record<string, string>): string[] {
  const problems: string[] = [];
  let config: unknown;
  try {
    config = loadServiceConfig(app.name, app.envSchema, env);
  } catch (error) {
    return [(error as Error).message];
  }
  const read = envVarNames(app.envSchema);
  for (const name of Object.keys(env).filter((n) => !read.includes(n)))
    problems.push(`${name} is set but not read`);
  // Schema defaults point at the local stack: one left in a deployed task is a missing setting.
  for (const [name, value] of Object.entries(config as Record<string, unknown>)) {
    if (/127\.0\.0\.1|localhost/.test(JSON.stringify(value)))
      problems.push(`${name} stays at the local default`);
  }
  return problems;
}

describe('ECS task definitions agree with the apps', () => {
  const producer = JSON.parse(
    Testing.synth(new ProducerAccountStack(Testing.app(), 'producer', PRODUCTION_PRODUCER)),
  ) as SynthesizedStack;
  const consumer = JSON.parse(
    Testing.synth(new ConsumerAccountStack(Testing.app(), 'consumer', PRODUCTION_CONSUMER)),
  ) as SynthesizedStack;
  const containers = containersOf(producer);
  const services = containers.filter((c) => c.container.name !== 'provisioning');

  it('runs one container per app, each an app with a config schema, and the provisioning task', () => {
    expect(services.map((s) => s.container.name).sort()).toEqual([...SERVICE_NAMES].sort());
    expect(containers.filter((c) => c.container.name === 'provisioning')).toHaveLength(1);
  });

  it('provisioning: the run accepts its environment and the published definitions, reads every variable, leaves nothing local', () => {
    const { container, env } = containers.find((c) => c.container.name === 'provisioning')!;
    expect(container.command).toEqual(['node', '--enable-source-maps', 'provision.js']);
    const config = loadProvisioningConfig(env);
    expect(Object.keys(env).filter((name) => !isProvisioningVariable(name))).toEqual([]);
    expect(JSON.stringify(config)).not.toMatch(/127\.0\.0\.1|localhost/);
    expect(config).toMatchObject({
      kafkaSsl: true,
      kafkaSaslMechanism: 'aws-msk-iam',
      awsRegion: PRODUCTION_PRODUCER.region,
    });
    expect(config.kafkaBrokers.every((broker) => broker.endsWith(':9098'))).toBe(true);
    // Every published definition reaches the run: all topics, every user's ACLs, every template.
    const published = (name: string): unknown[] => {
      const parameters = Object.values(producer.resource['aws_ssm_parameter'] ?? {}).filter((p) =>
        String(p['name']).startsWith(name),
      );
      return parameters.flatMap((p) => JSON.parse(String(p['value'])) as unknown);
    };
    expect(config.topics).toEqual(published('/tickwire/prod/kafka/topics'));
    expect(config.acls).toHaveLength(published('/tickwire/prod/kafka/acls/').length);
    expect(config.indexTemplates.map((t) => t.name).sort()).toEqual(
      (published('/tickwire/prod/opensearch/index-templates/') as { name: string }[])
        .map((t) => t.name)
        .sort(),
    );
    expect(Object.keys(config.roleMappings ?? {}).sort()).toEqual([
      'all_access',
      'security_manager',
      'tickwire_indexer',
      'tickwire_reader',
    ]);
  });

  it.each(SERVICE_NAMES)(
    '%s: its config schema accepts the task environment, which leaves nothing unread or local',
    (name) => {
      const { env } = services.find((s) => s.container.name === name)!;
      expect(disagreements(APPS[name], env)).toEqual([]);
    },
  );

  it('ingest-producer reads the live feed: the image holds no data/ to replay (.dockerignore)', () => {
    const { env } = services.find((s) => s.container.name === 'ingest-producer')!;
    const config = loadServiceConfig(INGEST_PRODUCER.name, INGEST_PRODUCER.envSchema, env);
    expect(config.SOURCE).toBe('alpaca');
    expect([config.ALPACA_KEY, config.ALPACA_SECRET]).toEqual([
      'keyId-from-secrets-manager',
      'secretKey-from-secrets-manager',
    ]);
  });

  it('consumer-gateway instances keep their own consumer groups (fan-out), so every instance gets every partition', () => {
    const { env } = services.find((s) => s.container.name === 'consumer-gateway')!;
    expect(
      loadServiceConfig(CONSUMER_GATEWAY.name, CONSUMER_GATEWAY.envSchema, env).KAFKA_CONSUMER_GROUP,
    ).toBeUndefined();
  });

  it('consumer-gateway limits per client, not per load balancer node: it trusts X-Forwarded-For from inside the VPC', () => {
    const { env } = services.find((s) => s.container.name === 'consumer-gateway')!;
    const config = loadServiceConfig(CONSUMER_GATEWAY.name, CONSUMER_GATEWAY.envSchema, env);
    expect(config.TRUSTED_PROXIES).toEqual([PRODUCTION_PRODUCER.vpcCidr]);
  });

  it('sets every variable the sample consumer script of the consumer stack uses, and no other', () => {
    const containers = containersOf(consumer);
    expect(containers.map((c) => c.container.name)).toEqual(['sample-consumer']);
    const [{ container, env }] = containers as [(typeof containers)[number]];
    const script = [...(container.entryPoint ?? []), ...(container.command ?? [])].join(' ');
    const used = [...new Set([...script.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!))].sort();
    expect(used).toEqual([
      'KAFKA_BROKERS',
      'KAFKA_GROUP_ID',
      'KAFKA_SASL_PASSWORD',
      'KAFKA_SASL_USERNAME',
      'KAFKA_TOPIC',
    ]);
    expect(Object.keys(env).sort()).toEqual(used);
  });

  it('fails on a disagreement: an ignored variable, a wrong value, a dependency left local', () => {
    const { env } = services.find((s) => s.container.name === 'consumer-gateway')!;
    expect(disagreements(CONSUMER_GATEWAY, { ...env, ALPACA_KEY_ID: 'x' })).toEqual([
      'ALPACA_KEY_ID is set but not read',
    ]);
    expect(disagreements(CONSUMER_GATEWAY, { ...env, KAFKA_SSL: 'yes' })[0]).toContain('KAFKA_SSL');
    const withoutSearch = { ...env };
    delete withoutSearch['OPENSEARCH_URL'];
    expect(disagreements(CONSUMER_GATEWAY, withoutSearch)).toEqual([
      'OPENSEARCH_URL stays at the local default',
    ]);
    expect(() => resolveReferences('${aws_instance.x.private_ip}')).toThrow(/aws_instance\.x\.private_ip/);
  });
});
