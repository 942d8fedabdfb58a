import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
  type Provider,
} from '@nestjs/common';
import {
  createDynamoDbClient,
  createDynamoDbDocumentClient,
  createOpenSearchClient,
  createS3Client,
  probeDynamoDb,
  probeOpenSearch,
  probeS3,
} from '@tickwire/aws';
import {
  createKafkaClient,
  type KafkaClient,
  probeKafka,
  RecordProducer,
  type RecordProducerOptions,
} from '@tickwire/kafka';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import type { Logger } from 'pino';
import {
  dynamoDbConnectionFrom,
  kafkaConnectionFrom,
  type KafkaEnvConfig,
  openSearchConnectionFrom,
  s3ConnectionFrom,
} from './connection-options';
import {
  DYNAMODB_CLIENT,
  DYNAMODB_DOCUMENT_CLIENT,
  KAFKA_CLIENT,
  KAFKA_PRODUCER,
  OPENSEARCH_CLIENT,
  READINESS_CHECKS,
  type ReadinessCheck,
  ROOT_LOGGER,
  S3_CLIENT,
  type ServiceDependency,
} from './dependency-tokens';
import { SERVICE_CONFIG } from '../config/service-config.token';

/** What the service declares about its dependencies (see `ServiceDefinition`). */
export interface DependencyDeclaration {
  dependencies: readonly ServiceDependency[];
  /**
   * Provide a connected idempotent {@link RecordProducer} under KAFKA_PRODUCER. Its compression comes
   * from KAFKA_COMPRESSION when the service's schema has it, else from these options.
   */
  kafkaProducer?: RecordProducerOptions;
  /** Config variable naming the S3 bucket the readiness probe HEADs (e.g. `ARCHIVE_BUCKET`); ListBuckets when omitted. */
  s3ReadinessBucketVariable?: string;
}

type AnyConfig = Record<string, unknown>;

/**
 * Nest providers for the declared dependencies: clients built from the validated config, the
 * readiness checks, and a lifecycle owner that connects the producer at start-up and closes every
 * client at shutdown (after Nest has stopped the consumers, so in-flight work can still produce).
 */
export function dependencyProviders(declaration: DependencyDeclaration): Provider[] {
  const uses = new Set(declaration.dependencies);
  const providers: Provider[] = [];
  const checks: { token: symbol; check: (client: never, config: AnyConfig) => ReadinessCheck }[] = [];

  if (uses.has('kafka')) {
    providers.push({
      provide: KAFKA_CLIENT,
      useFactory: (config: KafkaEnvConfig, logger: Logger) =>
        createKafkaClient(kafkaConnectionFrom(config), logger.child({ component: 'kafka' })),
      inject: [SERVICE_CONFIG, ROOT_LOGGER],
    });
    checks.push({
      token: KAFKA_CLIENT,
      check: (kafka: KafkaClient) => ({
        name: 'kafka',
        probe: async () => ({ ...(await probeKafka(kafka)) }),
      }),
    });
    if (declaration.kafkaProducer) {
      const options = declaration.kafkaProducer;
      providers.push({
        provide: KAFKA_PRODUCER,
        useFactory: (kafka: KafkaClient, config: { KAFKA_COMPRESSION?: 'none' | 'gzip' }) =>
          new RecordProducer(kafka, {
            ...options,
            ...(config.KAFKA_COMPRESSION ? { compression: config.KAFKA_COMPRESSION } : {}),
          }),
        inject: [KAFKA_CLIENT, SERVICE_CONFIG],
      });
    }
  }
  if (uses.has('opensearch')) {
    providers.push({
      provide: OPENSEARCH_CLIENT,
      useFactory: (config: { OPENSEARCH_URL: string }) =>
        createOpenSearchClient(openSearchConnectionFrom(config)),
      inject: [SERVICE_CONFIG],
    });
    checks.push({
      token: OPENSEARCH_CLIENT,
      check: (client: OpenSearchClient) => ({
        name: 'opensearch',
        probe: async () => ({ ...(await probeOpenSearch(client)) }),
      }),
    });
  }
  if (uses.has('dynamodb')) {
    providers.push(
      {
        provide: DYNAMODB_CLIENT,
        useFactory: (config: { AWS_REGION: string; DYNAMODB_ENDPOINT?: string }) =>
          createDynamoDbClient(dynamoDbConnectionFrom(config)),
        inject: [SERVICE_CONFIG],
      },
      {
        provide: DYNAMODB_DOCUMENT_CLIENT,
        useFactory: (client: DynamoDBClient) => createDynamoDbDocumentClient(client),
        inject: [DYNAMODB_CLIENT],
      },
    );
    checks.push({
      token: DYNAMODB_CLIENT,
      check: (client: DynamoDBClient) => ({
        name: 'dynamodb',
        probe: async () => ({ ...(await probeDynamoDb(client)) }),
      }),
    });
  }
  if (uses.has('s3')) {
    providers.push({
      provide: S3_CLIENT,
      useFactory: (config: { AWS_REGION: string; S3_ENDPOINT?: string }) =>
        createS3Client(s3ConnectionFrom(config)),
      inject: [SERVICE_CONFIG],
    });
    const bucketVariable = declaration.s3ReadinessBucketVariable;
    checks.push({
      token: S3_CLIENT,
      check: (client: S3Client, config) => {
        const bucket = bucketVariable === undefined ? undefined : String(config[bucketVariable]);
        return { name: 's3', probe: async () => ({ ...(await probeS3(client, bucket)) }) };
      },
    });
  }

  providers.push({
    provide: READINESS_CHECKS,
    useFactory: (config: AnyConfig, ...clients: never[]) =>
      checks.map(({ check }, index) => check(clients[index] as never, config)),
    inject: [SERVICE_CONFIG, ...checks.map(({ token }) => token)],
  });
  providers.push(DependencyLifecycle);
  return providers;
}

/** Connects the producer at start-up; closes clients at shutdown. */
@Injectable()
export class DependencyLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Optional() @Inject(KAFKA_PRODUCER) private readonly producer?: RecordProducer,
    @Optional() @Inject(OPENSEARCH_CLIENT) private readonly openSearch?: OpenSearchClient,
    @Optional() @Inject(DYNAMODB_CLIENT) private readonly dynamoDb?: DynamoDBClient,
    @Optional() @Inject(S3_CLIENT) private readonly s3?: S3Client,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.producer) {
      await this.producer.connect();
      this.logger.info('Kafka producer connected');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // Each close is independent: one failing must not leave the others open.
    const results = await Promise.allSettled([
      this.producer?.disconnect(),
      this.openSearch?.close(),
      Promise.resolve(this.dynamoDb?.destroy()),
      Promise.resolve(this.s3?.destroy()),
    ]);
    for (const result of results) {
      if (result.status === 'rejected')
        this.logger.warn({ err: result.reason }, 'Closing a dependency client failed');
    }
    this.logger.info('Dependency clients closed');
  }
}
