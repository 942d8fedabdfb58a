import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { policyJson, serviceTrustPolicy } from '../../core/policy-document';

/** Props of {@link SampleConsumerTask}. */
export interface SampleConsumerTaskProps {
  readonly name: string;
  /** Image with the Apache Kafka CLI at /opt/kafka/bin (the official `apache/kafka` image). */
  readonly image: string;
  readonly topic: string;
  /** Consumer group; customers' groups must start with `customer-` (the read-only ACL is prefixed). */
  readonly consumerGroup: string;
  /** Bootstrap brokers of the producer cluster's multi-VPC connectivity (SASL/SCRAM). */
  readonly bootstrapBrokers: string;
  /** Secret with JSON keys `username` and `password` (the customer's SCRAM credentials). */
  readonly scramSecretArn: string;
  readonly kmsKeyArn: string;
  readonly logRetentionDays: number;
  /** Private subnets and security groups (the MSK connection's client group) the consumer runs in. */
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  readonly region: string;
  readonly partition: string;
  readonly accountId: string;
}

/**
 * An ECS cluster and a Fargate task definition that reads a customer topic with
 * `kafka-console-consumer.sh` over SASL_SSL / SCRAM-SHA-512 and logs the records, proving the private
 * path end to end, and an ECS service running it in the private subnets with the client security
 * group, at zero tasks until the customer scales it to one (command in infra/README.md). The task
 * role has no permissions: the task calls no AWS API; the execution role reads only the SCRAM secret
 * and writes only its logs.
 */
export class SampleConsumerTask extends Construct {
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;

  constructor(scope: Construct, id: string, props: SampleConsumerTaskProps) {
    super(scope, id);
    const cluster = new EcsCluster(this, 'cluster', {
      name: props.name,
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/tickwire-consumer/${props.name}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const trust = serviceTrustPolicy('ecs-tasks.amazonaws.com', {
      StringEquals: { 'aws:SourceAccount': props.accountId },
    });
    const executionRole = new IamRole(this, 'execution-role', {
      name: `${props.name}-execution`,
      assumeRolePolicy: trust,
    });
    new IamRolePolicy(this, 'execution-policy', {
      name: 'execution',
      role: executionRole.id,
      policy: policyJson([
        {
          Sid: 'Logs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${logGroup.arn}:log-stream:*`,
        },
        {
          Sid: 'ScramSecret',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: props.scramSecretArn,
        },
        {
          Sid: 'ScramSecretDecrypt',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: props.kmsKeyArn,
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${props.region}.amazonaws.com` } },
        },
      ]),
    });
    const taskRole = new IamRole(this, 'task-role', { name: `${props.name}-task`, assumeRolePolicy: trust });

    // The JAAS line is built in the shell from the injected secrets, so credentials never sit in the task definition.
    const script = [
      'printf "security.protocol=SASL_SSL\\nsasl.mechanism=SCRAM-SHA-512\\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\\"%s\\" password=\\"%s\\";\\n" "$KAFKA_SASL_USERNAME" "$KAFKA_SASL_PASSWORD" > /tmp/client.properties',
      'exec /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server "$KAFKA_BROKERS" --topic "$KAFKA_TOPIC" --group "$KAFKA_GROUP_ID" --consumer.config /tmp/client.properties --property print.key=true --property print.timestamp=true',
    ].join(' && ');
    const task = new EcsTaskDefinition(this, 'task', {
      family: `${props.name}-sample-consumer`,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      volume: [{ name: 'tmp' }],
      containerDefinitions: JSON.stringify([
        {
          name: 'sample-consumer',
          image: props.image,
          essential: true,
          user: '1000:1000',
          readonlyRootFilesystem: true,
          mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
          entryPoint: ['sh', '-c'],
          command: [script],
          environment: [
            { name: 'KAFKA_BROKERS', value: props.bootstrapBrokers },
            { name: 'KAFKA_GROUP_ID', value: props.consumerGroup },
            { name: 'KAFKA_TOPIC', value: props.topic },
          ],
          secrets: [
            { name: 'KAFKA_SASL_USERNAME', valueFrom: `${props.scramSecretArn}:username::` },
            { name: 'KAFKA_SASL_PASSWORD', valueFrom: `${props.scramSecretArn}:password::` },
          ],
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': logGroup.name,
              'awslogs-region': props.region,
              'awslogs-stream-prefix': 'sample-consumer',
            },
          },
        },
      ]),
    });
    new EcsService(this, 'service', {
      name: `${props.name}-sample-consumer`,
      cluster: cluster.arn,
      taskDefinition: task.arn,
      // Started on demand: `aws ecs update-service --desired-count 1` once the SCRAM secret is set.
      desiredCount: 0,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      propagateTags: 'SERVICE',
      enableEcsManagedTags: true,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      networkConfiguration: {
        subnets: props.subnetIds,
        securityGroups: props.securityGroupIds,
        assignPublicIp: false,
      },
      lifecycle: { ignoreChanges: ['desired_count'] },
    });
    this.clusterArn = cluster.arn;
    this.taskDefinitionArn = task.arn;
  }
}
