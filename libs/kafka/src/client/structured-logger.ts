/**
 * The logging port of libs/kafka: the subset of pino's `Logger` this library writes to, so callers pass
 * their pino (or nestjs-pino `PinoLogger.logger`) instance and Kafka's own logs land in the same JSON
 * stream with the same service fields. Each method takes a merge object first and the message second,
 * pino's calling convention.
 */
export interface StructuredLogger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
  /** Pino's current level name (`'info'`, `'debug'`, ...); used to choose kafkajs' own verbosity. */
  readonly level?: string;
}

/** A logger that drops everything; for callers (tests, CLI probes) that do not want Kafka's logs. */
export const SILENT_LOGGER: StructuredLogger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  level: 'silent',
};
