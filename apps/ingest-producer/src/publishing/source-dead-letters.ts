import { type DeadLetterErrorClass, MAX_EVENT_RECORD_BYTES, TOPICS } from '@tickwire/contracts';
import { DeadLetterPublisher, type KafkaRecord, type OutgoingRecord } from '@tickwire/kafka';

/**
 * Headers a producer-side dead letter carries besides @tickwire/contracts' DLQ_HEADERS: where the input
 * came from, since it never had Kafka coordinates of its own.
 */
export const SOURCE_DLQ_HEADERS = {
  /** Input location, e.g. `lobster/AAPL_2012-06-21_34200000_57600000_message_1.csv.gz line 8` or `alpaca ws://...`. */
  origin: 'x-dlq-source-origin',
  /** Data source, e.g. `lobster`, `alphavantage-daily`, `alpaca`. */
  source: 'x-dlq-source',
  /** Set when the input was larger than MAX_EVENT_RECORD_BYTES: its size in bytes; the value then holds its first MAX_EVENT_RECORD_BYTES. */
  originalBytes: 'x-dlq-source-original-bytes',
} as const;

/**
 * Raw topic whose `.dlq` receives an input that cannot even be attributed to a topic (an unparseable
 * Alpaca frame, an unknown message type): the trades topic, the primary raw stream.
 */
export const UNATTRIBUTED_INPUT_TOPIC = TOPICS.trades;

/** An input that the producer refuses: what the source read, and why. */
export interface RefusedInput {
  /** Catalog topic the input was meant for; null when unknown (then {@link UNATTRIBUTED_INPUT_TOPIC}). */
  readonly topic: string | null;
  readonly errorClass: DeadLetterErrorClass;
  /** One human-readable line. */
  readonly reason: string;
  /** The input verbatim (CSV line, WebSocket message, or the refused event's JSON). */
  readonly raw: string;
  /** Symbol when known: the dead letter's key, so it sits next to the symbol's other dead letters. */
  readonly symbol?: string | undefined;
  readonly source: string;
  readonly origin: string;
  /** When it was read, epoch ms UTC (the dead letter's record timestamp). */
  readonly receivedAt: number;
  /** 0-based position of the input in the source stream. */
  readonly ordinal: number;
}

/**
 * Builds producer-side dead letters with libs/kafka's {@link DeadLetterPublisher}, so they carry the same
 * DLQ_HEADERS as a consumer's: `x-dlq-original-topic` = the intended topic (with TOPIC_PREFIX),
 * `x-dlq-error-class` / `x-dlq-error-message` = the source's or the contract's reason,
 * `x-dlq-service` = this service. The value is the raw input bytes, unchanged.
 *
 * The input never was a Kafka record, so the coordinates the contract requires are filled as follows:
 * `x-dlq-original-partition` = 0 and `x-dlq-original-offset` = the input's ordinal in the source stream
 * (the n-th record read, 0-based), with the input location in {@link SOURCE_DLQ_HEADERS}.
 */
export class SourceDeadLetters {
  private readonly publisher: DeadLetterPublisher;

  /** @param clock epoch ms for `x-dlq-failed-at`. */
  constructor(
    serviceName: string,
    private readonly topicPrefix = '',
    clock: () => number = Date.now,
  ) {
    // The publisher is used only to build records: the batching publisher sends them with the events.
    const unused = { sendBatch: () => Promise.reject(new Error('SourceDeadLetters builds records only')) };
    this.publisher = new DeadLetterPublisher(unused, serviceName, undefined, undefined, clock);
  }

  /** The topic (with prefix) whose `.dlq` receives `input`. */
  originalTopicOf(input: Pick<RefusedInput, 'topic'>): string {
    return `${this.topicPrefix}${input.topic ?? UNATTRIBUTED_INPUT_TOPIC}`;
  }

  /**
   * The dead letter of `input`, for `<topic>.dlq`.
   * @throws z.ZodError (contracts' buildDlqHeaders) only for a negative ordinal.
   */
  build(input: RefusedInput): OutgoingRecord {
    let value = Buffer.from(input.raw, 'utf8');
    const headers: Record<string, string> = {
      [SOURCE_DLQ_HEADERS.origin]: input.origin,
      [SOURCE_DLQ_HEADERS.source]: input.source,
    };
    if (value.byteLength > MAX_EVENT_RECORD_BYTES) {
      // An oversized input (a huge WebSocket frame) must still fit the broker's per-record limit
      // (message.max.bytes, ~1 MiB): keep its first MAX_EVENT_RECORD_BYTES and say how big it was.
      headers[SOURCE_DLQ_HEADERS.originalBytes] = String(value.byteLength);
      value = value.subarray(0, MAX_EVENT_RECORD_BYTES);
    }
    const original: KafkaRecord = {
      topic: this.originalTopicOf(input),
      partition: 0,
      offset: String(input.ordinal),
      key: input.symbol === undefined ? null : Buffer.from(input.symbol),
      value,
      headers,
      timestamp: input.receivedAt,
    };
    // describeError keeps a known errorClass and uses `message` verbatim.
    return this.publisher.build(original, { errorClass: input.errorClass, message: input.reason });
  }
}
