import { randomBytes } from 'node:crypto';
import type { BenchAdmin, BenchKafka, TopicEnds } from './kafka-backlog';
import { watchCatchUp } from './kafka-backlog';
import type { CatchUpRate } from '../stats/catch-up-rate';

/**
 * How the raw passthrough commits: `eos` like the enricher (one Kafka transaction per fetched batch
 * holding its output records and its input offsets, read_committed), `alo` like an at-least-once
 * service (idempotent produce with acks=all, then commit the batch's offsets).
 */
export type DeliveryMode = 'eos' | 'alo';

/** Options of {@link runRawPassthrough}. */
export interface RawPassthroughOptions {
  readonly mode: DeliveryMode;
  readonly inputTopics: readonly string[];
  readonly ends: TopicEnds;
  /** Output topic, as many partitions as the input; records keep their key (the symbol). */
  readonly outputTopic: string;
  /** Partitions handled at once, as the service's KAFKA_PARTITIONS_CONCURRENCY (default 1). */
  readonly partitionsConcurrency: number;
  readonly timeoutMs: number;
}

/**
 * The raw baseline of a consume -> produce stage: kafkajs with no logic at all (no parsing, no state),
 * copying each fetched batch of the input to `outputTopic` with the stage's delivery guarantee, timed
 * like the service from its committed offsets ({@link watchCatchUp}).
 *
 * @returns the catch-up rate in offsets per second (records per second: the raw topics carry no markers).
 * @throws Error when it does not reach the end within `timeoutMs`.
 */
export async function runRawPassthrough(
  kafka: BenchKafka,
  admin: BenchAdmin,
  options: RawPassthroughOptions,
): Promise<CatchUpRate> {
  const groupId = `bench-passthrough-${options.mode}-${randomBytes(4).toString('hex')}`;
  const eos = options.mode === 'eos';
  const producer = kafka.producer(
    eos
      ? { transactionalId: `${groupId}-tx`, idempotent: true, maxInFlightRequests: 1 }
      : { idempotent: true, maxInFlightRequests: 5 },
  );
  const consumer = kafka.consumer({ groupId, readUncommitted: !eos });
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    await consumer.subscribe({ topics: [...options.inputTopics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: options.partitionsConcurrency,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        if (batch.messages.length === 0) return;
        const messages = batch.messages.map((m) => ({
          key: m.key,
          value: m.value,
          partition: batch.partition,
        }));
        const next = String(Number(batch.lastOffset()) + 1);
        if (eos) {
          const transaction = await producer.transaction();
          try {
            await transaction.send({ topic: options.outputTopic, acks: -1, messages });
            await transaction.sendOffsets({
              consumerGroupId: groupId,
              topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
            });
            await transaction.commit();
          } catch (error) {
            await transaction.abort();
            throw error;
          }
        } else {
          await producer.send({ topic: options.outputTopic, acks: -1, messages });
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        }
        resolveOffset(batch.lastOffset());
        await heartbeat();
      },
    });
    return await watchCatchUp(admin, {
      groupId,
      topics: options.inputTopics,
      ends: options.ends,
      tolerance: 0,
      timeoutMs: options.timeoutMs,
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}
