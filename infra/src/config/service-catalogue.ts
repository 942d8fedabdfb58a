import {
  AMENDMENT_TOPICS,
  CUSTOMER_TOPICS,
  dlqTopic,
  lateTopic,
  RAW_TOPICS,
  TOPICS,
  type TopicName,
} from '@tickwire/contracts';
import {
  ARCHIVE_DATA_PREFIX,
  ARCHIVE_ERROR_PREFIX,
  CUSTOMER_API_KEYS_TABLE,
  DAILY_BAR_HOLD_TOPIC,
  ENRICHER_STATE_CHANGELOG_TOPIC,
  REFERENCE_DAILY_BARS_TABLE,
  SYMBOL_STATE_TABLE,
} from '@tickwire/resources';

/** The five deployable services (Nx app names, also ECR repository and ECS service names). */
export const SERVICE_NAMES = [
  'ingest-producer',
  'enricher',
  'opensearch-indexer',
  'firehose-archiver',
  'consumer-gateway',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

/** DynamoDB access a service needs on one table; each level maps to a fixed list of actions. */
export interface TableAccess {
  readonly tableName: string;
  readonly access: 'read' | 'read-write';
  /** Whether the service queries the table's global secondary indexes. */
  readonly indexes?: boolean;
}

/**
 * What one service is and touches. Infra derives every permission from this: Kafka ACLs of the
 * service's SCRAM user, IAM task-role statements, lag alarms. Nothing here names an AWS ARN.
 */
export interface ServiceSpec {
  readonly name: ServiceName;
  /** HTTP port of health (`/health/live`, `/health/ready`), metrics and, for the gateway, the API. */
  readonly port: number;
  /** Fargate task size: vCPU units (1024 = 1 vCPU) and memory (MiB), a valid Fargate pair. */
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Tasks kept running. */
  readonly desiredCount: number;
  /** Kafka consumer group, when the service consumes. */
  readonly consumerGroup?: string;
  /**
   * How the group ACL matches: LITERAL (default) or PREFIXED, for a service whose instances may each
   * use their own `<group>-<instance>` group (a fan-out gateway needs every partition on every instance).
   */
  readonly consumerGroupPattern?: 'LITERAL' | 'PREFIXED';
  /**
   * Whether each instance consumes in a group of its own, `<consumerGroup>-<instance id>`, chosen by the
   * app (a fan-out gateway needs every partition on every instance). Then the task sets no
   * KAFKA_CONSUMER_GROUP, the group ACL must be PREFIXED, and there is no MSK lag alarm: such groups
   * commit no offsets, so MSK reports no offset lag for them (the app exports its lag as a metric).
   */
  readonly consumerGroupPerInstance?: boolean;
  /**
   * Prefix of the throwaway groups with which a service that has no consumer group of its own reads a
   * compacted topic back at start-up (a restore; they never commit): a PREFIXED group ACL, no
   * KAFKA_CONSUMER_GROUP, no lag alarm.
   */
  readonly restoreGroupPrefix?: string;
  /** Topics the service reads (needs a consumer group or a restore group prefix). */
  readonly consumes: readonly string[];
  /** Topics the service writes, including the DLQ and late topics of what it consumes. */
  readonly produces: readonly string[];
  /** Transactional id prefix, when the service produces in Kafka transactions (read-process-write). */
  readonly transactionalIdPrefix?: string;
  readonly tables: readonly TableAccess[];
  /** Archive prefixes the service writes objects under. */
  readonly archiveWritePrefixes: readonly string[];
  /**
   * What the service does on the OpenSearch domain: `write` (bulk indexing), `read` (search, history
   * queries) or `none`.
   */
  readonly search: 'none' | 'read' | 'write';
  /**
   * Whether customers reach the service from the internet: then it sits behind an internet-facing
   * HTTPS load balancer (wss for WebSockets) that sends traffic only to tasks whose `/health/ready`
   * answers 200.
   */
  readonly internetFacing?: boolean;
  /**
   * Consumer lag (messages, summed over the group's partitions of one topic) above which the lag alarm
   * fires. Sized from the service's role: enricher is on the hot path, so it alarms early.
   */
  readonly lagAlarmThreshold?: number;
}

const dlqAndLateOf = (topics: readonly TopicName[]): string[] =>
  topics.flatMap((t) =>
    t === TOPICS.trades || t === TOPICS.quotes ? [dlqTopic(t), lateTopic(t)] : [dlqTopic(t)],
  );

/**
 * The service catalogue. Ports follow the workspace convention (gateway 8080, ingest-producer 8081,
 * enricher 8082, opensearch-indexer 8083, firehose-archiver 8084).
 */
export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'ingest-producer',
    port: 8081,
    cpu: 512,
    memoryMiB: 1024,
    desiredCount: 1,
    // Alpaca's daily bars held until their session closes are kept in a compacted topic and read back
    // at start-up with throwaway groups `ingest-producer-restore-<id>` (never committed).
    restoreGroupPrefix: 'ingest-producer-restore',
    consumes: [DAILY_BAR_HOLD_TOPIC],
    produces: [...RAW_TOPICS, DAILY_BAR_HOLD_TOPIC],
    tables: [],
    archiveWritePrefixes: [],
    search: 'none',
  },
  {
    name: 'enricher',
    port: 8082,
    cpu: 1024,
    memoryMiB: 2048,
    // Two tasks share the input tasks: @tickwire/kafka assigns partition p of trades, quotes and daily
    // bars to one instance (co-partitioned), fences the previous owner with a transactional producer
    // per task (`enricher-enricher-<p>`, under the `enricher` prefix) and restores only the owned
    // changelog partitions. More tasks than input partitions would idle.
    desiredCount: 2,
    consumerGroup: 'enricher',
    // PREFIXED: the state restore reads the changelog with throwaway groups `enricher-restore-<id>`.
    consumerGroupPattern: 'PREFIXED',
    // Daily bars arrive both as reference data in DynamoDB (previous closes) and as a stream (their
    // closes are compared with the previous close for threshold alerts). The state changelog is read
    // on start-up and rebalance and written in every transaction.
    // Corrections, cancels and trading statuses amend the bars and the symbols' halted flag.
    consumes: [TOPICS.trades, TOPICS.quotes, TOPICS.barsDaily, ...AMENDMENT_TOPICS, ENRICHER_STATE_CHANGELOG_TOPIC],
    produces: [
      ...CUSTOMER_TOPICS,
      ...dlqAndLateOf([TOPICS.trades, TOPICS.quotes, TOPICS.barsDaily, ...AMENDMENT_TOPICS]),
      ENRICHER_STATE_CHANGELOG_TOPIC,
    ],
    transactionalIdPrefix: 'enricher',
    tables: [
      { tableName: SYMBOL_STATE_TABLE.tableName, access: 'read-write' },
      { tableName: REFERENCE_DAILY_BARS_TABLE.tableName, access: 'read-write' },
    ],
    archiveWritePrefixes: [],
    search: 'none',
    lagAlarmThreshold: 10_000,
  },
  {
    name: 'opensearch-indexer',
    port: 8083,
    cpu: 512,
    memoryMiB: 1024,
    desiredCount: 2,
    consumerGroup: 'opensearch-indexer',
    consumes: [...CUSTOMER_TOPICS],
    produces: CUSTOMER_TOPICS.map(dlqTopic),
    tables: [],
    archiveWritePrefixes: [],
    search: 'write',
    lagAlarmThreshold: 50_000,
  },
  {
    name: 'firehose-archiver',
    port: 8084,
    cpu: 512,
    memoryMiB: 1024,
    desiredCount: 1,
    consumerGroup: 'firehose-archiver',
    consumes: [...RAW_TOPICS],
    produces: [],
    tables: [],
    archiveWritePrefixes: [ARCHIVE_DATA_PREFIX, ARCHIVE_ERROR_PREFIX],
    search: 'none',
    // The archiver batches up to minutes of data per object on purpose: a larger threshold.
    lagAlarmThreshold: 200_000,
  },
  {
    name: 'consumer-gateway',
    port: 8080,
    cpu: 1024,
    memoryMiB: 2048,
    desiredCount: 2,
    consumerGroup: 'consumer-gateway',
    consumerGroupPattern: 'PREFIXED',
    consumerGroupPerInstance: true,
    consumes: [...CUSTOMER_TOPICS],
    // Records its consumer cannot parse go to the topics' dead-letter topics.
    produces: CUSTOMER_TOPICS.map(dlqTopic),
    tables: [
      { tableName: CUSTOMER_API_KEYS_TABLE.tableName, access: 'read', indexes: true },
      { tableName: SYMBOL_STATE_TABLE.tableName, access: 'read' },
    ],
    archiveWritePrefixes: [],
    // History queries (REST, GraphQL); readiness checks the cluster.
    search: 'read',
    internetFacing: true,
  },
];

