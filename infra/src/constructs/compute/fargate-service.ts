import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Fn, type IResolvable, type ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { policyJson, serviceTrustPolicy, type PolicyStatement } from '../../core/policy-document';

/** A secret injected as an environment variable: one JSON key of a Secrets Manager secret. */
export interface ContainerSecret {
  readonly name: string;
  readonly secretArn: string;
  readonly jsonKey: string;
}

/** Props of {@link FargateService}. */
export interface FargateServiceProps {
  /** Service and container name, e.g. `enricher`. */
  readonly serviceName: string;
  readonly clusterArn: string;
  /** Task definition family, e.g. `tickwire-prod-enricher`. */
  readonly taskFamily: string;
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  readonly repositoryUrl: string;
  readonly repositoryArn: string;
  /**
   * SSM parameter holding the image tag to run. Terraform creates it once (initial tag) and then leaves
   * its value to the deploy target, which writes the new tag, so a `terraform apply` after a deploy
   * keeps the deployed image instead of rolling it back.
   */
  readonly imageTagParameterName: string;
  readonly initialImageTag: string;
  readonly port: number;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly desiredCount: number;
  readonly subnetIds: string[];
  readonly vpcId: string;
  readonly vpcCidrBlock: string;
  /** Extra egress beyond HTTPS: e.g. Kafka SASL/SCRAM (9096) to the VPC. */
  readonly egressPorts: readonly number[];
  /** HTTPS egress to the internet through NAT (live market-data WebSocket); default VPC only. */
  readonly internetEgress?: boolean;
  /**
   * Target group the tasks register in (`ip` targets on `port`), e.g. a PublicHttpsLoadBalancer's;
   * ECS then replaces tasks its health checks find unhealthy.
   */
  readonly loadBalancerTargetGroupArn?: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: readonly ContainerSecret[];
  /** Customer-managed key the secrets, logs and the image-tag parameter are encrypted with. */
  readonly kmsKeyArn: string;
  /** Statements of the task role (what the application itself calls). */
  readonly taskRoleStatements: readonly PolicyStatement[];
  readonly region: string;
  readonly partition: string;
  readonly accountId: string;
}

/**
 * One ECS Fargate service: task definition (non-root image user, read-only root filesystem with a
 * writable /tmp, health check on /health/live), service in private subnets without public IP and with
 * a deployment circuit breaker, encrypted log group, and two least-privilege roles:
 * - execution role: pull from this service's repository, write to its log group, read its secrets;
 * - task role: only `taskRoleStatements`.
 */
