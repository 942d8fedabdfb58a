/**
 * Per-service deploys through `nx affected`: with the ecs-deploy plugin, a change to one app's
 * sources selects that app's deploy only, while every app has the target. Runs the real Nx CLI on this
 * workspace (no daemon), with the changed files given explicitly so the result does not depend on git state.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const WORKSPACE = join(__dirname, '..', '..', '..');
const SERVICES = [
  'consumer-gateway',
  'enricher',
  'firehose-archiver',
  'ingest-producer',
  'opensearch-indexer',
];

function nx(args: string[]): string {
  const result = spawnSync('npx', ['nx', ...args], {
    cwd: WORKSPACE,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' },
  });
  if (result.status !== 0)
    throw new Error(`nx ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const projects = (output: string): string[] =>
  output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^[a-z][a-z0-9-]*$/.test(line))
    .sort();

describe('nx affected -t deploy', () => {
  it('gives every app with a Dockerfile a deploy target (infra has its own, the stack deploy)', () => {
    expect(projects(nx(['show', 'projects', '--with-target', 'deploy']))).toEqual(
      [...SERVICES, 'infra'].sort(),
    );
  });

  it('selects only the enricher after a change to the enricher', () => {
    expect(
      projects(
        nx([
          'show',
          'projects',
          '--affected',
          '--files=apps/enricher/src/main.ts',
          '--with-target',
          'deploy',
        ]),
      ),
    ).toEqual(['enricher']);
  });

  it('selects only the gateway after a change to its Dockerfile', () => {
    expect(
      projects(
        nx([
          'show',
          'projects',
          '--affected',
          '--files=apps/consumer-gateway/Dockerfile',
          '--with-target',
          'deploy',
        ]),
      ),
    ).toEqual(['consumer-gateway']);
  });

  it('runs the dry-run plan of the affected service only, without AWS credentials', () => {
    const output = nx([
      'affected',
      '-t',
      'deploy',
      '--files=apps/enricher/src/main.ts',
      '--output-style=static',
      '--skip-nx-cache',
      '--dry-run',
    ]);
    expect(output).toContain('[dry-run] deploy plan');
    expect(output).toMatch(/ECS service:\s+enricher/);
    expect(output).toMatch(/task definition:\s+tickwire-prod-enricher/);
    for (const other of [...SERVICES, 'infra'].filter((s) => s !== 'enricher'))
      expect(output).not.toContain(`${other}:deploy`);
  });
});
