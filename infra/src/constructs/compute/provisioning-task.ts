import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Fn, type ITerraformDependable, type LocalExecProvisioner, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { policyJson, serviceTrustPolicy, type PolicyStatement } from '../../core/policy-document';

/** Props of {@link ProvisioningTaskRole}. */
export interface ProvisioningTaskRoleProps {
  /** Role name, e.g. `tickwire-prod-provisioning-task`. */
  readonly name: string;
  readonly region: string;
  readonly partition: string;
  readonly accountId: string;
}

/**
 * The provisioning task's application role, made before the task: the OpenSearch domain names it as
 * its fine-grained access control master user, and the task's policy names the domain. Only ECS tasks
 * of this account may assume it (confused-deputy guard, as for the services' roles).
 */
export class ProvisioningTaskRole extends Construct {
  readonly roleArn: string;
  /** @internal the role resource, for the policy {@link ProvisioningTask} attaches. */
  readonly roleId: string;

  constructor(scope: Construct, id: string, props: ProvisioningTaskRoleProps) {
    super(scope, id);
    const role = new IamRole(this, 'role', {
      name: props.name,
      description:
        'Tickwire provisioning task: Kafka topics and ACLs (MSK IAM), OpenSearch security and templates',
      assumeRolePolicy: serviceTrustPolicy('ecs-tasks.amazonaws.com', {
        StringEquals: { 'aws:SourceAccount': props.accountId },
        ArnLike: { 'aws:SourceArn': `arn:${props.partition}:ecs:${props.region}:${props.accountId}:*` },
      }),
    });
    this.roleArn = role.arn;
    this.roleId = role.id;
  }
}

/**
 * Terraform's built-in `terraform_data` resource (Terraform >= 1.4; the stacks need >= 1.10). Not
 * cdktf's `DataResource`: that one runs `terraform version` while synthesizing, and `infra:synth` must
 * work on a machine without Terraform.
 */
class TerraformDataRun extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly config: {
      readonly triggersReplace: Readonly<Record<string, string | number>>;
      readonly provisioner: LocalExecProvisioner;
    },
  ) {
    super(scope, id, { terraformResourceType: 'terraform_data', provisioners: [config.provisioner] });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { triggers_replace: { ...this.config.triggersReplace } };
  }
}

/** A definition injected from an SSM parameter (ECS `secrets`, read by the execution role at start). */
export interface ParameterSecret {
  /** Environment variable name in the container. */
  readonly name: string;
  readonly parameterArn: string;
}

/** Props of {@link ProvisioningTask}. */
export interface ProvisioningTaskProps {
  /** Task definition family, log group and security group name, e.g. `tickwire-prod-provisioning`. */
  readonly family: string;
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  readonly kmsKeyArn: string;
  /** Cluster the task runs in (name or ARN; `aws ecs run-task --cluster`). */
  readonly cluster: string;
  /** Image: an app's repository and the tag its deploy target wrote (a Terraform reference). */
  readonly image: { readonly repositoryUrl: string; readonly repositoryArn: string; readonly tag: string };
  /** Tag the image-tag parameter holds before the first deploy: no image to run yet. */
  readonly initialImageTag: string;
  /** The container's command, e.g. `['node', '--enable-source-maps', 'provision.js']`. */
  readonly command: readonly string[];
  readonly subnetIds: string[];
  readonly vpcId: string;
  readonly vpcCidrBlock: string;
  /** TCP ports the task reaches inside the VPC besides HTTPS, e.g. MSK's IAM listener 9098. */
  readonly egressPorts: readonly number[];
  readonly environment: Readonly<Record<string, string>>;
  readonly parameterSecrets: readonly ParameterSecret[];
  readonly taskRole: ProvisioningTaskRole;
  /** The task role's statements: only what provisioning calls. */
  readonly taskRoleStatements: readonly PolicyStatement[];
  /** Values whose change makes the task run again at the next apply (e.g. the definitions' parameter versions). */
  readonly triggers: Readonly<Record<string, string | number>>;
  readonly region: string;
  readonly partition: string;
  readonly accountId: string;
}

/**
 * Runs the task once and fails unless it exits 0: `aws ecs run-task`, `aws ecs wait tasks-stopped`, then
 * the container's exit code. Skipped (exit 0, with a notice) while the image tag is still the initial
 * placeholder: there is no image to run before the first deploy (infra/README.md, "First deploy").
 * Reads CLUSTER, TASK_DEFINITION, SUBNETS, SECURITY_GROUP, REGION, IMAGE_TAG, INITIAL_IMAGE_TAG, LOG_GROUP.
 */
export const RUN_TASK_SCRIPT = [
  'set -eu',
  'if [ "$IMAGE_TAG" = "$INITIAL_IMAGE_TAG" ]; then',
  '  echo "provisioning: no image deployed yet (tag $IMAGE_TAG); deploy it, then apply again to provision"',
  '  exit 0',
  'fi',
  'task=$(aws ecs run-task --region "$REGION" --cluster "$CLUSTER" --task-definition "$TASK_DEFINITION" --launch-type FARGATE --started-by terraform-provisioning --network-configuration "awsvpcConfiguration={subnets=[$SUBNETS],securityGroups=[$SECURITY_GROUP],assignPublicIp=DISABLED}" --query "tasks[0].taskArn" --output text)',
  'case "$task" in arn:*) ;; *) echo "provisioning: run-task started no task ($task)" >&2; exit 1;; esac',
  'echo "provisioning: started $task, waiting for it to stop"',
  'aws ecs wait tasks-stopped --region "$REGION" --cluster "$CLUSTER" --tasks "$task"',
  'code=$(aws ecs describe-tasks --region "$REGION" --cluster "$CLUSTER" --tasks "$task" --query "tasks[0].containers[0].exitCode" --output text)',
  'if [ "$code" != "0" ]; then',
  '  reason=$(aws ecs describe-tasks --region "$REGION" --cluster "$CLUSTER" --tasks "$task" --query "tasks[0].stoppedReason" --output text)',
  '  echo "provisioning: $task exited with $code ($reason); its log is in $LOG_GROUP" >&2',
  '  exit 1',
  'fi',
  'echo "provisioning: done"',
].join('\n');

