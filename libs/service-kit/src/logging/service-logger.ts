import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { LogLevel } from '../config/env-fields';

/** Request header carrying a caller's request id; echoed back, generated when absent. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Header values that must never reach the logs. */
const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'];

/**
 * The service's root pino logger: one JSON object per line with `level` as a label (`"info"`, not
 * 30), `time` as ISO-8601 UTC, and `service` on every line, so lines from all services can be mixed
 * and filtered in one log store.
 *
 * @param destination where to write; default stdout (synchronous, so nothing is lost on exit).
 */
export function createServiceLogger(
  serviceName: string,
  level: LogLevel,
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service: serviceName, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * pino-http options for nestjs-pino: logs each request once on completion with its request id
 * (`req.id`, also bound as `requestId` on every log line written while handling it). Probe and
 * scrape endpoints are not logged (scraped every few seconds; noise).
 */
export function httpLoggingOptions(logger: Logger): PinoHttpOptions {
  return {
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers[REQUEST_ID_HEADER];
      const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    customProps: (req: IncomingMessage) => ({ requestId: (req as IncomingMessage & { id?: unknown }).id }),
    autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)\b/.test(req.url ?? '') },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
