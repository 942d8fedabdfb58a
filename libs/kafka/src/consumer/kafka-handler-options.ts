import type { KafkaRecord } from '../kafka-record';

/**
 * Extras for `@EventPattern(topic, extras)` understood by {@link KafkaConsumerServer}.
 *
 * - record mode (default): the handler receives one {@link KafkaRecord}; if it throws, that record is
 *   dead-lettered and the partition moves on.
 * - batch mode (`{ batch: true }`): the handler receives `KafkaRecord[]` (one fetched batch of one
 *   partition). It may return {@link BatchHandlingResult} naming records to dead-letter (e.g. bulk
 *   items the sink rejected permanently). If it throws, nothing of the batch is committed and kafkajs
 *   redelivers it: throw only for transient failures (sink unreachable).
 */
export interface KafkaHandlerExtras {
  batch?: boolean;
}

/** What a batch handler may return: the records it gave up on, each with its cause. */
export interface BatchHandlingResult {
  deadLetters?: { record: KafkaRecord; error: unknown }[];
}
