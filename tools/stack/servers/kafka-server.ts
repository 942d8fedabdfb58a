import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { mavenFetch } from '../maven-fetch';
import { STACK_VERSIONS, serverDirs, type StackConfig } from '../stack-config';
import { StackError } from '../stack-errors';
import { type LaunchSpec, type StackContext, type StackServer } from './stack-server';

/** Listener names in server.properties; the customer listener speaks SASL_PLAINTEXT with SCRAM. */
const LISTENER = { plain: 'PLAINTEXT', scram: 'CUSTOMER', controller: 'CONTROLLER' } as const;
const SCRAM_MECHANISM = 'SCRAM-SHA-512';
/** Kafka's storage tool parses `[name=...,password=...]`: keep credentials to characters it cannot misread. */
const SAFE_CREDENTIAL = /^[A-Za-z0-9._~-]+$/;

/**
 * `server.properties` of a single-node KRaft cluster (combined broker + controller):
 * PLAINTEXT for the services, SASL_PLAINTEXT/SCRAM-SHA-512 for customers (the MSK SCRAM port), the
 * StandardAuthorizer with deny-by-default, and single-replica internal topics.
 *
 * Super users: `User:ANONYMOUS` is the principal of the PLAINTEXT and controller listeners (the
 * services and the broker itself), plus the SCRAM admin user.
 */
