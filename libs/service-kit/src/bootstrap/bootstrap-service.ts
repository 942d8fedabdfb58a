import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaConsumerServer } from '@tickwire/kafka';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import pino, { type Logger } from 'pino';
import type { z } from 'zod';
import { loadServiceConfig, ServiceConfigError } from '../config/service-config-loader';
import type { BaseServiceConfig } from '../config/service-config.token';
import { kafkaConnectionFrom, type KafkaEnvConfig } from '../dependencies/connection-options';
import { READINESS_CHECKS, type ReadinessCheck } from '../dependencies/dependency-tokens';
import { createServiceLogger } from '../logging/service-logger';
import { httpMetricsMiddleware } from '../metrics/http-metrics.middleware';
import { MetricsService } from '../metrics/metrics.service';
import { ServiceKitModule } from '../service-kit.module';
import { HybridExceptionFilter } from './hybrid-exception-filter';
import type { ServiceDefinition } from './service-definition';

/** A started service: the Nest app, its configuration and base URL. */
export interface RunningService<Config> {
  app: INestApplication;
  config: Config;
  logger: Logger;
  /** `http://127.0.0.1:<port>` of the HTTP listener. */
  url: string;
  /** The Kafka transport, when the service consumes Kafka. */
  kafkaServer: KafkaConsumerServer | null;
  /**
   * Graceful stop, in the order that keeps Kafka handling correct: first the Kafka consumer (stops
   * fetching, lets the in-flight batch finish and commit, disconnects), then `app.close(signal)`
   * (onModuleDestroy, beforeApplicationShutdown, HTTP server, onApplicationShutdown: producers and
   * clients close). Nest's own order would destroy feature providers before stopping microservices,
   * i.e. while a batch may still be running against them. Idempotent.
   */
  shutdown(signal?: string): Promise<void>;
}

export interface StartServiceOptions {
  /** Environment to validate; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Override HTTP_PORT, e.g. 0 for an ephemeral port in tests. */
  httpPort?: number;
  /** Override the log destination (tests). */
  logDestination?: pino.DestinationStream;
}

/**
 * Validates the configuration, builds the app (ServiceKitModule + `appModule`), connects the Kafka
 * transport when the service consumes Kafka, starts it and listens on HTTP_PORT (all interfaces).
 * Used by {@link bootstrapService} and by tests, so both run the same start-up path.
 *
 * @throws ServiceConfigError before anything is created or connected, when the environment is invalid;
 *   whatever Nest or a dependency throws during start-up.
 */
export async function startService<Schema extends z.ZodType>(
  appModule: Type<unknown>,
  definition: ServiceDefinition<Schema>,
  options: StartServiceOptions = {},
): Promise<RunningService<z.output<Schema>>> {
  const config = loadServiceConfig(
    definition.name,
    definition.envSchema,
    options.env ?? process.env,
  ) as z.output<Schema> & BaseServiceConfig;
  const logger = createServiceLogger(config.SERVICE_NAME, config.LOG_LEVEL, options.logDestination);
  const app = await NestFactory.create(
    {
      module: class ServiceRootModule {},
      imports: [ServiceKitModule.forRoot({ ...definition, config, logger }), appModule],
    },
    { bufferLogs: true },
  );
  app.useLogger(app.get(NestPinoLogger));
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  // Do not advertise the framework to scanners.
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');

  let kafkaServer: KafkaConsumerServer | null = null;
  if (definition.kafkaConsumer) {
    const kafkaConfig = config as unknown as KafkaEnvConfig & {
      KAFKA_CONSUMER_GROUP?: string;
      KAFKA_PARTITIONS_CONCURRENCY?: number;
    };
    kafkaServer = new KafkaConsumerServer({
      connection: kafkaConnectionFrom(kafkaConfig),
      groupId: kafkaConfig.KAFKA_CONSUMER_GROUP ?? config.SERVICE_NAME,
      serviceName: config.SERVICE_NAME,
      logger: logger.child({ component: 'kafka-consumer' }),
      metrics: app.get(MetricsService),
      partitionsConsumedConcurrently: kafkaConfig.KAFKA_PARTITIONS_CONCURRENCY ?? 1,
      ...(definition.kafkaConsumer.transactional
        ? {
            transactionalIdPrefix: config.SERVICE_NAME,
            ...(definition.kafkaConsumer.producersPerTask !== undefined
              ? { transactionalProducersPerTask: definition.kafkaConsumer.producersPerTask }
              : {}),
          }
        : {}),
    });
    const server = kafkaServer;
    // The consumer's own state joins the readiness checks: the cluster may answer while this consumer crashed.
    app
      .get<ReadinessCheck[]>(READINESS_CHECKS)
      .push({ name: 'kafka-consumer', probe: async () => ({ ...(await server.probe()) }) });
    app.useGlobalFilters(new HybridExceptionFilter(app.getHttpAdapter()));
    app.connectMicroservice({ strategy: kafkaServer }, { inheritAppConfig: true });
  }

  try {
    await app.startAllMicroservices();
    await app.listen(options.httpPort ?? config.HTTP_PORT, '0.0.0.0');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const address = app.getHttpServer().address() as { port: number };
  logger.info(
    { port: address.port, kafkaTopics: kafkaServer?.subscribedTopics() ?? [] },
    `${config.SERVICE_NAME} started`,
  );
  let stopping: Promise<void> | null = null;
  const shutdown = (signal?: string): Promise<void> => {
    stopping ??= (async () => {
      await kafkaServer?.close();
      // NestApplicationContext.close(signal) passes the signal to the shutdown hooks; the public
      // interface omits the parameter.
      await (app as unknown as { close(signal?: string): Promise<void> }).close(signal);
    })();
    return stopping;
  };
  return { app, config, logger, url: `http://127.0.0.1:${address.port}`, kafkaServer, shutdown };
}

/**
 * The whole `main.ts` of a service: start it, and exit non-zero with one clear message when the
 * configuration is invalid or start-up fails. On SIGTERM/SIGINT it runs {@link RunningService.shutdown}
 * (Kafka consumer first: in-flight batch finishes and commits; then Nest's lifecycle hooks, HTTP
 * server, clients) and exits 0. This replaces `app.enableShutdownHooks()`, whose order would destroy
 * providers before the consumer stops. A watchdog exits with code 1 if shutdown takes longer than
 * SHUTDOWN_TIMEOUT_MS (default 10 s, below the 30 s default grace period of ECS and Kubernetes); a
 * second signal exits 1 at once.
 */
export async function bootstrapService<Schema extends z.ZodType>(
  appModule: Type<unknown>,
  definition: ServiceDefinition<Schema>,
): Promise<void> {
  const fallbackLogger = pino(
    {
      base: { service: definition.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 2, sync: true }),
  );
  let running: RunningService<z.output<Schema>>;
  try {
    running = await startService(appModule, definition);
  } catch (error) {
    if (error instanceof ServiceConfigError) {
      fallbackLogger.fatal({ problems: error.problems }, error.message);
    } else {
      fallbackLogger.fatal({ err: error }, `${definition.name} failed to start`);
    }
    process.exit(1);
  }
  const { logger, config } = running;
  const timeoutMs = (config as BaseServiceConfig).SHUTDOWN_TIMEOUT_MS;
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn({ signal }, 'Second signal during shutdown; exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal, timeoutMs }, 'Shutting down');
    setTimeout(() => {
      logger.error({ timeoutMs }, 'Graceful shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs).unref();
    running.shutdown(signal).then(
      () => {
        logger.info({ signal }, 'Shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
