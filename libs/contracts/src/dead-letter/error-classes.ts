/**
 * Error classes written to the `x-dlq-error-class` header of a dead letter: the reason a record left
 * the main flow, as a closed vocabulary that dashboards and replay tooling can group by.
 */
export const DEAD_LETTER_ERROR_CLASSES = [
  /** The value is not UTF-8 JSON (truncated, binary, NaN literal, ...). */
  'MalformedJson',
  /** The value is null or empty (a tombstone on a topic that never carries tombstones). */
  'EmptyValue',
  /** The JSON does not satisfy the topic's zod schema (missing field, crossed quote, NaN price, wrong `schema`, ...). */
  'SchemaViolation',
  /** The topic is not in the Tickwire catalog (a consumer subscribed by pattern, or a misrouted record). */
  'UnknownTopic',
  /** The symbol is well-formed but has no reference data (no previous close, not in the universe). */
  'UnknownSymbol',
  /** The event is behind the watermark by more than the allowed lateness and cannot be aggregated. */
  'LateEvent',
  /** The handler kept failing after its retry budget (transient errors exhausted). */
  'ProcessingFailed',
  /** The value is larger than MAX_EVENT_RECORD_BYTES (record-limits.ts); it is not decoded at all. */
  'OversizedRecord',
  /** The event claims to have happened after Tickwire received it by more than MAX_EVENT_TIME_AHEAD_OF_INGEST_MS (record-limits.ts): a wrong clock or unit at the source. */
  'ClockSkew',
  /** Same event id as a record of the same symbol handled moments before (a re-sent record; see the enricher's recent-id window). */
  'DuplicateEvent',
] as const;

/** One of {@link DEAD_LETTER_ERROR_CLASSES}. */
export type DeadLetterErrorClass = (typeof DEAD_LETTER_ERROR_CLASSES)[number];

/** Error classes that the contract parser itself can produce ({@link safeParseEvent}). */
export type ContractErrorClass = Extract<
  DeadLetterErrorClass,
  'MalformedJson' | 'EmptyValue' | 'SchemaViolation' | 'UnknownTopic' | 'OversizedRecord' | 'ClockSkew'
>;