export function kafkaServerProperties(config: StackConfig, dataDir: string): string {
  const { host, ports, kafkaUsers, topicPartitions } = config;
  const lines: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${host}:${ports.kafkaController}`,
    listeners: [
      `${LISTENER.plain}://${host}:${ports.kafka}`,
      `${LISTENER.scram}://${host}:${ports.kafkaScram}`,
      `${LISTENER.controller}://${host}:${ports.kafkaController}`,
    ].join(','),
    'advertised.listeners': `${LISTENER.plain}://${host}:${ports.kafka},${LISTENER.scram}://${host}:${ports.kafkaScram}`,
    'listener.security.protocol.map': `${LISTENER.plain}:PLAINTEXT,${LISTENER.scram}:SASL_PLAINTEXT,${LISTENER.controller}:PLAINTEXT`,
    'controller.listener.names': LISTENER.controller,
    'inter.broker.listener.name': LISTENER.plain,
    'sasl.enabled.mechanisms': SCRAM_MECHANISM,
    [`listener.name.${LISTENER.scram.toLowerCase()}.sasl.enabled.mechanisms`]: SCRAM_MECHANISM,
    [`listener.name.${LISTENER.scram.toLowerCase()}.scram-sha-512.sasl.jaas.config`]:
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found': false,
    'super.users': `User:ANONYMOUS;User:${kafkaUsers.admin.user}`,
    'log.dirs': dataDir,
    'auto.create.topics.enable': false,
    'num.partitions': topicPartitions,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Tests join and leave consumer groups constantly; the 3 s default delay would slow every one.
    'group.initial.rebalance.delay.ms': 0,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'log.retention.hours': 168,
    'log.segment.bytes': 64 * 1024 * 1024,
  };
  return `${Object.entries(lines)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

/** Log4j 2 config: a size-bounded rolling server.log in the logs folder. */
export const KAFKA_LOG4J2_PROPERTIES = `status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.filePattern = \${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.state.name = state.change.logger
logger.state.level = WARN
`;

/** A Kafka cluster id: a random UUID in Kafka's URL-safe base64 form (22 chars), not starting with '-'. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Fingerprint of the SCRAM users and passwords (never the passwords themselves on disk). */
function credentialsFingerprint(config: StackConfig): string {
  const { customer, admin } = config.kafkaUsers;
  return createHash('sha256')
    .update(JSON.stringify([customer.user, customer.password, admin.user, admin.password]))
    .digest('hex');
}

/**
 * Kafka broker, KRaft single node. Storage is formatted once (with the SCRAM users, which KRaft
 * stores in the metadata log); later starts reuse it.
 */
export function createKafkaServer(config: StackConfig): StackServer {
  const dirs = serverDirs(config, 'kafka');
  const libDir = join(config.cacheDir, `kafka-${STACK_VERSIONS.kafka}`, 'lib');
  const propertiesFile = join(dirs.conf, 'server.properties');
  const log4jFile = join(dirs.conf, 'log4j2.properties');
  const fingerprintFile = join(dirs.root, 'scram-users.sha256');
  const jvm = (java: string, main: string, ...args: string[]): [string, string[]] => [
    java,
    [
      '-Xms256m',
      '-Xmx768m',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${log4jFile}`,
      `-Dkafka.logs.dir=${dirs.logs}`,
      '-cp',
      join(libDir, '*'),
      main,
      ...args,
    ],
  ];

  return {
    name: 'kafka',
    title: `Kafka ${STACK_VERSIONS.kafka}`,
    mainPort: config.ports.kafka,
    ports: ['kafka', 'kafkaScram', 'kafkaController'],
    dirs,
    mainLogFile: join(dirs.logs, 'server.log'),

    async install(context: StackContext): Promise<void> {
      await mavenFetch({
        pom: join(context.stackToolsDir, 'poms', 'kafka.pom.xml'),
        properties: {
          'kafka.version': STACK_VERSIONS.kafka,
          'log4j.version': STACK_VERSIONS.log4j,
          'slf4j.version': STACK_VERSIONS.slf4j,
        },
        outputDir: libDir,
      });
    },

    async prepare(context: StackContext): Promise<void> {
      for (const dir of [dirs.data, dirs.logs, dirs.conf]) mkdirSync(dir, { recursive: true });
      writeFileSync(propertiesFile, kafkaServerProperties(config, dirs.data));
      writeFileSync(log4jFile, KAFKA_LOG4J2_PROPERTIES);
      if (existsSync(join(dirs.data, 'meta.properties'))) {
        // KRaft stored the SCRAM users when the storage was formatted; changed variables do not reach it.
        const recorded = existsSync(fingerprintFile) ? readFileSync(fingerprintFile, 'utf8').trim() : undefined;
        if (recorded !== undefined && recorded !== credentialsFingerprint(config)) {
          context.log(
            'kafka: WARNING the KAFKA_*_USER/PASSWORD variables changed since the storage was formatted; ' +
              'the broker keeps the old SCRAM users. Run `npm run stack:down -- --purge` and `stack:up` to apply them.',
          );
        }
        return;
      }

      const users = [config.kafkaUsers.customer, config.kafkaUsers.admin];
      for (const { user, password } of users) {
        if (!SAFE_CREDENTIAL.test(user) || !SAFE_CREDENTIAL.test(password)) {
          throw new StackError(`Kafka SCRAM user "${user}": names and passwords may only use [A-Za-z0-9._~-]`);
        }
      }
      context.log('kafka: formatting storage (KRaft) with the SCRAM users');
      const [java, args] = jvm(
        context.java.javaBin,
        'kafka.tools.StorageTool',
        'format',
        '--cluster-id',
        newClusterId(),
        '--config',
        propertiesFile,
        ...users.flatMap(({ user, password }) => [
          '--add-scram',
          `${SCRAM_MECHANISM}=[name=${user},password=${password}]`,
        ]),
      );
      const result = spawnSync(java, args, { cwd: dirs.root, encoding: 'utf8' });
      if (result.status !== 0) {
        throw new StackError(`kafka storage format failed:\n${result.stdout}\n${result.stderr}`.trim());
      }
      writeFileSync(fingerprintFile, `${credentialsFingerprint(config)}\n`);
    },

    launch(context: StackContext): LaunchSpec {
      const [command, args] = jvm(context.java.javaBin, 'kafka.Kafka', propertiesFile);
      return { command, args, env: { ...process.env, JAVA_HOME: context.java.javaHome }, cwd: dirs.root };
    },

    async probe(timeoutMs: number): Promise<void> {
      const kafka = new Kafka({
        clientId: 'tickwire-stack-probe',
        brokers: [`${config.host}:${config.ports.kafka}`],
        connectionTimeout: Math.min(timeoutMs, 3_000),
        requestTimeout: timeoutMs,
        retry: { retries: 0 },
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
        // A metadata request: the broker must have joined the quorum and registered to answer it.
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('no broker registered yet');
      } finally {
        await admin.disconnect();
      }
    },
  };
}
