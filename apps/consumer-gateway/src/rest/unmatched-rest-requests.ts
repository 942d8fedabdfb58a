import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendProblem } from './problem-details.filter';
import { problemDetails } from './problem-details';

/** Methods every REST path answers: its documented GET and the HEAD that HTTP derives from it. */
const ALLOWED = 'GET, HEAD';

/** A path template of the OpenAPI document (`/v1/snapshots/{symbol}`) as a matcher of request paths. */
function pathMatcher(template: string): RegExp {
  const pattern = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${pattern}$`);
}

/**
 * Express middleware for `/v1/` requests that no route took: 405 `method-not-allowed` with `Allow`
 * (RFC 9110 section 15.5.6) for a documented path asked with another method (TRACE, POST, ...),
 * 204 with `Allow` for OPTIONS, and 404 `not-found` for an unknown path, each as
 * `application/problem+json` instead of Nest's plain 404. Mounted after the routes (their GETs have
 * answered before it runs) and before Nest's own not-found handler.
 * @param documentedPaths the OpenAPI document's path templates.
 */
export function unmatchedRestRequests(
  documentedPaths: readonly string[],
): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  const matchers = documentedPaths.filter((path) => path.startsWith('/v1/')).map(pathMatcher);
  return (request, response, next) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith('/v1/')) return next();
    const instance = request.url;
    if (
      matchers.some((matcher) => matcher.test(path)) &&
      request.method !== 'GET' &&
      request.method !== 'HEAD'
    ) {
      response.setHeader('Allow', ALLOWED);
      if (request.method === 'OPTIONS') {
        response.statusCode = 204;
        response.end();
        return;
      }
      sendProblem(
        response,
        problemDetails(
          'methodNotAllowed',
          `${request.method} is not supported on ${path}; use ${ALLOWED}`,
          instance,
        ),
      );
      return;
    }
    sendProblem(response, problemDetails('notFound', `no resource at ${path}`, instance));
  };
}
