/**
 * The local stack's configuration: the pinned artifact versions (here) and the environment variable
 * names, defaults and resolved settings (defined in @tickwire/testing, which the test helpers share,
 * and re-exported here so the launcher, docker-compose.yml's test and the README have one place).
 */
export {
  APP_ENV_NAMES,
  appEnvironment,
  assertDistinctPorts,
  LOCAL_AWS_CREDENTIALS,
  PORT_ENV,
  resolveStackConfig,
  SERVER_NAMES,
  serverDirs,
  STACK_ENV,
  stackEndpoints,
  type PortKey,
  type ServerDirs,
  type ServerName,
  type StackConfig,
  type StackEndpoints,
  type StackEnvKey,
  type StackEnvVar,
} from '@tickwire/testing';

/**
 * Maven Central coordinates' versions, checked with `mvn dependency:get` when pinned.
 * - Kafka 4.1.x: KRaft only, runs on Java 17 (brokers need 17+).
 * - OpenSearch 2.19.x: the last line that runs on Java 17 (3.x needs 21); integ-test-zip has no plugins,
 *   so no security plugin.
 * - DynamoDB Local 3.x: AWS SDK v2 based, Java 17.
 * - S3Mock 4.x: Spring Boot 3.5, compiled for Java 17 (5.x moves on).
 */
export const STACK_VERSIONS = {
  kafka: '4.1.2',
  /** Log4j 2 backend for Kafka's SLF4J logging, the version Kafka 4.1 ships. */
  log4j: '2.24.3',
  /** SLF4J 2 API (kafka_2.13's pom still names 1.7, the Log4j 2 binding needs 2.x). */
  slf4j: '2.0.17',
  opensearch: '2.19.4',
  dynamodbLocal: '3.1.0',
  /** sqlite4java native library DynamoDB Local loads from java.library.path. */
  sqlite4java: '1.0.392',
  s3mock: '4.7.0',
} as const;

/** Oldest Java feature release every pinned server runs on. */
export const MIN_JAVA_VERSION = 17;

