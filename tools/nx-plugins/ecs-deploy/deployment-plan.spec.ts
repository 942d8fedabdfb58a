import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  conventionalNames,
  describePlan,
  imageTagFor,
  nextTaskDefinition,
  planDeployment,
} from './deployment-plan';

const WORKSPACE = join(__dirname, '..', '..', '..');
const SERVICES = [
  'ingest-producer',
  'enricher',
  'opensearch-indexer',
  'firehose-archiver',
  'consumer-gateway',
];

describe('planDeployment', () => {
  const target = { service: 'enricher', environment: 'prod', region: 'us-east-1', imageTag: '0123456789ab' };

  it('targets the ECR repository, cluster, service and family of the service', () => {
    const plan = planDeployment({ ...target, accountId: '111122223333' });
    expect(plan.imageUri).toBe('111122223333.dkr.ecr.us-east-1.amazonaws.com/tickwire/enricher:0123456789ab');
    expect(plan.localImage).toBe('tickwire/enricher:0123456789ab');
    expect(plan.names).toMatchObject({
      cluster: 'tickwire-prod',
      service: 'enricher',
      taskFamily: 'tickwire-prod-enricher',
    });
  });

  it('plans without an account (dry run) and prints every name a reviewer needs', () => {
    const text = describePlan(planDeployment(target));
    for (const expected of [
      '0123456789ab',
      'tickwire/enricher',
      'tickwire-prod',
      'tickwire-prod-enricher',
      '--force-new-deployment',
      '<account-id>',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('rejects a malformed account id', () => {
    expect(() => planDeployment({ ...target, accountId: '1234' })).toThrow(RangeError);
  });
});

describe('imageTagFor', () => {
  it('uses 12 characters of the commit and marks a dirty tree', () => {
    expect(imageTagFor('d82237f93227aa00bb11cc22dd33ee44ff556677', false)).toBe('d82237f93227');
    expect(imageTagFor('d82237f93227aa00bb11cc22dd33ee44ff556677', true)).toBe('d82237f93227-dirty');
    expect(() => imageTagFor('main', false)).toThrow(RangeError);
  });
});

describe('nextTaskDefinition', () => {
  const current = {
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:111122223333:task-definition/tickwire-prod-enricher:7',
    revision: 7,
    status: 'ACTIVE',
    family: 'tickwire-prod-enricher',
    compatibilities: ['EC2', 'FARGATE'],
    registeredAt: '2026-01-01T00:00:00Z',
    containerDefinitions: [
      {
        name: 'enricher',
        image: 'repo/tickwire/enricher:old',
        environment: [{ name: 'HTTP_PORT', value: '8082' }],
      },
      { name: 'sidecar', image: 'otel:1' },
    ],
  };

  it('swaps only the service container image and drops read-only fields', () => {
    const next = nextTaskDefinition(current, 'enricher', 'repo/tickwire/enricher:new');
    expect(next).toEqual({
      family: 'tickwire-prod-enricher',
      containerDefinitions: [
        {
          name: 'enricher',
          image: 'repo/tickwire/enricher:new',
          environment: [{ name: 'HTTP_PORT', value: '8082' }],
        },
        { name: 'sidecar', image: 'otel:1' },
      ],
    });
  });

  it('refuses a task definition without the service container', () => {
    expect(() => nextTaskDefinition(current, 'gateway', 'x')).toThrow(/no container "gateway"/);
  });
});

describe('names agree with the producer-account stack', () => {
  it('matches the deployment names the synthesized stack publishes to SSM', () => {
    const out = mkdtempSync(join(tmpdir(), 'tickwire-synth-'));
    try {
      const result = spawnSync('npx', ['tsx', 'src/main.ts'], {
        cwd: join(WORKSPACE, 'infra'),
        env: { ...process.env, CDKTF_OUTDIR: out },
        encoding: 'utf8',
      });
      expect(result.status).toBe(0);
      const stack = JSON.parse(
        readFileSync(join(out, 'stacks', 'tickwire-producer-prod', 'cdk.tf.json'), 'utf8'),
      ) as {
        resource: { aws_ssm_parameter: Record<string, { name: string; value?: string }> };
      };
      const parameters = Object.values(stack.resource.aws_ssm_parameter);
      for (const service of SERVICES) {
        const expected = conventionalNames('prod', service);
        const published = parameters.find((p) => p.name === expected.namesParameter);
        expect(JSON.parse(String(published?.value))).toEqual(expected);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
