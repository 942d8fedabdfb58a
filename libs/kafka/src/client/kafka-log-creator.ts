import { logLevel as KafkaLogLevel, type logCreator } from 'kafkajs';
import type { StructuredLogger } from './structured-logger';

/**
 * The kafkajs log level matching a pino level name. kafkajs has no `trace` or `fatal`, so those map
 * to DEBUG and ERROR; `silent` maps to NOTHING. Unknown names fall back to INFO.
 */
export function kafkaLogLevelFor(pinoLevel: string | undefined): KafkaLogLevel {
  switch (pinoLevel) {
    case 'trace':
    case 'debug':
      return KafkaLogLevel.DEBUG;
    case 'warn':
      return KafkaLogLevel.WARN;
    case 'error':
    case 'fatal':
      return KafkaLogLevel.ERROR;
    case 'silent':
      return KafkaLogLevel.NOTHING;
    default:
      return KafkaLogLevel.INFO;
  }
}

/**
 * A kafkajs `logCreator` that forwards every kafkajs log entry to `logger` as one structured line:
 * `{ kafka: { namespace, ...entryFields } }` with kafkajs' message as the log message. kafkajs'
 * own timestamp is dropped (pino stamps the line); its `label` is implied by the level.
 */
export function kafkaLogCreator(logger: StructuredLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      // kafkajs puts `timestamp`, `logger` and `message` in every entry; keep only the informative rest.
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { message, timestamp, logger: _source, ...fields } = log;
      const entry = { kafka: { namespace, ...fields } };
      const text = typeof message === 'string' ? message : String(message);
      switch (level) {
        case KafkaLogLevel.ERROR:
          logger.error(entry, text);
          break;
        case KafkaLogLevel.WARN:
          logger.warn(entry, text);
          break;
        case KafkaLogLevel.INFO:
          logger.info(entry, text);
          break;
        default:
          logger.debug(entry, text);
      }
    };
}
