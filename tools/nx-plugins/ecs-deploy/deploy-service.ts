/**
 * `nx run <app>:deploy [--dry-run]`: pushes the image built by `container` to the service's ECR
 * repository, records the tag in SSM (so a later `terraform apply` keeps it), registers a task
 * definition revision running it and rolls the ECS service with `--force-new-deployment`.
 *
 * `--dry-run` prints the plan (image tag, repository, cluster, service, task definition) and needs no
 * AWS credentials. A real deploy refuses a dirty working tree (the tag must name one commit).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitWith, parseCommandLine, resolveImageTag, run, tryOutput } from './command-line';
import { describePlan, nextTaskDefinition, planDeployment, type DeploymentNames } from './deployment-plan';

function aws(args: string[], region: string): string {
  const out = tryOutput('aws', [...args, '--region', region, '--output', 'json']);
  if (out === undefined)
    throw new Error(`aws ${args.slice(0, 2).join(' ')} failed (run it by hand to see why)`);
  return out;
}

function main(): void {
  const options = parseCommandLine(process.argv.slice(2));
  const imageTag = resolveImageTag(options);
  if (options.dryRun) {
    const accountId = process.env['AWS_ACCOUNT_ID'];
    process.stdout.write(
      `[dry-run] deploy plan\n${describePlan(planDeployment({ ...options, imageTag, ...(accountId ? { accountId } : {}) }))}\n`,
    );
    return;
  }
  if (imageTag.endsWith('-dirty'))
    throw new Error('refusing to deploy uncommitted changes: commit, or pass --image-tag of a pushed build');
  if (tryOutput('aws', ['--version']) === undefined) throw new Error('the aws CLI is not installed');
  const identity = tryOutput('aws', ['sts', 'get-caller-identity', '--output', 'json']);
  if (identity === undefined) {
    throw new Error(
      'no valid AWS credentials (aws sts get-caller-identity failed): set AWS_PROFILE for the producer account, or use --dry-run',
    );
  }
  const accountId = String((JSON.parse(identity) as { Account: string }).Account);
  const stored = JSON.parse(
    aws(
      [
        'ssm',
        'get-parameter',
        '--name',
        `/tickwire/${options.environment}/deploy/${options.service}/names`,
        '--with-decryption',
        '--query',
        'Parameter.Value',
      ],
      options.region,
    ),
  ) as string;
  const names = JSON.parse(stored) as DeploymentNames;
  const plan = planDeployment({ ...options, imageTag, accountId }, names);
  process.stdout.write(`${describePlan(plan)}\n`);

  if (tryOutput('docker', ['image', 'inspect', plan.localImage]) === undefined) {
    throw new Error(`image ${plan.localImage} not built: run \`npx nx run ${options.service}:container\``);
  }
  const password = tryOutput('aws', ['ecr', 'get-login-password', '--region', options.region]);
  if (password === undefined) throw new Error('aws ecr get-login-password failed');
  run('docker', ['login', '--username', 'AWS', '--password-stdin', plan.registry], {
    input: password,
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  run('docker', ['tag', plan.localImage, plan.imageUri]);
  run('docker', ['push', plan.imageUri]);
  aws(
    [
      'ssm',
      'put-parameter',
      '--name',
      names.imageTagParameter,
      '--value',
      imageTag,
      '--type',
      'SecureString',
      '--key-id',
      names.parameterKey,
      '--overwrite',
    ],
    options.region,
  );

  const current = JSON.parse(
    aws(
      ['ecs', 'describe-task-definition', '--task-definition', names.taskFamily, '--query', 'taskDefinition'],
      options.region,
    ),
  ) as Record<string, unknown>;
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-deploy-'));
  try {
    const file = join(dir, 'task-definition.json');
    writeFileSync(file, JSON.stringify(nextTaskDefinition(current, names.service, plan.imageUri)));
    const registered = JSON.parse(
      aws(
        [
          'ecs',
          'register-task-definition',
          '--cli-input-json',
          `file://${file}`,
          '--query',
          'taskDefinition.taskDefinitionArn',
        ],
        options.region,
      ),
    ) as string;
    aws(
      [
        'ecs',
        'update-service',
        '--cluster',
        names.cluster,
        '--service',
        names.service,
        '--task-definition',
        registered,
        '--force-new-deployment',
      ],
      options.region,
    );
    process.stdout.write(
      `deployed ${plan.imageUri} as ${registered}; waiting for the service to be stable\n`,
    );
    run('aws', [
      'ecs',
      'wait',
      'services-stable',
      '--cluster',
      names.cluster,
      '--services',
      names.service,
      '--region',
      options.region,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  exitWith(error);
}