export class FargateService extends Construct {
  readonly serviceName: string;
  readonly taskRoleArn: string;
  readonly executionRoleArn: string;
  readonly securityGroupId: string;
  /** The image tag the task runs: the deployed one, read from the image-tag parameter (a reference). */
  readonly imageTag: string;
  private readonly service: EcsService;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    this.serviceName = props.serviceName;
    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });

    // Confused-deputy guard: only ECS tasks of this account may assume the roles.
    const trust = serviceTrustPolicy('ecs-tasks.amazonaws.com', {
      StringEquals: { 'aws:SourceAccount': props.accountId },
      ArnLike: { 'aws:SourceArn': `arn:${props.partition}:ecs:${props.region}:${props.accountId}:*` },
    });
    const executionRole = new IamRole(this, 'execution-role', {
      name: `${props.taskFamily}-execution`,
      description: `ECS agent role of ${props.serviceName}: image pull, logs, secrets`,
      assumeRolePolicy: trust,
    });
    const executionStatements: PolicyStatement[] = [
      // GetAuthorizationToken has no resource-level permissions in IAM: its resource must be "*".
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'EcrPull',
        Effect: 'Allow',
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        Resource: props.repositoryArn,
      },
      {
        Sid: 'Logs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${logGroup.arn}:log-stream:*`,
      },
    ];
    if (props.secrets.length > 0) {
      executionStatements.push(
        {
          Sid: 'Secrets',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: [...new Set(props.secrets.map((s) => s.secretArn))],
        },
        {
          Sid: 'SecretsDecrypt',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: props.kmsKeyArn,
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${props.region}.amazonaws.com` } },
        },
      );
    }
    new IamRolePolicy(this, 'execution-policy', {
      name: 'execution',
      role: executionRole.id,
      policy: policyJson(executionStatements),
    });

    const taskRole = new IamRole(this, 'task-role', {
      name: `${props.taskFamily}-task`,
      description: `Application role of ${props.serviceName}`,
      assumeRolePolicy: trust,
    });
    if (props.taskRoleStatements.length > 0) {
      new IamRolePolicy(this, 'task-policy', {
        name: 'application',
        role: taskRole.id,
        policy: policyJson(props.taskRoleStatements),
      });
    }
    this.taskRoleArn = taskRole.arn;
    this.executionRoleArn = executionRole.arn;

    const sg = new SecurityGroup(this, 'sg', {
      name: `${props.taskFamily}-tasks`,
      description: `Tasks of ${props.serviceName}`,
      vpcId: props.vpcId,
      ingress: [
        {
          description: 'HTTP (health, metrics, API) from the VPC',
          protocol: 'tcp',
          fromPort: props.port,
          toPort: props.port,
          cidrBlocks: [props.vpcCidrBlock],
        },
      ],
      egress: [
        {
          description: props.internetEgress
            ? 'HTTPS (AWS endpoints, OpenSearch, market-data source)'
            : 'HTTPS (AWS endpoints, OpenSearch)',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          // Without NAT, 0.0.0.0/0 still only reaches endpoints: the S3 gateway endpoint (ECR layers)
          // is a prefix list, which a CIDR rule of the VPC would not cover.
          cidrBlocks: ['0.0.0.0/0'],
        },
        ...props.egressPorts.map((port) => ({
          description: `TCP ${port} inside the VPC`,
          protocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrBlocks: [props.vpcCidrBlock],
        })),
      ],
    });
    this.securityGroupId = sg.id;

    // A SecureString like every parameter (encrypted with the CMK); the deploy target writes it with
    // the same key. A tag is no secret: `nonsensitive` keeps the task definition readable in plans.
    const imageTag = new SsmParameter(this, 'image-tag', {
      name: props.imageTagParameterName,
      description: `Image tag of ${props.serviceName} currently deployed (written by the deploy target)`,
      type: 'SecureString',
      keyId: props.kmsKeyArn,
      value: props.initialImageTag,
      lifecycle: { ignoreChanges: ['value'] },
    });

    this.imageTag = Fn.nonsensitive(imageTag.value);
    const containerDefinitions = [
      {
        name: props.serviceName,
        image: `${props.repositoryUrl}:${this.imageTag}`,
        essential: true,
        portMappings: [{ containerPort: props.port, protocol: 'tcp' }],
        readonlyRootFilesystem: true,
        mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
        environment: Object.entries(props.environment)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) => ({ name, value })),
        secrets: props.secrets.map((s) => ({ name: s.name, valueFrom: `${s.secretArn}:${s.jsonKey}::` })),
        linuxParameters: { initProcessEnabled: true },
        stopTimeout: 30,
        healthCheck: {
          command: [
            'CMD',
            'node',
            '-e',
            `fetch('http://127.0.0.1:${props.port}/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
          ],
          interval: 15,
          timeout: 5,
          retries: 3,
          startPeriod: 30,
        },
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': logGroup.name,
            'awslogs-region': props.region,
            'awslogs-stream-prefix': props.serviceName,
            mode: 'non-blocking',
            'max-buffer-size': '8m',
          },
        },
      },
    ];
    const taskDefinition = new EcsTaskDefinition(this, 'task', {
      family: props.taskFamily,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(props.cpu),
      memory: String(props.memoryMiB),
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      volume: [{ name: 'tmp' }],
      containerDefinitions: JSON.stringify(containerDefinitions),
    });

    this.service = new EcsService(this, 'service', {
      name: props.serviceName,
      cluster: props.clusterArn,
      taskDefinition: taskDefinition.arn,
      desiredCount: props.desiredCount,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      propagateTags: 'SERVICE',
      enableEcsManagedTags: true,
      enableExecuteCommand: false,
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      networkConfiguration: { subnets: props.subnetIds, securityGroups: [sg.id], assignPublicIp: false },
      ...(props.loadBalancerTargetGroupArn
        ? {
            loadBalancer: [
              {
                targetGroupArn: props.loadBalancerTargetGroupArn,
                containerName: props.serviceName,
                containerPort: props.port,
              },
            ],
            // Start-up (Kafka join, first OpenSearch answer) before the load balancer's checks count.
            healthCheckGracePeriodSeconds: 60,
          }
        : {}),
    });
  }

  /**
   * Makes Terraform create or update the ECS service only after `dependency` (e.g. the provisioning
   * run): its `depends_on`. The task definition and roles do not wait.
   */
  startAfter(dependency: ITerraformDependable): void {
    // Rendered as a `dependsOn` given to a constructor is: the bare address, `terraform_data.x`, not `${...}`.
    const address: IResolvable = {
      creationStack: [],
      resolve: (context) => {
        context.suppressBraces = true;
        return dependency.fqn;
      },
    };
    this.service.dependsOn = [...(this.service.dependsOn ?? []), Token.asString(address)];
  }
}
