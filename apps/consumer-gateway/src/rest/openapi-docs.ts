import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { StreamsController } from '../streams/streams.controller';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { AuthFailureThrottle } from '../auth/auth-failure-throttle';
import { ClientAddresses } from '../auth/client-addresses';
import { SymbolSnapshots } from '../snapshots/symbol-snapshots';
import { ROOT_LOGGER } from '@tickwire/service-kit';
import { HistoryService } from './history.service';
import { RestApiController } from './rest-api.controller';
import { API_KEY_HEADER } from './api-key.guard';
import { restApiJsonSchemas } from './rest-api-schemas';
import { unmatchedRestRequests } from './unmatched-rest-requests';

/** OpenAPI version of the served document (JSON Schema 2020-12 schemas, `type: [..., "null"]`). */
export const OPENAPI_VERSION = '3.1.0';

/** The REST controllers only, for the OpenAPI scan. */
class RestApiDocsModule {}

/**
 * Serves the OpenAPI 3.1 document of the REST API at `/docs` (Swagger UI) and `/docs-json`, with the
 * response and problem schemas of rest-api-schemas.ts as `components.schemas`, and mounts
 * {@link unmatchedRestRequests} (405 / 404 problems for `/v1/` requests no route took).
 *
 * service-kit's bootstrap owns the Nest application, so the document is scanned from a second,
 * connection-less application of the REST controllers (their decorators are all the scan reads), and
 * Swagger UI is mounted on this
 * application's HTTP adapter during module init, before Nest registers its 404 handler.
 */
@Injectable()
export class OpenApiDocs implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const docsApp = await NestFactory.create(
      {
        module: RestApiDocsModule,
        controllers: [RestApiController, StreamsController],
        // The scan reads decorators only; the controllers and guard get inert dependencies.
        providers: [
          ApiKeyAuthenticator,
          AuthFailureThrottle,
          ClientAddresses,
          SymbolSnapshots,
          HistoryService,
          ROOT_LOGGER,
        ].map((token) => ({ provide: token, useValue: {} })),
      },
      { logger: false, abortOnError: false },
    );
    const document = SwaggerModule.createDocument(
      docsApp,
      new DocumentBuilder()
        .setTitle('Tickwire consumer gateway')
        .setDescription(
          'Snapshots and history of the Tickwire market-data feed. Live data: WebSocket `/v1/stream` (JSON protocol) and GraphQL subscriptions at `/v1/graphql` (graphql-ws); see the README.',
        )
        .setVersion('1')
        .setOpenAPIVersion(OPENAPI_VERSION)
        .addApiKey(
          {
            type: 'apiKey',
            in: 'header',
            name: API_KEY_HEADER,
            description: 'Customer API key (tw_...); `Authorization: Bearer <key>` works too',
          },
          'api-key',
        )
        .build(),
    );
    await docsApp.close();
    document.components = {
      ...document.components,
      schemas: { ...document.components?.schemas, ...(restApiJsonSchemas() as Record<string, object>) },
    };
    (this.adapterHost.httpAdapter as unknown as { use(handler: unknown): void }).use(
      unmatchedRestRequests(Object.keys(document.paths)),
    );
    const adapter = this.adapterHost.httpAdapter as unknown as {
      useStaticAssets(path: string, options: object): void;
    };
    // The subset of INestApplication that SwaggerModule.setup uses (no global prefix here).
    const host = {
      getHttpAdapter: () => this.adapterHost.httpAdapter,
      useStaticAssets: (path: string, options: object) => adapter.useStaticAssets(path, options),
    };
    SwaggerModule.setup('docs', host as never, document);
  }
}
