import { TOPICS } from '@tickwire/contracts';
import {
  ARCHIVE_DATA_PREFIX,
  ARCHIVE_ERROR_PREFIX,
  customerReadOnlyAcls,
  DYNAMODB_TABLES,
  indexTemplates,
  ENRICHER_STATE_CHANGELOG_TOPIC,
  dailyBarHoldTopicSpec,
  enricherChangelogTopicSpec,
  kafkaTopicSpecs,
  OPENSEARCH_INDEXER_ROLE,
  OPENSEARCH_READER_ROLE,
} from '@tickwire/resources';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { TerraformOutput, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import {
  dataKeyAlias,
  ecsClusterName,
  type ServiceName,
  SERVICES,
  serviceDeploymentNames,
  serviceScramUser,
  type ServiceSpec,
} from '../config/service-catalogue';
import { serviceKafkaAcls } from '../config/service-kafka-acls';
import { TickwireStack, type TickwireStackProps } from '../core/tickwire-stack';
import { ServiceImageRepository } from '../constructs/compute/ecr-repository';
import { FargateCluster } from '../constructs/compute/ecs-cluster';
import { FargateService, type ContainerSecret } from '../constructs/compute/fargate-service';
import {
  type ParameterSecret,
  ProvisioningTask,
  ProvisioningTaskRole,
} from '../constructs/compute/provisioning-task';
import { ZoneCapacityCheck } from '../constructs/network/zone-capacity-check';
import { PrivateVpc } from '../constructs/network/private-vpc';
import { PublicHttpsLoadBalancer } from '../constructs/network/public-https-load-balancer';
import { AlarmTopic } from '../constructs/observability/alarm-topic';
import { ConsumerLagAlarm } from '../constructs/observability/consumer-lag-alarm';
import { JsonParameter } from '../constructs/parameters/json-parameter';
import { VpcOpenSearchDomain } from '../constructs/search/opensearch-domain';
import { CustomerManagedKey } from '../constructs/security/customer-managed-key';
import { OperatorSetSecret } from '../constructs/security/operator-set-secret';
import { AccessLogBucket } from '../constructs/storage/access-log-bucket';
import { ArchiveBucket, type ArchiveTiering } from '../constructs/storage/archive-bucket';
import { DynamoDbTables } from '../constructs/storage/dynamodb-tables';
import { MSK_PORTS, MskKafkaCluster } from '../constructs/streaming/msk-cluster';
import { provisioningTaskStatements } from '../policies/provisioning-task-policy';
import { serviceTaskStatements } from '../policies/service-task-policy';

/** Sizing and options of the producer account. */
export interface ProducerAccountStackProps extends TickwireStackProps {
  /** Availability zones by id (e.g. `use1-az1`), three: one private subnet, broker and search node each. */
  readonly availabilityZoneIds: readonly string[];
  /** VPC CIDR (a /16; private subnets are /20s). Must not overlap customers' VPCs only if they peer (they don't: multi-VPC connectivity is PrivateLink). */
  readonly vpcCidr: string;
  readonly kafka: {
    readonly version: string;
    readonly instanceType: string;
    readonly volumeSizeGiB: number;
    /** Partitions of each main stream (DLQ and late topics get 1). */
    readonly partitions: number;
  };
  readonly search: {
    readonly engineVersion: string;
    readonly instanceType: string;
    readonly instanceCount: number;
    /** Dedicated cluster-manager nodes' instance type (three of them), if any. */
    readonly dedicatedMasterType?: string;
    readonly volumeSizeGiB: number;
    /** Replicas of each daily index (1: one copy survives a node loss). */
    readonly replicas: number;
  };
  /** SCRAM user names of customers, each allowed read-only access (`customerReadOnlyAcls`). */
  readonly customerUsers: readonly string[];
  readonly archive: { readonly bucketName: string; readonly tiering: ArchiveTiering };
  readonly logRetentionDays: number;
  /** Tag the image-tag parameters start with, before the first deploy. */
  readonly initialImageTag: string;
}

/** Prefix of load balancer access logs in the access-log bucket. */
const LOAD_BALANCER_LOG_PREFIX = 'load-balancers/';

/** Replication settings on MSK (three brokers, one per AZ). */
const KAFKA_REPLICATION = { replicationFactor: 3, minInsyncReplicas: 2 } as const;

/**
 * The provider's AWS account: the whole pipeline.
 *
 * VPC (3 AZs, private subnets, one NAT for the live market-data source, VPC endpoints), customer-managed
 * KMS key, MSK (TLS, SCRAM + IAM, multi-VPC connectivity for the consumer account), topic/ACL/index
 * definitions as SSM parameters, OpenSearch in the VPC, the S3 archive, the DynamoDB tables, per service
 * an ECR repository, an ECS Fargate service, least-privilege roles, logs and consumer-lag alarms, and the
 * one-shot provisioning task (its own roles) that applies the definitions before any service starts.
 * The plan fails first if a zone or instance type does not fit the region.
 *
 * Terraform variables: `consumer_account_id` (12 digits), the only principal of the MSK cluster policy;
 * `gateway_certificate_arn`, the ACM certificate of the consumer gateway's public host name (its
 * internet-facing HTTPS load balancer, output `consumer_gateway_load_balancer_dns_name`).
 */
export class ProducerAccountStack extends TickwireStack {
  constructor(scope: Construct, id: string, props: ProducerAccountStackProps) {
    super(scope, id, props);
    const prefix = this.namePrefix;
    const consumerAccountId = new TerraformVariable(this, 'consumer_account_id', {
      type: 'string',
      description: 'AWS account id of the consumer (customer) account allowed to connect to MSK privately',
      validation: [
        {
          condition: 'can(regex("^[0-9]{12}$", var.consumer_account_id))',
          errorMessage: 'consumer_account_id must be 12 digits',
        },
      ],
    });
    const account = new DataAwsCallerIdentity(this, 'account');
    const partition = new DataAwsPartition(this, 'partition');

    const key = new CustomerManagedKey(this, 'cmk', {
      alias: dataKeyAlias(props.environment),
      description: `Tickwire ${props.environment}: data at rest`,
    });
    const alarms = new AlarmTopic(this, 'alarms', { name: `${prefix}-alarms`, kmsKeyArn: key.keyArn });
    // Fails the plan before anything is built when a zone or an instance type does not fit.
    new ZoneCapacityCheck(this, 'zone-check', {
      availabilityZoneIds: props.availabilityZoneIds,
      instanceTypes: [
        { role: 'MSK brokers', instanceType: props.kafka.instanceType },
        { role: 'OpenSearch data nodes', instanceType: props.search.instanceType },
        ...(props.search.dedicatedMasterType
          ? [{ role: 'OpenSearch cluster managers', instanceType: props.search.dedicatedMasterType }]
          : []),
      ],
    });
    const vpc = new PrivateVpc(this, 'network', {
      name: prefix,
      cidrBlock: props.vpcCidr,
      availabilityZoneIds: props.availabilityZoneIds,
      natGateway: true,
      loadBalancerSubnets: SERVICES.some((s) => s.internetFacing),
      interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sts'],
      gatewayEndpoints: ['s3', 'dynamodb'],
      flowLogs: { kmsKeyArn: key.keyArn, retentionDays: props.logRetentionDays },
    });

    const serviceUsers = SERVICES.map((s) => serviceScramUser(s.name));
    const msk = new MskKafkaCluster(this, 'kafka', {
      name: prefix,
      kafkaVersion: props.kafka.version,
      instanceType: props.kafka.instanceType,
      subnetIds: vpc.privateSubnetIds,
      vpcId: vpc.vpcId,
      clientCidrBlock: props.vpcCidr,
      volumeSizeGiB: props.kafka.volumeSizeGiB,
      kmsKeyArn: key.keyArn,
      scramUsers: [...serviceUsers, ...props.customerUsers],
      consumerAccountId: consumerAccountId.stringValue,
      partition: partition.partition,
      region: props.region,
      accountId: account.accountId,
      logRetentionDays: props.logRetentionDays,
    });

    // The AWS provider has no resource for Kafka topics or ACLs (those are Kafka admin-API objects, not
    // AWS ones): their definitions go to SSM as JSON, and the provisioning task applies them with the
    // Kafka admin client, as tools/stack does locally.
    const topics = [
      ...kafkaTopicSpecs({ partitions: props.kafka.partitions, ...KAFKA_REPLICATION }),
      // Created here rather than by the enricher: the cluster does not auto-create topics and the
      // enricher's user has no CREATE permission.
      enricherChangelogTopicSpec({ partitions: props.kafka.partitions, ...KAFKA_REPLICATION }),
      dailyBarHoldTopicSpec(KAFKA_REPLICATION),
    ];
    // Each definition parameter becomes one variable of the provisioning task (an ECS secret).
    const definitions: { variable: string; parameter: JsonParameter }[] = [];
    definitions.push({
      variable: PROVISIONING_VARIABLES.topics,
      parameter: new JsonParameter(this, 'kafka-topics', {
        name: `/tickwire/${props.environment}/kafka/topics`,
        description:
          'Kafka topics to create (name, partitions, replicationFactor, configs) - applied by the provisioning task',
        value: topics,
        kmsKeyArn: key.keyArn,
      }),
    });
    for (const service of SERVICES) {
      const user = serviceScramUser(service.name);
      definitions.push({
        variable: provisioningVariable(PROVISIONING_VARIABLES.aclsPrefix, user),
        parameter: new JsonParameter(this, `kafka-acls-${service.name}`, {
          name: `/tickwire/${props.environment}/kafka/acls/${user}`,
          description: `Kafka ACLs of ${service.name}`,
          value: serviceKafkaAcls(service),
          kmsKeyArn: key.keyArn,
        }),
      });
    }
    for (const user of props.customerUsers) {
      definitions.push({
        variable: provisioningVariable(PROVISIONING_VARIABLES.aclsPrefix, user),
        parameter: new JsonParameter(this, `kafka-acls-${user}`, {
          name: `/tickwire/${props.environment}/kafka/acls/${user}`,
          description: `Kafka ACLs of customer ${user} (read-only)`,
          value: customerReadOnlyAcls(user),
          kmsKeyArn: key.keyArn,
        }),
      });
    }

    // Made before the domain, which names it as its fine-grained access control master user.
    const provisioningRole = new ProvisioningTaskRole(this, 'provisioning-role', {
      name: `${prefix}-provisioning-task`,
      region: props.region,
      partition: partition.partition,
      accountId: account.accountId,
    });

    const search = new VpcOpenSearchDomain(this, 'search', {
      domainName: prefix,
      engineVersion: props.search.engineVersion,
      instanceType: props.search.instanceType,
      instanceCount: props.search.instanceCount,
      ...(props.search.dedicatedMasterType ? { dedicatedMasterType: props.search.dedicatedMasterType } : {}),
      subnetIds: vpc.privateSubnetIds,
      vpcId: vpc.vpcId,
      clientCidrBlock: props.vpcCidr,
      volumeSizeGiB: props.search.volumeSizeGiB,
      kmsKeyArn: key.keyArn,
      logRetentionDays: props.logRetentionDays,
      accountId: account.accountId,
      partition: partition.partition,
      region: props.region,
      masterUserArn: provisioningRole.roleArn,
    });
    for (const template of indexTemplates({ replicas: props.search.replicas })) {
      definitions.push({
        variable: provisioningVariable(PROVISIONING_VARIABLES.indexTemplatePrefix, template.name),
        parameter: new JsonParameter(this, `index-template-${template.name}`, {
          name: `/tickwire/${props.environment}/opensearch/index-templates/${template.name}`,
          description: `OpenSearch index template ${template.name} - applied by the provisioning task`,
          value: template,
          kmsKeyArn: key.keyArn,
        }),
      });
    }

    const archiveArn = `arn:${partition.partition}:s3:::${props.archive.bucketName}`;
    const accessLogs = new AccessLogBucket(this, 'access-logs', {
      bucketName: `${props.archive.bucketName}-access-logs`,
      sourceBucketArns: [archiveArn],
      accountId: account.accountId,
      retentionDays: props.logRetentionDays,
      loadBalancerLogs: { prefix: LOAD_BALANCER_LOG_PREFIX },
    });
    const archive = new ArchiveBucket(this, 'archive', {
      bucketName: props.archive.bucketName,
      dataPrefix: ARCHIVE_DATA_PREFIX,
      errorPrefix: ARCHIVE_ERROR_PREFIX,
      kmsKeyArn: key.keyArn,
      tiering: props.archive.tiering,
      accessLogs: { bucketId: accessLogs.bucketId, prefix: 'archive/' },
    });
    const tables = new DynamoDbTables(this, 'tables', { tables: DYNAMODB_TABLES, kmsKeyArn: key.keyArn });

    const alpaca = new OperatorSetSecret(this, 'alpaca-credentials', {
      name: `${prefix}/ingest-producer/alpaca`,
      description:
        'Alpaca market-data API credentials, JSON {"keyId": "...", "secretKey": "..."}; set by an operator',
      kmsKeyArn: key.keyArn,
    });

    const gatewayCertificateArn = new TerraformVariable(this, 'gateway_certificate_arn', {
      type: 'string',
      description:
        "ACM certificate (this account and region) of the consumer gateway's public host name, e.g. api.tickwire.example",
      validation: [
        {
          condition:
            'can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/", var.gateway_certificate_arn))',
          errorMessage: 'gateway_certificate_arn must be an ACM certificate ARN',
        },
      ],
    });
    const cluster = new FargateCluster(this, 'ecs', { name: ecsClusterName(props.environment) });
    const searchEndpoint = `https://${search.endpoint}`;
    const deployed = new Map<ServiceName, { service: FargateService; repository: ServiceImageRepository }>();
    for (const service of SERVICES) {
      const names = serviceDeploymentNames(props.environment, service.name);
      const repository = new ServiceImageRepository(this, `ecr-${service.name}`, {
        name: names.repository,
        kmsKeyArn: key.keyArn,
        keepImages: 50,
      });
      const loadBalancer = service.internetFacing
        ? new PublicHttpsLoadBalancer(this, `lb-${service.name}`, {
            // The public API (load balancer names stop at 32 characters; one internet-facing service).
            name: `${prefix}-api`,
            vpcId: vpc.vpcId,
            vpcCidrBlock: props.vpcCidr,
            subnetIds: vpc.loadBalancerSubnetIds,
            certificateArn: gatewayCertificateArn.stringValue,
            targetPort: service.port,
            healthCheckPath: '/health/ready',
            idleTimeoutSeconds: 300,
            // 5 req/s sustained per address; WebSocket frames after the upgrade are not requests.
            requestsPerAddressPer5Min: 1_500,
            accessLogs: { bucketId: accessLogs.bucketId, prefix: LOAD_BALANCER_LOG_PREFIX },
            kmsKeyArn: key.keyArn,
            logRetentionDays: props.logRetentionDays,
            region: props.region,
            partition: partition.partition,
            accountId: account.accountId,
          })
        : undefined;
      if (loadBalancer) {
        new TerraformOutput(this, `${service.name.replace(/-/g, '_')}_load_balancer_dns_name`, {
          value: loadBalancer.dnsName,
          description: `Point the public host name of ${service.name} (CNAME or alias) here`,
        });
      }
      const scramSecretArn = msk.scramSecretArns.get(serviceScramUser(service.name));
      if (!scramSecretArn) throw new Error(`no SCRAM secret for ${service.name}`);
      const secrets: ContainerSecret[] = [
        { name: 'KAFKA_SASL_USERNAME', secretArn: scramSecretArn, jsonKey: 'username' },
        { name: 'KAFKA_SASL_PASSWORD', secretArn: scramSecretArn, jsonKey: 'password' },
      ];
      if (service.name === 'ingest-producer') {
        secrets.push(
          { name: 'ALPACA_KEY', secretArn: alpaca.secretArn, jsonKey: 'keyId' },
          { name: 'ALPACA_SECRET', secretArn: alpaca.secretArn, jsonKey: 'secretKey' },
        );
      }
      const fargate = new FargateService(this, `svc-${service.name}`, {
        serviceName: service.name,
        clusterArn: cluster.clusterArn,
        taskFamily: names.taskFamily,
        logGroupName: names.logGroup,
        logRetentionDays: props.logRetentionDays,
        repositoryUrl: repository.repositoryUrl,
        repositoryArn: repository.repositoryArn,
        imageTagParameterName: names.imageTagParameter,
        initialImageTag: props.initialImageTag,
        port: service.port,
        cpu: service.cpu,
        memoryMiB: service.memoryMiB,
        desiredCount: service.desiredCount,
        subnetIds: vpc.privateSubnetIds,
        vpcId: vpc.vpcId,
        vpcCidrBlock: props.vpcCidr,
        egressPorts: [MSK_PORTS.saslScram],
        internetEgress: service.name === 'ingest-producer',
        ...(loadBalancer ? { loadBalancerTargetGroupArn: loadBalancer.targetGroupArn } : {}),
        environment: containerEnvironment(service, props, {
          bootstrapBrokers: msk.bootstrapBrokersSaslScram,
          searchEndpoint,
          archiveBucket: archive.bucketName,
        }),
        secrets,
        kmsKeyArn: key.keyArn,
        taskRoleStatements: serviceTaskStatements(service, {
          tableArns: tables.tableArns,
          archiveBucketArn: archive.bucketArn,
          searchDomainArn: search.domainArn,
          kmsKeyArn: key.keyArn,
        }),
        region: props.region,
        partition: partition.partition,
        accountId: account.accountId,
      });
      deployed.set(service.name, { service: fargate, repository });
      new JsonParameter(this, `deploy-${service.name}`, {
        name: names.namesParameter,
        description: `Deployment names of ${service.name}, read by its deploy target`,
        value: names,
        kmsKeyArn: key.keyArn,
      });
      const consumerGroup = service.consumerGroup;
      if (consumerGroup && !service.consumerGroupPerInstance) {
        // Lag is tracked on the streams a group commits offsets for; the enricher's state changelog is
        // read without committing (a restore), so it has no group lag to alarm on.
        for (const topic of service.consumes.filter((t) => t !== ENRICHER_STATE_CHANGELOG_TOPIC)) {
          new ConsumerLagAlarm(this, `lag-${service.name}-${topic}`, {
            alarmName: `${prefix}-${service.name}-lag-${topic}`,
            clusterName: msk.clusterName,
            consumerGroup,
            topic,
            threshold: service.lagAlarmThreshold ?? 10_000,
            actions: [alarms.topicArn],
          });
        }
      }
    }

    // The one-shot provisioning task, run before every service (each service's depends_on).
    const image = deployed.get(PROVISIONING_IMAGE_OF);
    if (!image) throw new Error(`no ${PROVISIONING_IMAGE_OF} service, whose image runs the provisioning`);
    const provisioningNames = serviceDeploymentNames(props.environment, 'provisioning');
    const taskRoleOf = (name: ServiceName): string => {
      const found = deployed.get(name);
      if (!found) throw new Error(`no ${name} service`);
      return found.service.taskRoleArn;
    };
    const roleMappings: Record<string, string[]> = {
      all_access: [search.operatorRoleArn],
      security_manager: [search.operatorRoleArn],
      [OPENSEARCH_INDEXER_ROLE]: SERVICES.filter((s) => s.search === 'write').map((s) => taskRoleOf(s.name)),
      [OPENSEARCH_READER_ROLE]: SERVICES.filter((s) => s.search === 'read').map((s) => taskRoleOf(s.name)),
    };
    const provisioning = new ProvisioningTask(this, 'provisioning', {
      family: provisioningNames.taskFamily,
      logGroupName: provisioningNames.logGroup,
      logRetentionDays: props.logRetentionDays,
      kmsKeyArn: key.keyArn,
      cluster: cluster.clusterArn,
      image: {
        repositoryUrl: image.repository.repositoryUrl,
        repositoryArn: image.repository.repositoryArn,
        tag: image.service.imageTag,
      },
      initialImageTag: props.initialImageTag,
      command: ['node', '--enable-source-maps', 'provision.js'],
      subnetIds: vpc.privateSubnetIds,
      vpcId: vpc.vpcId,
      vpcCidrBlock: props.vpcCidr,
      egressPorts: [MSK_PORTS.saslIam],
      environment: {
        KAFKA_BROKERS: msk.bootstrapBrokersSaslIam,
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'aws-msk-iam',
        AWS_REGION: props.region,
        OPENSEARCH_URL: searchEndpoint,
        OPENSEARCH_ROLE_MAPPINGS: JSON.stringify(roleMappings),
      },
      parameterSecrets: definitions.map(({ variable, parameter }): ParameterSecret => ({
        name: variable,
        parameterArn: parameter.parameterArn,
      })),
      taskRole: provisioningRole,
      taskRoleStatements: provisioningTaskStatements({
        clusterArn: msk.clusterArn,
        topicArnPrefix: msk.topicArnPrefix,
        topicNames: topics.map((t) => t.name),
        searchDomainArn: search.domainArn,
      }),
      // A changed definition is a new parameter version: the task runs again at the next apply.
      triggers: Object.fromEntries(
        definitions.map(({ variable, parameter }) => [variable, parameter.parameterVersion]),
      ),
      region: props.region,
      partition: partition.partition,
      accountId: account.accountId,
    });
    for (const { service } of deployed.values()) service.startAfter(provisioning.run);

    new TerraformOutput(this, 'msk_cluster_arn', {
      value: msk.clusterArn,
      description: 'Pass to the consumer stack as producer_cluster_arn',
    });
    new TerraformOutput(this, 'msk_bootstrap_brokers_vpc_connectivity_sasl_scram', {
      value: msk.bootstrapBrokersVpcConnectivitySaslScram,
      description: 'Pass to the consumer stack as producer_bootstrap_brokers',
    });
    new TerraformOutput(this, 'customer_scram_secret_arns', {
      value: Object.fromEntries(props.customerUsers.map((u) => [u, msk.scramSecretArns.get(u)])),
      description: 'Secrets whose credentials are handed to each customer (over a secure channel)',
    });
    new TerraformOutput(this, 'opensearch_operator_role_arn', {
      value: search.operatorRoleArn,
      description:
        'Operators assume it (with MFA) for OpenSearch admin: mapped to all_access and security_manager',
    });
    new TerraformOutput(this, 'customer_topic', { value: TOPICS.enriched });
  }
}

/** The app whose image holds the provisioning entry point (`provision.js`, apps/opensearch-indexer/src/provision.ts). */
const PROVISIONING_IMAGE_OF: ServiceName = 'opensearch-indexer';

/**
 * Variables of the provisioning task holding the definitions, as apps/opensearch-indexer's
 * provisioning config reads them (task-environment-agreement.spec.ts parses the task with it).
 */
const PROVISIONING_VARIABLES = {
  topics: 'PROVISION_KAFKA_TOPICS',
  aclsPrefix: 'PROVISION_KAFKA_ACLS_',
  indexTemplatePrefix: 'PROVISION_INDEX_TEMPLATE_',
} as const;

/** `PROVISION_KAFKA_ACLS_` + `tickwire-enricher` -> `PROVISION_KAFKA_ACLS_TICKWIRE_ENRICHER`. */
function provisioningVariable(prefix: string, name: string): string {
  return `${prefix}${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

/** Production settings of single apps, beyond what {@link containerEnvironment} derives from the catalogue. */
const APP_SETTINGS: Partial<Record<ServiceName, Record<string, string>>> = {
  'ingest-producer': {
    // The live feed: a replay needs the repository's data/, which the image does not hold.
    SOURCE: 'alpaca',
    // Pays towards MSK (cross-AZ traffic is billed per byte); the only app whose schema reads it.
    KAFKA_COMPRESSION: 'gzip',
  },
};

/**
 * Environment of a service's container, in the variable names of the apps' config schemas
 * (`apps/<app>/src/service-definition.ts`; task-environment-agreement.spec.ts parses every task's
 * environment with them). Only what the app reads: NODE_ENV comes from the image. Kafka and Alpaca
 * credentials come as secrets, never here. The DynamoDB and S3 endpoint overrides are set empty on
 * purpose: their defaults point at the local emulators, empty means the region's AWS endpoint.
 */
function containerEnvironment(
  service: ServiceSpec,
  props: ProducerAccountStackProps,
  endpoints: { bootstrapBrokers: string; searchEndpoint: string; archiveBucket: string },
): Record<string, string> {
  const env: Record<string, string> = {
    SERVICE_NAME: service.name,
    LOG_LEVEL: 'info',
    HTTP_PORT: String(service.port),
    KAFKA_BROKERS: endpoints.bootstrapBrokers,
    KAFKA_SSL: 'true',
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
  };
  if (service.consumerGroup && !service.consumerGroupPerInstance)
    env['KAFKA_CONSUMER_GROUP'] = service.consumerGroup;
  const usesAws =
    service.tables.length > 0 || service.search !== 'none' || service.archiveWritePrefixes.length > 0;
  // The region of the SDK clients and of the OpenSearch request signatures (SigV4).
  if (usesAws) env['AWS_REGION'] = props.region;
  if (service.tables.length > 0) env['DYNAMODB_ENDPOINT'] = '';
  if (service.search !== 'none') env['OPENSEARCH_URL'] = endpoints.searchEndpoint;
  // Behind the load balancer (in the VPC's subnets), its X-Forwarded-For entry is the client address.
  if (service.internetFacing) env['TRUSTED_PROXIES'] = props.vpcCidr;
  if (service.archiveWritePrefixes.length > 0) {
    env['S3_ENDPOINT'] = '';
    env['ARCHIVE_BUCKET'] = endpoints.archiveBucket;
  }
  return { ...env, ...APP_SETTINGS[service.name] };
}
