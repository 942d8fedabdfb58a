import { z } from 'zod';

/**
 * Reusable zod fields for environment variables. Every field reads a string (or undefined) from
 * `process.env` and yields a typed value; its error messages say what a valid value looks like,
 * never echo the value (it may be a secret).
 */

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;

/** Comma-separated `host:port` list, e.g. `127.0.0.1:9092,kafka-2:9092`, parsed to an array. */
export const brokerListField = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .refine((brokers) => brokers.length > 0, { message: 'must list at least one broker as host:port' })
  .refine((brokers) => brokers.every((broker) => HOST_PORT.test(broker)), {
    message: 'must be a comma-separated list of host:port (e.g. 127.0.0.1:9092)',
  });

/** An absolute http(s) URL. */
export const httpUrlField = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/**
 * An endpoint override for an AWS service emulator: an http(s) URL (default `localDefault`, the local
 * stack), or the empty string meaning "no override, use the region's AWS endpoint", so a deployment
 * clears the local default by setting the variable empty.
 */
export function endpointOverrideField(localDefault: string) {
  return z
    .string()
    .default(localDefault)
    .pipe(z.union([z.literal(''), httpUrlField]))
    .transform((raw) => raw || undefined);
}

/** A TCP port, 1..65535. */
export const portField = z.coerce
  .number({ error: 'must be a port number' })
  .int({ error: 'must be an integer port' })
  .min(1, { error: 'must be a port between 1 and 65535' })
  .max(65_535, { error: 'must be a port between 1 and 65535' });

/** `true`/`false`/`1`/`0` (case-insensitive) to a boolean; anything else is an error. */
export const booleanField = z
  .string()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' }))
  .transform((raw) => raw === 'true' || raw === '1');

/** Pino log levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const logLevelField = z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` });

/** A positive integer number of milliseconds. */
export const millisecondsField = z.coerce
  .number({ error: 'must be a number of milliseconds' })
  .int({ error: 'must be an integer number of milliseconds' })
  .positive({ error: 'must be a positive number of milliseconds' });

/** A name usable as Kafka client id, consumer group, metrics label: lowercase letters, digits, dashes. */
export const serviceNameField = z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, {
  error: 'must be lowercase letters, digits and dashes, starting with a letter',
});
