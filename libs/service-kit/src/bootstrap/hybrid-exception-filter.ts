import { type ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { type Observable, throwError } from 'rxjs';

/**
 * The global exception filter of a hybrid (HTTP + Kafka) service. HTTP errors get Nest's standard
 * responses (BaseExceptionFilter). Errors of Kafka handlers (`rpc` context) are handed back to the
 * transport unchanged, because Nest's default RPC filter would replace them with `Internal server
 * error` and the dead letter would lose the error class and message (same role as libs/kafka's
 * RethrowRpcExceptionFilter, which serves pure microservices).
 *
 * It is registered on the HTTP app before the Kafka microservice connects (with
 * `inheritAppConfig: true`), since a hybrid microservice is already initialized when it is returned
 * and no longer accepts global filters of its own.
 */
@Catch()
export class HybridExceptionFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() === 'rpc') return throwError(() => exception);
    return super.catch(exception, host);
  }
}
