import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_TASK_SCRIPT } from './provisioning-task';

const TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/tickwire-prod/0123456789abcdef';

/**
 * RUN_TASK_SCRIPT as Terraform's local-exec runs it (`/bin/sh -c`), with a stand-in `aws` on PATH that
 * records its arguments and answers like the AWS CLI: the task's ARN, a stopped task, its exit code.
 */
function runScript(options: { imageTag: string; exitCode?: string; startedTask?: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-run-task-'));
  try {
    const calls = join(dir, 'calls');
    writeFileSync(
      join(dir, 'aws'),
      [
        '#!/bin/sh',
        `echo "$*" >> '${calls}'`,
        'case "$*" in',
        `  *"ecs run-task"*) echo '${options.startedTask ?? TASK_ARN}' ;;`,
        '  *"ecs wait tasks-stopped"*) ;;',
        `  *"containers[0].exitCode"*) echo '${options.exitCode ?? '0'}' ;;`,
        "  *stoppedReason*) echo 'Essential container in task exited' ;;",
        '  *) echo "unexpected aws call: $*" >&2; exit 9 ;;',
        'esac',
      ].join('\n'),
    );
    chmodSync(join(dir, 'aws'), 0o755);
    const result = spawnSync('/bin/sh', ['-c', RUN_TASK_SCRIPT], {
      encoding: 'utf8',
      env: {
        PATH: `${dir}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
        CLUSTER: 'arn:aws:ecs:us-east-1:123456789012:cluster/tickwire-prod',
        TASK_DEFINITION: 'arn:aws:ecs:us-east-1:123456789012:task-definition/tickwire-prod-provisioning:7',
        SUBNETS: 'subnet-a,subnet-b,subnet-c',
        SECURITY_GROUP: 'sg-provisioning',
        REGION: 'us-east-1',
        IMAGE_TAG: options.imageTag,
        INITIAL_IMAGE_TAG: 'bootstrap',
        LOG_GROUP: '/tickwire/prod/provisioning',
      },
    });
    let recorded: string[] = [];
    try {
      recorded = readFileSync(calls, 'utf8').trim().split('\n');
    } catch {
      // no aws call at all
    }
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: recorded };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('RUN_TASK_SCRIPT (the provisioning run before the services)', () => {
  it('runs the task in the private subnets, waits for it to stop and succeeds on exit code 0', () => {
    const run = runScript({ imageTag: 'a1b2c3d4e5f6' });
    expect(run.status).toBe(0);
    expect(run.calls).toHaveLength(3);
    expect(run.calls[0]).toContain(
      'ecs run-task --region us-east-1 --cluster arn:aws:ecs:us-east-1:123456789012:cluster/tickwire-prod',
    );
    expect(run.calls[0]).toContain(
      '--task-definition arn:aws:ecs:us-east-1:123456789012:task-definition/tickwire-prod-provisioning:7',
    );
    expect(run.calls[0]).toContain(
      'awsvpcConfiguration={subnets=[subnet-a,subnet-b,subnet-c],securityGroups=[sg-provisioning],assignPublicIp=DISABLED}',
    );
    expect(run.calls[1]).toBe(
      `ecs wait tasks-stopped --region us-east-1 --cluster arn:aws:ecs:us-east-1:123456789012:cluster/tickwire-prod --tasks ${TASK_ARN}`,
    );
    expect(run.stdout).toContain('provisioning: done');
  });

  it('fails the apply when the container exits non-zero, naming the task, the reason and the log group', () => {
    const run = runScript({ imageTag: 'a1b2c3d4e5f6', exitCode: '1' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `${TASK_ARN} exited with 1 (Essential container in task exited); its log is in /tickwire/prod/provisioning`,
    );
  });

  it('fails when the task never ran (no exit code: e.g. the image could not be pulled)', () => {
    expect(runScript({ imageTag: 'a1b2c3d4e5f6', exitCode: 'None' }).status).toBe(1);
  });

  it('fails when run-task starts no task (capacity, a wrong subnet)', () => {
    const run = runScript({ imageTag: 'a1b2c3d4e5f6', startedTask: 'None' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('run-task started no task');
    expect(run.calls).toHaveLength(1);
  });

  it('skips before the first deploy: the placeholder tag names no image', () => {
    const run = runScript({ imageTag: 'bootstrap' });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([]);
    expect(run.stdout).toContain('no image deployed yet');
  });
});
