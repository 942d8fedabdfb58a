import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Histogram } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS, type MetricsService } from './metrics.service';

/** Catch-all route patterns Nest registers for its 404 handler. */
const NOT_FOUND_ROUTES: ReadonlySet<string> = new Set(['/{*path}', '*', '/*']);

type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/**
 * Express middleware observing `tickwire_http_request_duration_seconds{method,route,status_code}`
 * when each response finishes. `route` is the matched route pattern (e.g. `/v1/streams/:id`), never
 * the raw URL, so the label set stays bounded; unmatched requests (404s, scanners) share `unmatched`.
 * `/metrics` itself is not observed (scraped every few seconds).
 */
export function httpMetricsMiddleware(metrics: MetricsService) {
  const duration: Histogram<'method' | 'route' | 'status_code'> = metrics.histogram(
    'tickwire_http_request_duration_seconds',
    'HTTP request duration by method, matched route and status code.',
    ['method', 'route', 'status_code'],
    LATENCY_BUCKETS_SECONDS,
  );
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (req.url === '/metrics') {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const routed = req as RoutedRequest;
      const path =
        typeof routed.route?.path === 'string' ? `${routed.baseUrl ?? ''}${routed.route.path}` : undefined;
      // Nest answers unknown URLs through a catch-all route (`/{*path}` on Express 5).
      const pattern = path === undefined || NOT_FOUND_ROUTES.has(path) ? 'unmatched' : path;
      duration.observe(
        { method: req.method ?? 'UNKNOWN', route: pattern, status_code: String(res.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  };
}
