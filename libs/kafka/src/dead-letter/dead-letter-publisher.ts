import type { KafkaRecord, OutgoingRecord } from '../kafka-record';
import type { KafkaMetricsSink } from '../kafka-metrics-sink';
import { NOOP_KAFKA_METRICS } from '../kafka-metrics-sink';
import {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_MAX_MESSAGE_LENGTH,
  deadLetterTopicOf,
} from './dead-letter-headers';

/** Where dead letters are sent: any producer that can `sendBatch` (normally a RecordProducer). */
export interface DeadLetterSink {
  sendBatch(records: readonly OutgoingRecord[]): Promise<void>;
}

/** What {@link describeError} extracts from a thrown value for the dead-letter headers and metrics. */
export interface ErrorDescription {
  /** E.g. `SchemaViolation`, `TypeError`; `NonError` for thrown non-Error values. */
  errorClass: string;
  message: string;
}

/**
 * Error class and message of any thrown value. An error carrying a string `errorClass` (as
 * @tickwire/contracts' EventContractError does, e.g. `SchemaViolation`) reports that; other errors
 * report their class name; non-Error values report `NonError`.
 */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof Error) {
    const declared = (error as { errorClass?: unknown }).errorClass;
    if (typeof declared === 'string' && declared.length > 0) {
      return { errorClass: declared, message: error.message };
    }
    return { errorClass: error.constructor.name || error.name, message: error.message };
  }
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return { errorClass: 'NonError', message: String((error as { message: unknown }).message) };
  }
  return { errorClass: 'NonError', message: String(error) };
}

/**
 * Writes records that could not be handled to `<topic>.dlq`: key, value and original headers verbatim
 * (byte for byte), plus the {@link DEAD_LETTER_HEADERS} that say where the record came from and why
 * it failed. Keeping the original bytes lets a replay tool re-publish the record unchanged once the
 * cause is fixed.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly sink: DeadLetterSink,
    private readonly serviceName: string,
    private readonly metrics: KafkaMetricsSink = NOOP_KAFKA_METRICS,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The dead letter that {@link publish} would send for `record` failing with `error`. */
  build(record: KafkaRecord, error: unknown): OutgoingRecord {
    const { errorClass, message } = describeError(error);
    const original: Record<string, string | Buffer> = {};
    for (const [name, value] of Object.entries(record.headers)) {
      if (value === undefined) continue;
      // kafkajs sends one value per header name; a repeated header keeps its first value.
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) original[name] = first;
    }
    return {
      topic: deadLetterTopicOf(record.topic),
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
      headers: {
        ...original,
        [DEAD_LETTER_HEADERS.originalTopic]: record.topic,
        [DEAD_LETTER_HEADERS.originalPartition]: String(record.partition),
        [DEAD_LETTER_HEADERS.originalOffset]: record.offset,
        [DEAD_LETTER_HEADERS.errorClass]: errorClass,
        [DEAD_LETTER_HEADERS.errorMessage]: message.slice(0, DEAD_LETTER_MAX_MESSAGE_LENGTH),
        [DEAD_LETTER_HEADERS.service]: this.serviceName,
        [DEAD_LETTER_HEADERS.failedAt]: this.clock().toISOString(),
      },
    };
  }

  /**
   * Sends the dead letters of `failures` in one batch and counts them in
   * `tickwire_dlq_records_total{topic, reason=<error class>}` once acknowledged.
   *
   * @throws whatever the sink throws; the caller must then NOT commit the failed records' offsets.
   */
  async publish(failures: readonly { record: KafkaRecord; error: unknown }[]): Promise<void> {
    if (failures.length === 0) return;
    await this.sink.sendBatch(failures.map(({ record, error }) => this.build(record, error)));
    for (const { record, error } of failures) {
      this.metrics.recordDeadLettered(record.topic, describeError(error).errorClass);
    }
  }
}
