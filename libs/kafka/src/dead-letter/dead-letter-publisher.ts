import {
  buildDlqHeaders,
  DEAD_LETTER_ERROR_CLASSES,
  type DeadLetterErrorClass,
  dlqTopic,
  isTopicName,
} from '@tickwire/contracts';
import type { KafkaRecord, OutgoingRecord } from '../kafka-record';
import type { KafkaMetricsSink } from '../kafka-metrics-sink';
import { NOOP_KAFKA_METRICS } from '../kafka-metrics-sink';

/** Where dead letters are sent: any producer that can `sendBatch` (normally a RecordProducer). */
export interface DeadLetterSink {
  sendBatch(records: readonly OutgoingRecord[]): Promise<void>;
}

/** What {@link describeError} extracts from a thrown value for the dead-letter headers and metrics. */
export interface ErrorDescription {
  /** One of @tickwire/contracts' DEAD_LETTER_ERROR_CLASSES. */
  errorClass: DeadLetterErrorClass;
  message: string;
}

const KNOWN_ERROR_CLASSES: ReadonlySet<string> = new Set(DEAD_LETTER_ERROR_CLASSES);

/**
 * Maps any thrown value onto the dead-letter vocabulary of @tickwire/contracts. An error carrying a
 * known `errorClass` (EventContractError: `SchemaViolation`, `MalformedJson`, ...; or a service's own
 * error such as `UnknownSymbol`) keeps it; anything else is `ProcessingFailed`, with the JavaScript
 * error class in front of the message (`TypeError: ...`) so the cause stays visible.
 */
export function describeError(error: unknown): ErrorDescription {
  const declared =
    typeof error === 'object' && error !== null ? (error as { errorClass?: unknown }).errorClass : undefined;
  const rawMessage =
    error instanceof Error
      ? error.message
      : typeof error === 'object' && error !== null && 'message' in error
        ? String((error as { message: unknown }).message)
        : String(error);
  if (typeof declared === 'string' && KNOWN_ERROR_CLASSES.has(declared)) {
    return { errorClass: declared as DeadLetterErrorClass, message: rawMessage };
  }
  const jsClass = error instanceof Error ? error.constructor.name || error.name : 'NonError';
  return { errorClass: 'ProcessingFailed', message: `${jsClass}: ${rawMessage}` };
}

/** The dead-letter topic of `topic`: `<topic>.dlq` (@tickwire/contracts' `dlqTopic` for catalog topics). */
export function deadLetterTopicOf(topic: string): string {
  return isTopicName(topic) ? dlqTopic(topic) : `${topic}.dlq`;
}

/**
 * Writes records that could not be handled to `<topic>.dlq`: key, value and original headers verbatim
 * (byte for byte), plus @tickwire/contracts' DLQ_HEADERS (original topic/partition/offset/timestamp,
 * error class and message, service, consumer group, failed-at epoch ms). Keeping the original bytes
 * lets a replay tool re-publish the record unchanged once the cause is fixed.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly sink: DeadLetterSink,
    private readonly serviceName: string,
    private readonly metrics: KafkaMetricsSink = NOOP_KAFKA_METRICS,
    private readonly consumerGroup?: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The dead letter that {@link publish} would send for `record` failing with `error`.
   * @throws z.ZodError (from contracts' buildDlqHeaders) only if the record's coordinates are malformed.
   */
  build(record: KafkaRecord, error: unknown): OutgoingRecord {
    const { errorClass, message } = describeError(error);
    const original: Record<string, string | Buffer> = {};
    for (const [name, value] of Object.entries(record.headers)) {
      // kafkajs produces one value per header name; a repeated header keeps its first value.
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) original[name] = first;
    }
    const deadLetterHeaders = buildDlqHeaders({
      originalTopic: record.topic,
      originalPartition: record.partition,
      originalOffset: record.offset,
      ...(Number.isFinite(record.timestamp) && record.timestamp >= 0
        ? { originalTimestamp: record.timestamp }
        : {}),
      errorClass,
      errorMessage: message,
      service: this.serviceName,
      ...(this.consumerGroup !== undefined ? { consumerGroup: this.consumerGroup } : {}),
      failedAt: this.clock(),
    });
    return {
      topic: deadLetterTopicOf(record.topic),
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
      headers: { ...original, ...(deadLetterHeaders as Record<string, string>) },
    };
  }

  /**
   * Sends the dead letters of `failures` in one batch and, once acknowledged, counts each in
   * `tickwire_dlq_records_total{topic, reason=<error class>}`.
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
