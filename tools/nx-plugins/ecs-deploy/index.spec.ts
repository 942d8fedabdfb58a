import { createNodes, ecsDeployTargets } from './index';

describe('ecs-deploy Nx plugin', () => {
  it('infers container and deploy targets for each apps/*/Dockerfile', async () => {
    const [pattern, create] = createNodes;
    expect(pattern).toBe('apps/*/Dockerfile');
    const results = await create(
      ['apps/enricher/Dockerfile', 'apps/consumer-gateway/Dockerfile'],
      { environment: 'staging' },
      {
        workspaceRoot: '/workspace',
        nxJsonConfiguration: {},
      },
    );
    const projects = Object.fromEntries(
      results.map(([file, result]) => [file, Object.keys(result.projects ?? {})]),
    );
    expect(projects).toEqual({
      'apps/enricher/Dockerfile': ['apps/enricher'],
      'apps/consumer-gateway/Dockerfile': ['apps/consumer-gateway'],
    });
    const targets = results[0]![1].projects!['apps/enricher']!.targets!;
    expect(Object.keys(targets)).toEqual(['container', 'deploy']);
    expect(targets['deploy']!.options.command).toBe(
      'tsx tools/nx-plugins/ecs-deploy/deploy-service.ts enricher --environment staging --region us-east-1',
    );
  });

  it('makes deploy build the image first, forwarding --dry-run to it', () => {
    const { deploy, container } = ecsDeployTargets('apps/enricher');
    expect(deploy!.dependsOn).toEqual([{ target: 'container', params: 'forward' }]);
    expect(container!.cache).toBe(false);
    expect(container!.options.command).toContain('container-build.ts enricher');
  });
});
