import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The local stack's settings: environment variable names, their defaults and the resolved
 * configuration. One place for the launcher (tools/stack, which adds the pinned versions), the test
 * helpers, docker-compose.yml and the README.
 *
 * Imports Node built-ins only: Jest loads this through `globalSetup` with plain Node resolution, where
 * the workspace's path aliases do not exist.
 */

/** One environment variable of the stack: its name, default and what it means. */
export interface StackEnvVar {
  readonly name: string;
  readonly defaultValue: string;
  readonly description: string;
}

/**
 * Every environment variable the stack reads, with defaults. Apps use the same names
 * (docker-compose.yml sets them for the containers).
 */
export const STACK_ENV = {
  cacheDir: {
    name: 'TICKWIRE_CACHE_DIR',
    defaultValue: join(homedir(), '.cache', 'tickwire'),
    description: 'Where fetched server distributions are unpacked (outside the repo; Maven keeps its own ~/.m2).',
  },
  stackDir: {
    name: 'TICKWIRE_STACK_DIR',
    defaultValue: join(tmpdir(), 'tickwire-stack'),
    description: 'Per-server data, logs, generated config and PID files: <dir>/<server>/{data,logs}.',
  },
  kafkaPort: { name: 'KAFKA_PORT', defaultValue: '9092', description: 'Kafka PLAINTEXT listener (services).' },
  kafkaScramPort: {
    name: 'KAFKA_SCRAM_PORT',
    defaultValue: '9096',
    description: 'Kafka SASL_PLAINTEXT listener with SCRAM-SHA-512 (customers; the MSK SCRAM port).',
  },
  kafkaControllerPort: {
    name: 'KAFKA_CONTROLLER_PORT',
    defaultValue: '9093',
    description: 'KRaft controller listener.',
  },
  openSearchPort: { name: 'OPENSEARCH_PORT', defaultValue: '9200', description: 'OpenSearch HTTP.' },
  dynamoDbPort: { name: 'DYNAMODB_PORT', defaultValue: '8000', description: 'DynamoDB Local HTTP.' },
  s3Port: { name: 'S3_PORT', defaultValue: '9090', description: 'S3Mock HTTP.' },
  s3HttpsPort: {
    name: 'S3_HTTPS_PORT',
    defaultValue: '9191',
    description: 'S3Mock HTTPS (always opened by S3Mock; nothing uses it).',
  },
  gatewayPort: { name: 'GATEWAY_PORT', defaultValue: '8080', description: 'consumer-gateway HTTP/WebSocket.' },
  customerUser: {
    name: 'KAFKA_CUSTOMER_USER',
    defaultValue: 'customer',
    description: 'Read-only SCRAM-SHA-512 user of the customer listener.',
  },
  customerPassword: {
    name: 'KAFKA_CUSTOMER_PASSWORD',
    defaultValue: 'customer-secret',
    description: 'Its password (local only; set at storage format time).',
  },
  adminUser: {
    name: 'KAFKA_ADMIN_USER',
    defaultValue: 'admin',
    description: 'SCRAM-SHA-512 super user of the customer listener.',
  },
  adminPassword: {
    name: 'KAFKA_ADMIN_PASSWORD',
    defaultValue: 'admin-secret',
    description: 'Its password (local only; set at storage format time).',
  },
  topicPartitions: {
    name: 'KAFKA_TOPIC_PARTITIONS',
    defaultValue: '3',
    description: 'Partitions of each main topic created by provisioning.',
  },
  awsRegion: { name: 'AWS_REGION', defaultValue: 'us-east-1', description: 'Region the AWS SDK clients sign for.' },
  archiveBucket: {
    name: 'ARCHIVE_BUCKET',
    defaultValue: 'tickwire-archive',
    description: 'S3 bucket of the raw archive (@tickwire/resources ARCHIVE_BUCKET).',
  },
  startTimeoutMs: {
    name: 'TICKWIRE_STACK_START_TIMEOUT_MS',
    defaultValue: '180000',
    description: 'How long `up` waits for each server to answer.',
  },
} as const satisfies Record<string, StackEnvVar>;

export type StackEnvKey = keyof typeof STACK_ENV;

/** The four servers of the stack. */
export type ServerName = 'kafka' | 'opensearch' | 'dynamodb' | 's3';
export const SERVER_NAMES: readonly ServerName[] = ['kafka', 'opensearch', 'dynamodb', 's3'];

/** Resolved settings of a stack (ports are TCP ports on 127.0.0.1). */
export interface StackConfig {
  readonly host: '127.0.0.1';
  readonly cacheDir: string;
  readonly stackDir: string;
  readonly ports: {
    readonly kafka: number;
    readonly kafkaScram: number;
    readonly kafkaController: number;
    readonly opensearch: number;
    readonly dynamodb: number;
    readonly s3: number;
    readonly s3Https: number;
    readonly gateway: number;
  };
  readonly kafkaUsers: {
    readonly customer: { readonly user: string; readonly password: string };
    readonly admin: { readonly user: string; readonly password: string };
  };
  readonly topicPartitions: number;
  readonly awsRegion: string;
  readonly archiveBucket: string;
  readonly startTimeoutMs: number;
}

/** A port setting of {@link StackConfig.ports}. */
export type PortKey = keyof StackConfig['ports'];

/** The environment variable of each port setting, for messages that tell the user what to change. */
export const PORT_ENV: Readonly<Record<PortKey, StackEnvKey>> = {
  kafka: 'kafkaPort',
  kafkaScram: 'kafkaScramPort',
  kafkaController: 'kafkaControllerPort',
  opensearch: 'openSearchPort',
  dynamodb: 'dynamoDbPort',
  s3: 's3Port',
  s3Https: 's3HttpsPort',
  gateway: 'gatewayPort',
};

