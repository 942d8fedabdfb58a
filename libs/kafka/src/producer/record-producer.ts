import {
  CompressionTypes,
  type Kafka,
  Partitioners,
  type Message,
  type Producer,
  type TopicMessages,
  type Transaction,
} from 'kafkajs';
import { withDeadline } from '../internal/with-deadline';
import type { OutgoingRecord } from '../kafka-record';

/** Offsets a transaction commits for a consumer group: the next offset to read (`handled + 1`) per partition. */
export interface TransactionOffsets {
  consumerGroupId: string;
  offsets: { topic: string; partition: number; offset: string }[];
}

/** The operations available inside {@link RecordProducer.transaction}. */
export interface ProducerTransaction {
  /** Sends `records` as part of the transaction; invisible to read_committed consumers until commit. */
  sendBatch(records: readonly OutgoingRecord[]): Promise<void>;
  /**
   * Adds consumer-group offsets to the transaction (Kafka's `TxnOffsetCommit`), which is what makes
   * consume-transform-produce exactly-once: the outputs and the input position commit atomically.
   */
  sendOffsets(offsets: TransactionOffsets): Promise<void>;
}

export interface RecordProducerOptions {
  /**
   * Enables transactions. Must be stable per producer instance and unique across live instances
   * (e.g. `<service>-<hostname>`): the broker fences an older producer with the same id, which is
   * what protects against zombie instances.
   */
  transactionalId?: string;
  /** Batch compression. kafkajs ships only gzip without extra codecs; default none (loopback, small records). */
  compression?: 'none' | 'gzip';
  /** Transaction timeout in ms (broker caps it at transaction.max.timeout.ms); default 60000. */
  transactionTimeoutMs?: number;
}

/**
 * Tickwire's producer: idempotent, `acks: -1` (all in-sync replicas), batched through `sendBatch`,
 * optionally transactional.
 *
 * Why these settings: idempotence stops broker-side duplicates when kafkajs retries after a lost ack;
 * `acks: -1` is required by idempotence and is what makes a send durable; `maxInFlightRequests: 5` is
 * the largest value Kafka's idempotent protocol keeps ordered (KIP-98; Java client's documented limit).
 * A transactional producer uses 1 in flight, as kafkajs' transaction examples do, because its
 * sequence tracking across an abort is only safe serially.
 */
