import { type EventOfTopic, parseEvent, type TickwireEvent, type TopicName } from '@tickwire/contracts';
import type { KafkaRecord } from '../kafka-record';

/** A record and the event it carries, validated against its topic's contract. */
export interface ParsedRecord<Event = TickwireEvent> {
  record: KafkaRecord;
  event: Event;
}

/** A batch split into valid events and records to dead-letter (with the contract error as cause). */
export interface ParsedBatch<Event = TickwireEvent> {
  parsed: ParsedRecord<Event>[];
  deadLetters: { record: KafkaRecord; error: unknown }[];
}

/**
 * The event in `record`, validated against the contract of `topic` (@tickwire/contracts' parseEvent).
 * Throw it out of a record handler and KafkaConsumerServer dead-letters the record with the
 * contract's error class (`MalformedJson`, `EmptyValue`, `SchemaViolation`, `UnknownTopic`).
 *
 * @throws EventContractError when the value breaks the contract.
 */
export function parseRecord<T extends TopicName>(topic: T, record: KafkaRecord): EventOfTopic<T> {
  return parseEvent(topic, record.value);
}

/**
 * Validates every record of a batch against its topic's contract: valid ones become events (offset
 * order kept), invalid ones become dead letters, ready to return from a batch handler as
 * `{ deadLetters }`.
 */
export function parseBatch(records: readonly KafkaRecord[]): ParsedBatch {
  const batch: ParsedBatch = { parsed: [], deadLetters: [] };
  for (const record of records) {
    try {
      batch.parsed.push({ record, event: parseEvent(record.topic, record.value) });
    } catch (error) {
      batch.deadLetters.push({ record, error });
    }
  }
  return batch;
}