function read(env: NodeJS.ProcessEnv, key: StackEnvKey): string {
  const value = env[STACK_ENV[key].name];
  return value === undefined || value === '' ? STACK_ENV[key].defaultValue : value;
}

function readInt(env: NodeJS.ProcessEnv, key: StackEnvKey, min: number, max: number): number {
  const raw = read(env, key);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${STACK_ENV[key].name} must be an integer in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

const readPort = (env: NodeJS.ProcessEnv, key: StackEnvKey): number => readInt(env, key, 1, 65_535);

/**
 * Resolves the stack's settings from `env` (defaults from {@link STACK_ENV}).
 *
 * @throws RangeError when a port or number is out of range, or two servers would share a port.
 */
export function resolveStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const ports = Object.fromEntries(
    Object.entries(PORT_ENV).map(([key, envKey]) => [key, readPort(env, envKey)]),
  ) as Record<PortKey, number>;
  assertDistinctPorts(ports);
  return {
    host: '127.0.0.1',
    cacheDir: read(env, 'cacheDir'),
    stackDir: read(env, 'stackDir'),
    ports,
    kafkaUsers: {
      customer: { user: read(env, 'customerUser'), password: read(env, 'customerPassword') },
      admin: { user: read(env, 'adminUser'), password: read(env, 'adminPassword') },
    },
    topicPartitions: readInt(env, 'topicPartitions', 1, 1_000),
    awsRegion: read(env, 'awsRegion'),
    archiveBucket: read(env, 'archiveBucket'),
    startTimeoutMs: readInt(env, 'startTimeoutMs', 1_000, 3_600_000),
  };
}

/**
 * Every port must be distinct: two servers on one port would make the second fail to bind with an
 * error that names neither.
 *
 * @throws RangeError naming both settings that share a port.
 */
export function assertDistinctPorts(ports: Readonly<Record<string, number>>): void {
  const seen = new Map<number, string>();
  for (const [name, port] of Object.entries(ports)) {
    const other = seen.get(port);
    if (other !== undefined) throw new RangeError(`ports ${other} and ${name} are both ${port}`);
    seen.set(port, name);
  }
}

/**
 * Placeholder AWS credentials for the local emulators. Letters and digits only: DynamoDB Local 2.x+
 * rejects any other access key id ("The Access Key ID or security token is invalid").
 */
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'tickwirelocal', secretAccessKey: 'tickwirelocal' } as const;

/** Endpoints of a running stack, as clients and apps address them. */
export interface StackEndpoints {
  /** `host:port` of the PLAINTEXT listener. */
  readonly kafkaBrokers: string;
  /** `host:port` of the SASL/SCRAM-SHA-512 listener. */
  readonly kafkaScramBrokers: string;
  readonly openSearchUrl: string;
  readonly dynamoDbEndpoint: string;
  readonly s3Endpoint: string;
}

/** Endpoint strings of `config`. */
export function stackEndpoints(config: StackConfig): StackEndpoints {
  const { host, ports } = config;
  return {
    kafkaBrokers: `${host}:${ports.kafka}`,
    kafkaScramBrokers: `${host}:${ports.kafkaScram}`,
    openSearchUrl: `http://${host}:${ports.opensearch}`,
    dynamoDbEndpoint: `http://${host}:${ports.dynamodb}`,
    s3Endpoint: `http://${host}:${ports.s3}`,
  };
}

/**
 * Environment variables an app needs to reach the stack (names shared with docker-compose.yml and
 * the apps' config). Values are for a process on this machine.
 */
export const APP_ENV_NAMES = {
  kafkaBrokers: 'KAFKA_BROKERS',
  openSearchUrl: 'OPENSEARCH_URL',
  dynamoDbEndpoint: 'DYNAMODB_ENDPOINT',
  s3Endpoint: 'S3_ENDPOINT',
  awsRegion: 'AWS_REGION',
  archiveBucket: 'ARCHIVE_BUCKET',
  awsAccessKeyId: 'AWS_ACCESS_KEY_ID',
  awsSecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
} as const;

/** `APP_ENV_NAMES` filled in for `config`. */
export function appEnvironment(config: StackConfig): Record<string, string> {
  const endpoints = stackEndpoints(config);
  return {
    [APP_ENV_NAMES.kafkaBrokers]: endpoints.kafkaBrokers,
    [APP_ENV_NAMES.openSearchUrl]: endpoints.openSearchUrl,
    [APP_ENV_NAMES.dynamoDbEndpoint]: endpoints.dynamoDbEndpoint,
    [APP_ENV_NAMES.s3Endpoint]: endpoints.s3Endpoint,
    [APP_ENV_NAMES.awsRegion]: config.awsRegion,
    [APP_ENV_NAMES.archiveBucket]: config.archiveBucket,
    // The SDK's default chain picks these up: placeholders DynamoDB Local accepts.
    [APP_ENV_NAMES.awsAccessKeyId]: LOCAL_AWS_CREDENTIALS.accessKeyId,
    [APP_ENV_NAMES.awsSecretAccessKey]: LOCAL_AWS_CREDENTIALS.secretAccessKey,
  };
}

/** Folders of one server: `<stackDir>/<server>/{data,logs}`, its generated config and PID file. */
export interface ServerDirs {
  readonly root: string;
  readonly data: string;
  readonly logs: string;
  readonly conf: string;
  readonly pidFile: string;
}

/** Folders of `server` under `config.stackDir`. */
export function serverDirs(config: StackConfig, server: ServerName): ServerDirs {
  const root = join(config.stackDir, server);
  return {
    root,
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    conf: join(root, 'conf'),
    pidFile: join(root, 'server.pid'),
  };
}
