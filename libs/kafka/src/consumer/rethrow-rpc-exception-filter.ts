import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC exception filter replaces unknown errors with `{ status: 'error', message:
 * 'Internal server error' }`, which would leave dead letters without the error class and message.
 * This filter hands the original error back to {@link KafkaConsumerServer} unchanged. Register it on
 * the Kafka microservice (`microservice.useGlobalFilters(new RethrowRpcExceptionFilter())`); service-kit's
 * bootstrap does so.
 */
@Catch()
export class RethrowRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
