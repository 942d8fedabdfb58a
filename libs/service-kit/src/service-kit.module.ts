import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { type BaseServiceConfig, SERVICE_CONFIG } from './config/service-config.token';
import { type DependencyDeclaration, dependencyProviders } from './dependencies/dependency-providers';
import {
  KAFKA_CLIENT,
  KAFKA_PRODUCER,
  DYNAMODB_CLIENT,
  DYNAMODB_DOCUMENT_CLIENT,
  OPENSEARCH_CLIENT,
  READINESS_CHECKS,
  ROOT_LOGGER,
  S3_CLIENT,
} from './dependencies/dependency-tokens';
import { HealthController } from './health/health.controller';
import { httpLoggingOptions } from './logging/service-logger';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';

export interface ServiceKitModuleOptions extends DependencyDeclaration {
  /** The validated configuration (output of the service's env schema). */
  config: BaseServiceConfig;
  /** The service's root pino logger (see createServiceLogger). */
  logger: Logger;
}

/**
 * What every Tickwire service shares, as one global module: the validated config (SERVICE_CONFIG),
 * JSON logging (nestjs-pino, request ids), `/metrics` with MetricsService, `/health/live` and
 * `/health/ready`, and the clients of the declared dependencies. Built by `createServiceApp`;
 * feature modules just inject what they need.
 */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitModuleOptions): DynamicModule {
    const exported = [SERVICE_CONFIG, ROOT_LOGGER, MetricsService, READINESS_CHECKS];
    const uses = new Set(options.dependencies);
    if (uses.has('kafka')) exported.push(KAFKA_CLIENT);
    if (uses.has('kafka') && options.kafkaProducer) exported.push(KAFKA_PRODUCER);
    if (uses.has('opensearch')) exported.push(OPENSEARCH_CLIENT);
    if (uses.has('dynamodb')) exported.push(DYNAMODB_CLIENT, DYNAMODB_DOCUMENT_CLIENT);
    if (uses.has('s3')) exported.push(S3_CLIENT);
    return {
      module: ServiceKitModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: httpLoggingOptions(options.logger) }),
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: options.config },
        { provide: ROOT_LOGGER, useValue: options.logger },
        MetricsService,
        ...dependencyProviders(options),
      ],
      exports: [...exported, LoggerModule],
    };
  }
}
