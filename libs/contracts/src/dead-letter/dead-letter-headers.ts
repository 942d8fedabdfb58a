import { z } from 'zod';
import { DEAD_LETTER_ERROR_CLASSES, type DeadLetterErrorClass } from './error-classes';

/**
 * Dead letters: a record that cannot be handled is produced to `<topic>.dlq` (see `dlqTopic`) with
 * the ORIGINAL key and value bytes verbatim (never re-serialized, so a malformed value can be
 * inspected and replayed as it was) and the reason in these Kafka headers (UTF-8 strings).
 */
export const DLQ_HEADERS = {
  /** Topic the record was consumed from, e.g. `market.trades.v1`. */
  originalTopic: 'x-dlq-original-topic',
  /** Partition it was consumed from, decimal integer. */
  originalPartition: 'x-dlq-original-partition',
  /** Offset it had there, decimal integer string (Kafka offsets exceed 2^53 in theory). */
  originalOffset: 'x-dlq-original-offset',
  /** Broker/producer timestamp of the original record, epoch ms decimal (optional). */
  originalTimestamp: 'x-dlq-original-timestamp',
  /** One of DEAD_LETTER_ERROR_CLASSES, e.g. `SchemaViolation`. */
  errorClass: 'x-dlq-error-class',
  /** Human-readable reason, at most DLQ_ERROR_MESSAGE_MAX_LENGTH characters. */
  errorMessage: 'x-dlq-error-message',
  /** Service that dead-lettered it, e.g. `enricher`. */
  service: 'x-dlq-service',
  /** Consumer group of that service (optional). */
  consumerGroup: 'x-dlq-consumer-group',
  /** When it was dead-lettered, epoch ms UTC decimal. */
  failedAt: 'x-dlq-failed-at',
  /** Delivery attempts made before giving up, decimal integer >= 1 (optional). */
  attempts: 'x-dlq-attempts',
} as const;
export type DlqHeaderName = (typeof DLQ_HEADERS)[keyof typeof DLQ_HEADERS];

/** Cap of `x-dlq-error-message`: headers travel with every record, keep them small. */
export const DLQ_ERROR_MESSAGE_MAX_LENGTH = 1000;

const decimalInteger = (what: string) => z.string().regex(/^(0|[1-9][0-9]*)$/, { error: `${what} must be a non-negative decimal integer` });

/** The header set of a dead letter, as strings (what a Kafka header carries). Unknown headers are kept. */
export const dlqHeadersSchema = z
  .looseObject({
    [DLQ_HEADERS.originalTopic]: z.string().min(1),
    [DLQ_HEADERS.originalPartition]: decimalInteger(DLQ_HEADERS.originalPartition),
    [DLQ_HEADERS.originalOffset]: decimalInteger(DLQ_HEADERS.originalOffset),
    [DLQ_HEADERS.originalTimestamp]: decimalInteger(DLQ_HEADERS.originalTimestamp).optional(),
    [DLQ_HEADERS.errorClass]: z.enum(DEAD_LETTER_ERROR_CLASSES),
    [DLQ_HEADERS.errorMessage]: z.string().max(DLQ_ERROR_MESSAGE_MAX_LENGTH),
    [DLQ_HEADERS.service]: z.string().min(1),
    [DLQ_HEADERS.consumerGroup]: z.string().min(1).optional(),
    [DLQ_HEADERS.failedAt]: decimalInteger(DLQ_HEADERS.failedAt),
    [DLQ_HEADERS.attempts]: decimalInteger(DLQ_HEADERS.attempts).optional(),
  })
  .meta({ title: 'DeadLetterHeaders', description: 'Kafka headers of a record in <topic>.dlq' });
export type DlqHeaders = z.infer<typeof dlqHeadersSchema>;

/** Inputs of {@link buildDlqHeaders}. */
export interface DeadLetterInfo {
  originalTopic: string;
  /** Partition, integer >= 0. */
  originalPartition: number;
  /** Offset as Kafka clients report it (kafkajs: decimal string). */
  originalOffset: string | number | bigint;
  /** Original record timestamp, epoch ms (kafkajs reports a decimal string). */
  originalTimestamp?: string | number;
  errorClass: DeadLetterErrorClass;
  /** Reason; longer messages are truncated to DLQ_ERROR_MESSAGE_MAX_LENGTH with a trailing `…`. */
  errorMessage: string;
  service: string;
  consumerGroup?: string;
  /** When it failed, epoch ms UTC (pass the clock's value; this function does not read the clock). */
  failedAt: number;
  attempts?: number;
}

