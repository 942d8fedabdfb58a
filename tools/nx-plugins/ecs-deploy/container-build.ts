/**
 * `nx run <app>:container [--dry-run]`: builds `apps/<app>/Dockerfile` (context: the workspace root)
 * into `tickwire/<app>:<tag>`, the ECR repository name, so `deploy` only re-tags and pushes.
 */
import { exitWith, parseCommandLine, resolveImageTag, run, tryOutput } from './command-line';
import { planDeployment } from './deployment-plan';

function main(): void {
  const options = parseCommandLine(process.argv.slice(2));
  const plan = planDeployment({ ...options, imageTag: resolveImageTag(options) });
  const args = [
    'build',
    '--file',
    `apps/${options.service}/Dockerfile`,
    '--tag',
    plan.localImage,
    '--label',
    `org.opencontainers.image.revision=${plan.imageTag}`,
    '.',
  ];
  if (options.dryRun) {
    process.stdout.write(`[dry-run] docker ${args.join(' ')}\n`);
    return;
  }
  if (tryOutput('docker', ['info', '--format', '{{.ServerVersion}}']) === undefined) {
    throw new Error(
      'no Docker engine reachable (docker info failed): start Docker, or pass --dry-run to see the build command',
    );
  }
  run('docker', args);
}

try {
  main();
} catch (error) {
  exitWith(error);
}
