import { EVENT_CATALOG, eventKey, EventContractError, safeParseEventValue, serializeEvent, type TickwireEvent } from '@tickwire/contracts';
import type { OutgoingRecord } from '@tickwire/kafka';

/** Injection token of the {@link RecordSink} (the service's idempotent Kafka producer). */
export const RECORD_SINK = Symbol('ingest-producer:record-sink');

/** Where records go: the port MarketEventPublisher needs of a Kafka producer. */
export interface RecordSink {
  sendBatch(records: readonly OutgoingRecord[]): Promise<void>;
}

/** Counts what was published; implemented by service-kit's MetricsService. */
export interface PublishedRecordsCounter {
  recordsProduced(topic: string, count: number): void;
}

/** Header telling consumers the value's encoding before they parse it. */
export const CONTENT_TYPE_HEADER = 'content-type';
/** Header carrying the event's schema name, e.g. `market.trade.v1`, so routing needs no JSON parse. */
export const SCHEMA_HEADER = 'schema';

/**
 * The Kafka record of `event`: topic from the contracts catalog, key = symbol (one symbol's events stay
 * ordered in one partition), value = compact UTF-8 JSON of the envelope. The record timestamp is
 * left to the producer clock: replayed historical event times would make the broker's time-based
 * retention delete the records at once.
 *
 * @throws EventContractError when `event` breaks its contract (producers parse before sending).
 */
export function toOutgoingRecord(event: TickwireEvent): OutgoingRecord {
  const { topic } = EVENT_CATALOG[event.schema];
  const checked = safeParseEventValue(topic, event);
  if (!checked.success) {
    throw new EventContractError(checked.errorClass, checked.reason, checked.issues, event.schema);
  }
  return {
    topic,
    key: eventKey(checked.event),
    value: serializeEvent(checked.event),
    headers: { [CONTENT_TYPE_HEADER]: 'application/json', [SCHEMA_HEADER]: event.schema },
  };
}

/**
 * Publishes validated raw market events (trades, quotes, daily bars) to their topics in one batch
 * with `acks: all`. Either the whole batch is validated and sent, or nothing is sent.
 */
export class MarketEventPublisher {
  constructor(
    private readonly sink: RecordSink,
    private readonly counter: PublishedRecordsCounter,
  ) {}

  /**
   * Validates every event, then sends them all; resolves when Kafka acknowledged every record.
   *
   * @throws EventContractError for the first invalid event (nothing is sent); the producer's error
   *   when Kafka does not acknowledge.
   */
  async publish(events: readonly TickwireEvent[]): Promise<void> {
    const records = events.map(toOutgoingRecord);
    await this.sink.sendBatch(records);
    const perTopic = new Map<string, number>();
    for (const { topic } of records) perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
    for (const [topic, count] of perTopic) this.counter.recordsProduced(topic, count);
  }
}
