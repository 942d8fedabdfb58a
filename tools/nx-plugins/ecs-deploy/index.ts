/**
 * Local Nx plugin: every app with a Dockerfile (`apps/<app>/Dockerfile`) gets two inferred targets,
 * without touching its project.json:
 * - `container`: `docker build` of the app's image, tagged `tickwire/<app>:<commit>` (its ECR repository);
 * - `deploy`: push to ECR and roll the ECS service, or `--dry-run` to print the plan without AWS.
 *
 * Because the targets belong to the app's project, `nx affected -t deploy` deploys exactly the
 * services whose sources, libraries or Dockerfile changed.
 */
import { dirname } from 'node:path';
import {
  createNodesFromFiles,
  type CreateNodes,
  type CreateNodesResult,
  type TargetConfiguration,
} from '@nx/devkit';

/** Plugin options (nx.json `plugins[].options`). */
export interface EcsDeployPluginOptions {
  /** Target environment of deploys (default `prod`). */
  readonly environment?: string;
  /** AWS region (default `us-east-1`). */
  readonly region?: string;
}

const SCRIPTS = 'tools/nx-plugins/ecs-deploy';

/** The inferred targets of the app at `projectRoot` (e.g. `apps/enricher`). */
export function ecsDeployTargets(
  projectRoot: string,
  options: EcsDeployPluginOptions = {},
): Record<string, TargetConfiguration> {
  const app = projectRoot.split('/').pop() ?? projectRoot;
  const flags = `--environment ${options.environment ?? 'prod'} --region ${options.region ?? 'us-east-1'}`;
  return {
    container: {
      executor: 'nx:run-commands',
      // The image build runs `nx build` itself, from a clean `npm ci`: nothing to cache here.
      cache: false,
      inputs: ['production', '^production', '{projectRoot}/Dockerfile', '{workspaceRoot}/.dockerignore'],
      options: { command: `tsx ${SCRIPTS}/container-build.ts ${app} ${flags}` },
      metadata: {
        description: `docker build of apps/${app}/Dockerfile as tickwire/${app}:<commit>`,
        technologies: ['docker'],
      },
    },
    deploy: {
      executor: 'nx:run-commands',
      cache: false,
      dependsOn: [{ target: 'container', params: 'forward' }],
      options: { command: `tsx ${SCRIPTS}/deploy-service.ts ${app} ${flags}` },
      metadata: {
        description: `push tickwire/${app} to ECR and roll the ECS service (--dry-run prints the plan)`,
        technologies: ['docker', 'aws'],
      },
    },
  };
}

/** Nx 23 name of the v2 API (files in, `[file, result]` pairs out). */
export const createNodes: CreateNodes<EcsDeployPluginOptions> = [
  'apps/*/Dockerfile',
  (dockerfiles, options, context) =>
    createNodesFromFiles(
      (dockerfile: string): CreateNodesResult => {
        const root = dirname(dockerfile);
        return { projects: { [root]: { root, targets: ecsDeployTargets(root, options) } } };
      },
      dockerfiles,
      options,
      context,
    ),
];

/** The same, under the pre-Nx-22 name that older Nx versions look for. */
export const createNodesV2 = createNodes;
