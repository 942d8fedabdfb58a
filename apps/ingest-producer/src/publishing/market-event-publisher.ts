import { EVENT_CATALOG, eventKey, EventContractError, safeParseEventValue, serializeEvent, type TickwireEvent } from '@tickwire/contracts';
import type { OutgoingRecord } from '@tickwire/kafka';

/** Where records go: the port the publishing code needs of a Kafka producer (RecordProducer implements it). */
export interface RecordSink {
  sendBatch(records: readonly OutgoingRecord[]): Promise<void>;
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
 * @param topicPrefix prepended to the catalog topic (TOPIC_PREFIX; empty in production).
 * @throws EventContractError when `event` breaks its contract (producers parse before sending).
 */
export function toOutgoingRecord(event: TickwireEvent, topicPrefix = ''): OutgoingRecord {
  const { topic } = EVENT_CATALOG[event.schema];
  const checked = safeParseEventValue(topic, event);
  if (!checked.success) {
    throw new EventContractError(checked.errorClass, checked.reason, checked.issues, event.schema);
  }
  return {
    topic: `${topicPrefix}${topic}`,
    key: eventKey(checked.event),
    value: serializeEvent(checked.event),
    headers: { [CONTENT_TYPE_HEADER]: 'application/json', [SCHEMA_HEADER]: event.schema },
  };
}
