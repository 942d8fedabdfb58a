/**
 * Headers a dead letter carries in addition to the original record's own headers. Values are UTF-8
 * text. Names follow the `x-dlq-error-class` header that @tickwire/contracts' DEAD_LETTER_ERROR_CLASSES
 * documents; the constants live here because contracts exports no header-name constants (yet).
 */
export const DEAD_LETTER_HEADERS = {
  /** Topic the record was consumed from. */
  originalTopic: 'x-dlq-original-topic',
  /** Partition it was consumed from, decimal. */
  originalPartition: 'x-dlq-original-partition',
  /** Its offset there, decimal int64. */
  originalOffset: 'x-dlq-original-offset',
  /**
   * Why handling failed: the error's own `errorClass` when it has one (contracts' closed vocabulary,
   * e.g. `SchemaViolation`), else the error's class name (e.g. `TypeError`).
   */
  errorClass: 'x-dlq-error-class',
  /** The error's message, truncated to {@link DEAD_LETTER_MAX_MESSAGE_LENGTH} characters. */
  errorMessage: 'x-dlq-error-message',
  /** The service (SERVICE_NAME) that gave up on the record. */
  service: 'x-dlq-service',
  /** When it gave up, ISO-8601 UTC. */
  failedAt: 'x-dlq-failed-at',
} as const;

export type DeadLetterHeaderName = (typeof DEAD_LETTER_HEADERS)[keyof typeof DEAD_LETTER_HEADERS];

/** Error messages are cut to this many characters; a zod error listing a huge payload must not bloat the DLQ. */
export const DEAD_LETTER_MAX_MESSAGE_LENGTH = 2_000;

/** The dead-letter topic of `topic`: `<topic>.dlq` (same convention as @tickwire/contracts' `dlqTopic`). */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}
