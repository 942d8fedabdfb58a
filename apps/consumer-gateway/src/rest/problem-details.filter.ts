import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { ROOT_LOGGER } from '@tickwire/service-kit';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  PROBLEM_JSON,
  type ProblemDetails,
  problemDetails,
  ProblemException,
  problemTypeOfStatus,
} from './problem-details';

/**
 * Writes a problem details response (RFC 9457): status, `Content-Type: application/problem+json`
 * and the body. Headers set before (e.g. `Retry-After`, `Allow`) stay.
 */
export function sendProblem(response: ServerResponse, problem: ProblemDetails): void {
  response.statusCode = problem.status;
  response.setHeader('Content-Type', `${PROBLEM_JSON}; charset=utf-8`);
  response.setHeader('Cache-Control', 'no-store');
  response.end(JSON.stringify(problem));
}

/**
 * Exception filter of the REST controllers: every error leaves as `application/problem+json` with the
 * stable `type` of its problem ({@link ProblemException}; Nest's own HTTP exceptions by status).
 * Anything else is a 500 `internal-error` whose detail says nothing of the cause (it is logged).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage & { originalUrl?: string }>();
    const response = http.getResponse<ServerResponse>();
    const instance = request.originalUrl ?? request.url;
    if (exception instanceof ProblemException) {
      sendProblem(
        response,
        problemDetails(exception.problemType, exception.message, instance, exception.errors),
      );
      return;
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      sendProblem(
        response,
        problemDetails(problemTypeOfStatus(exception.getStatus()), exception.message, instance),
      );
      return;
    }
    this.logger.error({ err: exception, path: instance }, 'REST request failed');
    sendProblem(
      response,
      problemDetails('internalError', 'the request could not be answered; retry later', instance),
    );
  }
}
