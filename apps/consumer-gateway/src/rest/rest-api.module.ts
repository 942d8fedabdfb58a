import { Module } from '@nestjs/common';
import { AuthFailureThrottle } from '../auth/auth-failure-throttle';
import { FanOutModule } from '../fan-out/fan-out.module';
import { ApiKeyGuard } from './api-key.guard';
import { HistoryService } from './history.service';
import { OpenApiDocs } from './openapi-docs';
import { RestApiController } from './rest-api.controller';

/** REST: snapshots (the gateway's cache, else DynamoDB) and history (OpenSearch), API-key authenticated; OpenAPI at /docs. */
@Module({
  imports: [FanOutModule],
  controllers: [RestApiController],
  providers: [ApiKeyGuard, AuthFailureThrottle, HistoryService, OpenApiDocs],
})
export class RestApiModule {}
