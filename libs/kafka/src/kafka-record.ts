import type { IHeaders, KafkaMessage } from 'kafkajs';

/** Kafka record header values as they travel: bytes, text, or repeated values of either. */
export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type KafkaRecordHeaders = Record<string, KafkaHeaderValue>;

/**
 * One consumed Kafka record, exactly as read from the broker (nothing decoded but the coordinates),
 * so a handler can parse it with @tickwire/contracts and a dead letter can carry the original bytes.
 */
export interface KafkaRecord {
  topic: string;
  partition: number;
  /** Offset as a decimal string (Kafka offsets are int64; JavaScript numbers are not). */
  offset: string;
  /** Key bytes (by Tickwire convention the UTF-8 symbol), or null. */
  key: Buffer | null;
  /** Value bytes, or null for a tombstone. */
  value: Buffer | null;
  headers: KafkaRecordHeaders;
  /** Record timestamp, epoch ms UTC (producer CreateTime unless the topic uses LogAppendTime). */
  timestamp: number;
}

/** A record to produce. `key` should be the symbol so one symbol's events stay in one partition, in order. */
export interface OutgoingRecord {
  topic: string;
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer>;
  /** Optional partition override; normally left to the key hash. */
  partition?: number;
  /** Record timestamp, epoch ms UTC; defaults to the producer's clock. */
  timestamp?: number;
}

/** Builds a {@link KafkaRecord} from a kafkajs message and its coordinates. */
export function toKafkaRecord(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: { ...(message.headers as IHeaders | undefined) },
    timestamp: Number(message.timestamp),
  };
}

/**
 * The first value of header `name` decoded as UTF-8, or undefined when absent. Header names are
 * case-sensitive in Kafka.
 */
export function headerText(headers: KafkaRecordHeaders, name: string): string | undefined {
  const raw = headers[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** The record key decoded as UTF-8 (the symbol, by convention), or null. */
export function recordKeyText(record: Pick<KafkaRecord, 'key'>): string | null {
  return record.key === null ? null : record.key.toString('utf8');
}

/** The offset to commit once `offset` is handled: `offset + 1`, as Kafka's committed offset names the next record to read. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