/**
 * The one-shot provisioning task and its run before the services.
 *
 * A Fargate task definition (no service) running `command` in an app's image with a role of its own
 * (`taskRole` + `taskRoleStatements`) and an execution role that may only pull that image, write this
 * log group and read the listed parameters; and a `terraform_data` resource whose local-exec runs the
 * task once with {@link RUN_TASK_SCRIPT} and fails the apply if it fails. It runs again whenever the
 * task definition (image, environment) or a trigger (definitions) changes. The services name `run` in
 * their `depends_on`, so Terraform creates or updates none of them before provisioning succeeded: the
 * migration-before-rollout pattern, with the task inside the VPC (MSK and OpenSearch have no public
 * endpoint) and Terraform's machine only calling the ECS API.
 */
export class ProvisioningTask extends Construct {
  /** What the services depend on: the completed run. */
  readonly run: ITerraformDependable;
  readonly taskDefinitionArn: string;
  readonly executionRoleArn: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: ProvisioningTaskProps) {
    super(scope, id);
    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const executionRole = new IamRole(this, 'execution-role', {
      name: `${props.family}-execution`,
      description: 'ECS agent role of the provisioning task: image pull, logs, definitions',
      assumeRolePolicy: serviceTrustPolicy('ecs-tasks.amazonaws.com', {
        StringEquals: { 'aws:SourceAccount': props.accountId },
        ArnLike: { 'aws:SourceArn': `arn:${props.partition}:ecs:${props.region}:${props.accountId}:*` },
      }),
    });
    this.executionRoleArn = executionRole.arn;
    new IamRolePolicy(this, 'execution-policy', {
      name: 'execution',
      role: executionRole.id,
      policy: policyJson([
        // GetAuthorizationToken has no resource-level permissions in IAM: its resource must be "*".
        { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Sid: 'EcrPull',
          Effect: 'Allow',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Resource: props.image.repositoryArn,
        },
        {
          Sid: 'Logs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${logGroup.arn}:log-stream:*`,
        },
        {
          Sid: 'Definitions',
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: props.parameterSecrets.map((s) => s.parameterArn),
        },
        {
          Sid: 'DefinitionsDecrypt',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: props.kmsKeyArn,
          Condition: { StringEquals: { 'kms:ViaService': `ssm.${props.region}.amazonaws.com` } },
        },
      ]),
    });
    new IamRolePolicy(this, 'task-policy', {
      name: 'provisioning',
      role: props.taskRole.roleId,
      policy: policyJson(props.taskRoleStatements),
    });

    const sg = new SecurityGroup(this, 'sg', {
      name: `${props.family}-task`,
      description: 'Provisioning task: outbound to MSK (IAM) and HTTPS (OpenSearch, AWS endpoints) only',
      vpcId: props.vpcId,
      ingress: [],
      egress: [
        {
          description: 'HTTPS (AWS endpoints, OpenSearch)',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          // As for the services: the S3 gateway endpoint (ECR layers) is a prefix list, not a VPC CIDR.
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

    const container = {
      name: 'provisioning',
      image: `${props.image.repositoryUrl}:${props.image.tag}`,
      essential: true,
      command: [...props.command],
      readonlyRootFilesystem: true,
      mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
      environment: Object.entries(props.environment)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value })),
      secrets: props.parameterSecrets.map((s) => ({ name: s.name, valueFrom: s.parameterArn })),
      linuxParameters: { initProcessEnabled: true },
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': logGroup.name,
          'awslogs-region': props.region,
          'awslogs-stream-prefix': 'provisioning',
        },
      },
    };
    const taskDefinition = new EcsTaskDefinition(this, 'task', {
      family: props.family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      executionRoleArn: executionRole.arn,
      taskRoleArn: props.taskRole.roleArn,
      volume: [{ name: 'tmp' }],
      containerDefinitions: JSON.stringify([container]),
    });
    this.taskDefinitionArn = taskDefinition.arn;

    this.run = new TerraformDataRun(this, 'run', {
      triggersReplace: { taskDefinition: taskDefinition.arn, ...props.triggers },
      provisioner: {
        type: 'local-exec',
        interpreter: ['/bin/sh', '-c'],
        command: RUN_TASK_SCRIPT,
        environment: {
          CLUSTER: props.cluster,
          TASK_DEFINITION: taskDefinition.arn,
          SUBNETS: Fn.join(',', props.subnetIds),
          SECURITY_GROUP: sg.id,
          REGION: props.region,
          IMAGE_TAG: props.image.tag,
          INITIAL_IMAGE_TAG: props.initialImageTag,
          LOG_GROUP: logGroup.name,
        },
      },
    });
  }
}
