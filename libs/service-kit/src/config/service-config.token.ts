import { Inject } from '@nestjs/common';
import type { LogLevel } from './env-fields';

/** Injection token of the validated configuration (the output of the service's env schema). */
export const SERVICE_CONFIG = Symbol('tickwire:service-config');

/** The fields every service's configuration has (see `baseEnvShape`). */
export interface BaseServiceConfig {
  SERVICE_NAME: string;
  LOG_LEVEL: LogLevel;
  HTTP_PORT: number;
  SHUTDOWN_TIMEOUT_MS: number;
}

/** Parameter decorator injecting the validated configuration: `constructor(@InjectServiceConfig() config: EnricherConfig)`. */
export const InjectServiceConfig = (): ParameterDecorator => Inject(SERVICE_CONFIG);