/**
 * Builds and validates the dead-letter header set.
 * @returns header name -> string value, ready for a Kafka producer.
 * @throws z.ZodError if a field is out of range (negative partition, unknown error class, ...).
 */
export function buildDlqHeaders(info: DeadLetterInfo): DlqHeaders {
  const message =
    info.errorMessage.length <= DLQ_ERROR_MESSAGE_MAX_LENGTH
      ? info.errorMessage
      : `${info.errorMessage.slice(0, DLQ_ERROR_MESSAGE_MAX_LENGTH - 1)}…`;
  const headers: Record<string, string> = {
    [DLQ_HEADERS.originalTopic]: info.originalTopic,
    [DLQ_HEADERS.originalPartition]: String(info.originalPartition),
    [DLQ_HEADERS.originalOffset]: String(info.originalOffset),
    [DLQ_HEADERS.errorClass]: info.errorClass,
    [DLQ_HEADERS.errorMessage]: message,
    [DLQ_HEADERS.service]: info.service,
    [DLQ_HEADERS.failedAt]: String(info.failedAt),
  };
  if (info.originalTimestamp !== undefined) headers[DLQ_HEADERS.originalTimestamp] = String(info.originalTimestamp);
  if (info.consumerGroup !== undefined) headers[DLQ_HEADERS.consumerGroup] = info.consumerGroup;
  if (info.attempts !== undefined) headers[DLQ_HEADERS.attempts] = String(info.attempts);
  return dlqHeadersSchema.parse(headers);
}

/**
 * Reads dead-letter headers from a Kafka record's headers (values as Buffer, string or arrays of
 * them, as kafkajs delivers them; the first value of a repeated header wins).
 * @returns the parse result; failure means the record was not written by {@link buildDlqHeaders}.
 */
export function parseDlqHeaders(
  headers: Readonly<Record<string, string | Uint8Array | readonly (string | Uint8Array)[] | undefined>>,
): z.ZodSafeParseResult<DlqHeaders> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const first = Array.isArray(raw) ? raw[0] : raw;
    if (first === undefined) continue;
    decoded[name] = typeof first === 'string' ? first : new TextDecoder().decode(first as Uint8Array);
  }
  return dlqHeadersSchema.safeParse(decoded);
}

/**
 * Late events: a record behind the watermark by more than the allowed lateness is produced to
 * `<topic>.late` (see `lateTopic`) with its original key and value verbatim and these headers.
 */
export const LATE_HEADERS = {
  originalTopic: 'x-late-original-topic',
  originalPartition: 'x-late-original-partition',
  originalOffset: 'x-late-original-offset',
  /** Watermark at the time, epoch ms UTC decimal. */
  watermark: 'x-late-watermark',
  /** Allowed lateness configured, ms decimal. */
  allowedLatenessMs: 'x-late-allowed-lateness-ms',
  service: 'x-late-service',
} as const;

/** The header set of a late event (strings). */
export const lateHeadersSchema = z
  .looseObject({
    [LATE_HEADERS.originalTopic]: z.string().min(1),
    [LATE_HEADERS.originalPartition]: decimalInteger(LATE_HEADERS.originalPartition),
    [LATE_HEADERS.originalOffset]: decimalInteger(LATE_HEADERS.originalOffset),
    [LATE_HEADERS.watermark]: decimalInteger(LATE_HEADERS.watermark),
    [LATE_HEADERS.allowedLatenessMs]: decimalInteger(LATE_HEADERS.allowedLatenessMs),
    [LATE_HEADERS.service]: z.string().min(1),
  })
  .meta({ title: 'LateEventHeaders', description: 'Kafka headers of a record in <topic>.late' });
export type LateHeaders = z.infer<typeof lateHeadersSchema>;

/** Inputs of {@link buildLateHeaders}; times epoch ms UTC. */
export interface LateEventInfo {
  originalTopic: string;
  originalPartition: number;
  originalOffset: string | number | bigint;
  watermark: number;
  allowedLatenessMs: number;
  service: string;
}

/**
 * Builds and validates the late-event header set.
 * @throws z.ZodError if a field is out of range.
 */
export function buildLateHeaders(info: LateEventInfo): LateHeaders {
  return lateHeadersSchema.parse({
    [LATE_HEADERS.originalTopic]: info.originalTopic,
    [LATE_HEADERS.originalPartition]: String(info.originalPartition),
    [LATE_HEADERS.originalOffset]: String(info.originalOffset),
    [LATE_HEADERS.watermark]: String(info.watermark),
    [LATE_HEADERS.allowedLatenessMs]: String(info.allowedLatenessMs),
    [LATE_HEADERS.service]: info.service,
  });
}
