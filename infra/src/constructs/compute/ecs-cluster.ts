import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { Construct } from 'constructs';

/** An ECS cluster for Fargate services, with Container Insights (enhanced) for per-task metrics. */
export class FargateCluster extends Construct {
  readonly clusterArn: string;
  readonly clusterName: string;

  constructor(scope: Construct, id: string, props: { readonly name: string }) {
    super(scope, id);
    const cluster = new EcsCluster(this, 'cluster', {
      name: props.name,
      setting: [{ name: 'containerInsights', value: 'enhanced' }],
    });
    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;
  }
}