/** SCRAM user name of a service on the MSK cluster. */
export function serviceScramUser(service: ServiceName): string {
  return `tickwire-${service}`;
}

/**
 * Names a deployment of `service` uses in `environment`, shared by the stack and the per-service
 * deploy target (tools/nx-plugins), which also reads them back from SSM at deploy time.
 */
export interface ServiceDeploymentNames {
  readonly cluster: string;
  readonly service: string;
  readonly repository: string;
  readonly taskFamily: string;
  readonly logGroup: string;
  /** SSM parameter holding this object as JSON (written by the stack, read by the deploy target). */
  readonly namesParameter: string;
  /** SSM parameter holding the deployed image tag (written by the deploy target, read by the stack). */
  readonly imageTagParameter: string;
  /** KMS key (alias) both parameters are encrypted with: the deploy target writes the tag with it. */
  readonly parameterKey: string;
}

/** Alias of an environment's customer-managed key, without the `alias/` prefix. */
export function dataKeyAlias(environment: string): string {
  return `tickwire-${environment}`;
}

/** ECS cluster of an environment's services. */
export function ecsClusterName(environment: string): string {
  return `tickwire-${environment}`;
}

/** Deployment names of `service` in `environment` (see {@link ServiceDeploymentNames}). */
export function serviceDeploymentNames(environment: string, service: string): ServiceDeploymentNames {
  return {
    cluster: ecsClusterName(environment),
    service,
    repository: `tickwire/${service}`,
    taskFamily: `tickwire-${environment}-${service}`,
    logGroup: `/tickwire/${environment}/${service}`,
    namesParameter: `/tickwire/${environment}/deploy/${service}/names`,
    imageTagParameter: `/tickwire/${environment}/deploy/${service}/image-tag`,
    parameterKey: `alias/${dataKeyAlias(environment)}`,
  };
}
