import { BaseRpcContext } from '@nestjs/microservices';
import type { KafkaRecord } from '../kafka-record';
import { nextOffset } from '../kafka-record';
import type { ProducerTransaction, RecordProducer } from '../producer/record-producer';

/** What the server knows about one handler invocation. */
export interface KafkaConsumerScope {
  groupId: string;
  topic: string;
  partition: number;
  /** The records this invocation covers: one for a record handler, the batch for a batch handler. */
  records: readonly KafkaRecord[];
  heartbeat: () => Promise<void>;
  /** The server's transactional producer, when it was configured with a transactionalId. */
  transactionalProducer: RecordProducer | null;
}

/**
 * The `@Ctx()` of a Kafka handler run by {@link KafkaConsumerServer}: the record coordinates, a
 * heartbeat for long handlers, and {@link transaction} for exactly-once consume-transform-produce.
 */
export class KafkaConsumerContext extends BaseRpcContext<[KafkaConsumerScope]> {
  constructor(private readonly scope: KafkaConsumerScope) {
    super([scope]);
  }

  getGroupId(): string {
    return this.scope.groupId;
  }

  getTopic(): string {
    return this.scope.topic;
  }

  getPartition(): number {
    return this.scope.partition;
  }

  /** The records this invocation covers, in offset order. */
  getRecords(): readonly KafkaRecord[] {
    return this.scope.records;
  }

  /**
   * Tells the group coordinator this consumer is alive; call it inside handlers that may run longer
   * than the session timeout's third (kafkajs' heartbeat interval), e.g. a large bulk request.
   */
  heartbeat(): Promise<void> {
    return this.scope.heartbeat();
  }

  /**
   * Runs `work` in a Kafka transaction that also commits this invocation's input position (last
   * covered offset + 1) for the consumer group, so the outputs and the input offset commit atomically
   * (exactly-once consume-transform-produce, KIP-98). If `work` throws, the transaction aborts and the
   * error propagates to the server like any handler error.
   *
   * @throws Error when the server was started without `transactionalId`.
   */
  async transaction<T>(work: (tx: ProducerTransaction) => Promise<T>): Promise<T> {
    const producer = this.scope.transactionalProducer;
    if (producer === null) {
      throw new Error('KafkaConsumerContext.transaction() needs KafkaConsumerServerOptions.transactionalId');
    }
    const last = this.scope.records[this.scope.records.length - 1];
    return producer.transaction(async (tx) => {
      const result = await work(tx);
      if (last !== undefined) {
        await tx.sendOffsets({
          consumerGroupId: this.scope.groupId,
          offsets: [
            { topic: this.scope.topic, partition: this.scope.partition, offset: nextOffset(last.offset) },
          ],
        });
      }
      return result;
    });
  }
}