export class RecordProducer {
  private readonly producer: Producer;
  private readonly compression: CompressionTypes;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly options: RecordProducerOptions = {},
  ) {
    const transactional = options.transactionalId !== undefined;
    this.producer = kafka.producer({
      // murmur2 on the key, as the Java client: a symbol lands on the same partition whichever client produced it.
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: transactional ? 1 : 5,
      allowAutoTopicCreation: false,
      ...(transactional
        ? {
            transactionalId: options.transactionalId,
            transactionTimeout: options.transactionTimeoutMs ?? 60_000,
            // A transaction started right after a commit gets CONCURRENT_TRANSACTIONS until the
            // coordinator has written the previous one's markers; kafkajs retries it after its default
            // 300 ms (kafkajs issue #304), which capped back-to-back transactions at about 3/s per
            // producer. 20 ms is the Java client's backoff for that case (KAFKA-5477). Retries stay
            // unlimited, kafkajs' default for idempotent producers (fewer may break its sequence numbers).
            retry: { initialRetryTime: 20, retries: Number.MAX_SAFE_INTEGER },
          }
        : {}),
    });
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  /** True once {@link connect} succeeded and until {@link disconnect}. */
  get isConnected(): boolean {
    return this.connected;
  }

  /** Connects to the cluster (and, for an idempotent producer, obtains a producer id on first send). */
  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  /** Waits for in-flight requests and closes the connections. Safe to call twice. */
  async disconnect(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }

  /**
   * Sends `records` (any mix of topics) in one request per broker with `acks: -1`. Resolves once
   * every record is acknowledged by all in-sync replicas.
   *
   * @throws Error when called on a transactional producer (use {@link transaction}), or a KafkaJS
   *   error once kafkajs' retries are exhausted.
   */
  async sendBatch(records: readonly OutgoingRecord[]): Promise<void> {
    if (this.options.transactionalId !== undefined) {
      throw new Error('RecordProducer: a transactional producer sends only inside transaction()');
    }
    if (records.length === 0) return;
    await this.producer.sendBatch({
      topicMessages: groupByTopic(records),
      acks: -1,
      compression: this.compression,
    });
  }

  /**
   * The kafkajs counterpart of Java's `initTransactions()`: obtains this transactional id's producer
   * epoch from the transaction coordinator now (kafkajs would do it lazily, at the first
   * transaction). The new epoch fences every older producer with the same transactional id (its
   * later sends, offset commits and commits fail with a fencing error) and the coordinator first
   * aborts that producer's open transaction, so once this resolves no older instance can commit
   * anything under this id. Implemented as an empty transaction begun and aborted: kafkajs sends
   * InitProducerId on begin and no EndTxn for a transaction without partitions or offsets.
   *
   * @throws Error when the producer was created without `transactionalId`; a KafkaJS error when the
   *   coordinator cannot be reached within kafkajs' retries.
   */
  async initTransactions(): Promise<void> {
    if (this.options.transactionalId === undefined) {
      throw new Error('RecordProducer: initTransactions() needs RecordProducerOptions.transactionalId');
    }
    const transaction = await this.producer.transaction();
    await transaction.abort();
  }

  /**
   * Runs `work` in a Kafka transaction: commits when it resolves, aborts when it throws (and rethrows).
   * Records sent inside become visible to `read_committed` consumers only at commit. Each step (the
   * sends of `work`, the commit, an abort) must settle within the transaction timeout.
   *
   * @throws Error when the producer was created without `transactionalId`; whatever `work` throws;
   *   TransactionDeadlineError when a step did not settle in time (outcome unknown; replace the
   *   producer, kafkajs may still be retrying on it).
   */
  async transaction<T>(work: (tx: ProducerTransaction) => Promise<T>): Promise<T> {
    if (this.options.transactionalId === undefined) {
      throw new Error('RecordProducer: transaction() needs RecordProducerOptions.transactionalId');
    }
    const transaction: Transaction = await this.producer.transaction();
    const compression = this.compression;
    const tx: ProducerTransaction = {
      async sendBatch(records) {
        if (records.length === 0) return;
        await transaction.sendBatch({ topicMessages: groupByTopic(records), acks: -1, compression });
      },
      async sendOffsets({ consumerGroupId, offsets }) {
        // kafkajs retries a transactional send's CONCURRENT_TRANSACTIONS (the retry option above), but
        // not AddOffsetsToTxn's: an offsets-only transaction begun while the previous one's markers are
        // still being written fails at once (found by the fresh-clone npm test: kafka-consumer-server's
        // dead-lettered last record never committed). Same backoff as the sends (KAFKA-5477), bounded.
        for (let attempt = 0, delayMs = 20; ; attempt += 1, delayMs *= 2) {
          try {
            await transaction.sendOffsets({ consumerGroupId, topics: groupOffsetsByTopic(offsets) });
            return;
          } catch (error) {
            const { type, cause } = error as { type?: string; cause?: { type?: string } };
            if ((type ?? cause?.type) !== 'CONCURRENT_TRANSACTIONS' || attempt >= 8) throw error;
            await new Promise((resolve) => setTimeout(resolve, delayMs));
          }
        }
      },
    };
    // kafkajs retries a transactional producer's sends without limit (its idempotent default), so a
    // step could otherwise wait for ever on a producer whose connections closed or whose epoch moved on.
    const deadlineMs = this.options.transactionTimeoutMs ?? 60_000;
    const late = (what: string) => () =>
      new TransactionDeadlineError(`${what} did not settle within ${deadlineMs} ms`);
    let result: T;
    try {
      result = await withDeadline(work(tx), deadlineMs, late("the transaction's sends"));
    } catch (error) {
      // A failed abort (e.g. the producer was fenced) must not hide the error that caused it.
      await withDeadline(transaction.abort(), deadlineMs, late('abort')).catch(() => undefined);
      throw error;
    }
    await withDeadline(transaction.commit(), deadlineMs, late('commit'));
    return result;
  }
}

/**
 * Raised when a transaction step did not settle within the transaction timeout. By then the broker
 * has aborted the transaction (transaction.timeout.ms) unless its commit was already written, so
 * the caller must treat the outcome as unknown (rebuild from what is committed) and replace the
 * producer: kafkajs may still be retrying the step on it.
 */
export class TransactionDeadlineError extends Error {
  override readonly name = 'TransactionDeadlineError';
}

function groupByTopic(records: readonly OutgoingRecord[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const messages = byTopic.get(record.topic) ?? [];
    messages.push({
      key: record.key,
      value: record.value,
      ...(record.headers ? { headers: record.headers } : {}),
      ...(record.partition !== undefined ? { partition: record.partition } : {}),
      ...(record.timestamp !== undefined ? { timestamp: String(record.timestamp) } : {}),
    });
    byTopic.set(record.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function groupOffsetsByTopic(
  offsets: TransactionOffsets['offsets'],
): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of offsets) {
    const partitions = byTopic.get(topic) ?? [];
    partitions.push({ partition, offset });
    byTopic.set(topic, partitions);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
