import { BaseRpcContext } from '@nestjs/microservices';
import type { KafkaRecord } from '../kafka-record';
import { nextOffset } from '../kafka-record';
import type { ProducerTransaction } from '../producer/record-producer';

/**
 * The transactional tasks of a consumer (see PartitionTaskProducers): what a handler needs to write
 * per-task outputs outside a batch (e.g. a timer's flush), fenced like the batch transactions.
 */
export interface ConsumerTasks {
  /** Increments on every group join; per-task state cached under an older generation is suspect. */
  readonly generation: number;
  /** Partition numbers owned in the current generation, ascending. */
  ownedTasks(): number[];
  /**
   * Resolves once every owned task's producer is initialized, i.e. its previous owner is fenced:
   * only then are the task's committed offsets and changelog final. @throws the initialization error.
   */
  ready(): Promise<void>;
  /**
   * Replaces the owned tasks' producers by freshly initialized ones (same ids, same generation), so
   * that this member's own in-doubt transactions are settled by the coordinator: call after a failed
   * transaction, before reading committed state. @throws the initialization error.
   */
  refence(): Promise<void>;
  /** Transactional producers per task (`slot`s of {@link transaction}); 1 unless configured. */
  readonly slotsPerTask: number;
  /**
   * Runs `work` in a transaction of `task`'s producer `slot` (default 0): commits when it resolves,
   * aborts when it throws. @throws TaskNotOwnedError when `task` is not owned (or `slot` is not one of
   * its slots); a fencing error when another member took it over.
   */
  transaction<T>(task: number, work: (tx: ProducerTransaction) => Promise<T>, slot?: number): Promise<T>;
  /**
   * Registers work to finish before the consumer's close disconnects the task producers (after the
   * consumer stopped fetching), e.g. transactions a handler queued and did not wait for.
   */
  beforeClose(hook: () => Promise<void>): void;
}

/** What the server knows about one handler invocation. */
export interface KafkaConsumerScope {
  groupId: string;
  topic: string;
  partition: number;
  /** The records this invocation covers: one for a record handler, the batch for a batch handler. */
  records: readonly KafkaRecord[];
  heartbeat: () => Promise<void>;
  /** The server's transactional tasks, when it was configured with a transactionalIdPrefix. */
  tasks: ConsumerTasks | null;
  /**
   * Called with the next offset (last covered + 1) once a {@link KafkaConsumerContext.transaction}
   * committed it for the group, so the server knows it need not commit that position itself.
   */
  onOffsetsCommitted?: (next: string) => void;
  /**
   * Where the fetch of this invocation's batch ended: `nextOffset` is the next offset the consumer
   * fetches (last offset + 1, trailing transaction markers included) and `caughtUp` whether that is
   * the partition's high watermark. Absent for contexts built outside a fetch (tests).
   */
  fetchEnd?: { readonly nextOffset: string; readonly caughtUp: boolean };
  /** Pauses fetching this topic-partition; returns the function that resumes it. */
  pause?: () => () => void;
  /** Called when the handler takes over committing this invocation's offsets (see deferOffsetCommit). */
  onOffsetCommitDeferred?: () => void;
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
   * The consumer's transactional tasks (owned partitions, generation, per-task transactions).
   * @throws Error when the server was started without `transactionalIdPrefix`.
   */
  getTasks(): ConsumerTasks {
    if (this.scope.tasks === null) {
      throw new Error(
        'KafkaConsumerContext: transactions need KafkaConsumerServerOptions.transactionalIdPrefix',
      );
    }
    return this.scope.tasks;
  }

  /** Where the fetch of this batch ended (see {@link KafkaConsumerScope.fetchEnd}). @throws Error outside a fetch. */
  getFetchEnd(): { readonly nextOffset: string; readonly caughtUp: boolean } {
    if (this.scope.fetchEnd === undefined) throw new Error('KafkaConsumerContext: no fetch information');
    return this.scope.fetchEnd;
  }

  /**
   * Pauses fetching this invocation's topic-partition (back-pressure of a handler that buffers, like
   * Kafka Streams pausing a partition whose queue is full); call the returned function to resume.
   * A new group generation resumes nothing by itself: the caller keeps track.
   * @throws Error outside a fetch.
   */
  pause(): () => void {
    if (this.scope.pause === undefined) throw new Error('KafkaConsumerContext: pause() outside a fetch');
    return this.scope.pause();
  }

  /**
   * Transactional mode: the handler buffered these records instead of handling them; its own task
   * transactions will commit their positions once they are processed (e.g. a task merging its inputs
   * in event-time order). The server moves its fetch position past them but commits nothing for
   * them. Records still buffered when the group rebalances, or the process stops, are fetched again
   * from the committed offset by the next owner.
   *
   * @throws Error when the server was started without `transactionalIdPrefix` (a plain offset
   *   commit after the batch would then commit records nobody processed)
   */
  deferOffsetCommit(): void {
    this.getTasks();
    this.scope.onOffsetCommitDeferred?.();
  }

  /**
   * Tells the server that a transaction of this partition's task run by the handler itself (through
   * {@link getTasks}, e.g. one group commit holding several batches) committed the input position
   * `next` (last covered offset + 1) for the group, so the server does not commit it again (it would
   * otherwise run an offsets-only transaction after the batch).
   */
  markOffsetsCommitted(next: string): void {
    this.scope.onOffsetsCommitted?.(next);
  }

  /**
   * Runs `work` in a Kafka transaction that also commits this invocation's input position (last
   * covered offset + 1) for the consumer group, so the outputs and the input offset commit atomically
   * (exactly-once consume-transform-produce, KIP-98). It runs on the producer of this partition's task,
   * so a member that lost the partition meanwhile is fenced and commits nothing. If `work` throws, the
   * transaction aborts and the error propagates to the server like any handler error.
   *
   * @throws Error when the server was started without `transactionalIdPrefix`.
   */
  async transaction<T>(work: (tx: ProducerTransaction) => Promise<T>): Promise<T> {
    const tasks = this.getTasks();
    const last = this.scope.records[this.scope.records.length - 1];
    const result = await tasks.transaction(this.scope.partition, async (tx) => {
      const value = await work(tx);
      if (last !== undefined) {
        await tx.sendOffsets({
          consumerGroupId: this.scope.groupId,
          offsets: [
            { topic: this.scope.topic, partition: this.scope.partition, offset: nextOffset(last.offset) },
          ],
        });
      }
      return value;
    });
    if (last !== undefined) this.markOffsetsCommitted(nextOffset(last.offset));
    return result;
  }
}
