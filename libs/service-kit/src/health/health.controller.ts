import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { READINESS_CHECKS, type ReadinessCheck } from '../dependencies/dependency-tokens';

/**
 * Liveness vs readiness (the Kubernetes/ECS distinction):
 * - `GET /health/live`: the process is up and its event loop answers. Never checks dependencies, so
 *   a Kafka outage does not get every instance restarted at once.
 * - `GET /health/ready`: every dependency the service uses answers (Kafka metadata, OpenSearch
 *   cluster health, DynamoDB ListTables, S3 HeadBucket/ListBuckets). 503 with the failing ones otherwise.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(
      this.checks.map((check) => async () => {
        const session = this.indicators.check(check.name);
        try {
          return session.up(await check.probe());
        } catch (error) {
          return session.down({ message: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
  }
}
