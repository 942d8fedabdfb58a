import { randomUUID } from 'node:crypto';
import { type Admin, type IHeaders, Kafka, logLevel } from 'kafkajs';

/**
 * Helpers for libs/kafka's integration tests against the real local Kafka (127.0.0.1:9092 unless
 * KAFKA_BROKERS says otherwise). Each test creates its own uniquely named topics and groups, so runs
 * never see each other's records. Not exported from the library's index.
 */
export const TEST_BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

export interface ConsumedRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export class KafkaTestCluster {
  readonly kafka = new Kafka({
    clientId: 'tickwire-kafka-int-test',
    brokers: TEST_BROKERS,
    logLevel: logLevel.NOTHING,
  });
  private readonly admin: Admin = this.kafka.admin();
  private readonly created: string[] = [];

  async connect(): Promise<void> {
    await this.admin.connect();
  }

  async disconnect(): Promise<void> {
    if (this.created.length > 0)
      await this.admin.deleteTopics({ topics: this.created }).catch(() => undefined);
    await this.admin.disconnect();
  }

  /** A fresh name like `tickwire.it.<label>.<uuid8>`. */
  uniqueName(label: string): string {
    return `tickwire.it.${label}.${randomUUID().slice(0, 8)}`;
  }

  /** Creates `topics` (single partition by default) and waits until their leaders are known. */
  async createTopics(topics: string[], numPartitions = 1): Promise<void> {
    await this.admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    this.created.push(...topics);
  }

  /** The offset committed by `groupId` for partition 0 of `topic`, or -1 when nothing is committed. */
  async committedOffset(groupId: string, topic: string): Promise<number> {
    const [entry] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    const partition = entry?.partitions.find((p) => p.partition === 0);
    return partition ? Number(partition.offset) : -1;
  }

  /** Produces plain records (non-idempotent test producer) to `topic`. */
  async produce(
    topic: string,
    records: { key: string; value: string | Buffer | null; headers?: IHeaders }[],
  ): Promise<void> {
    const producer = this.kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: records });
    } finally {
      await producer.disconnect();
    }
  }

  /**
   * Reads `topic` from the beginning with a throw-away group until `count` records arrived or
   * `timeoutMs` passed; returns what arrived. `readUncommitted` selects the isolation level.
   */
  async readTopic(
    topic: string,
    options: { count: number; timeoutMs: number; readUncommitted?: boolean },
  ): Promise<ConsumedRecord[]> {
    const consumer = this.kafka.consumer({
      groupId: this.uniqueName('reader'),
      readUncommitted: options.readUncommitted ?? false,
      maxWaitTimeInMs: 200,
    });
    const received: ConsumedRecord[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.timeoutMs);
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            received.push({
              partition,
              offset: message.offset,
              key: message.key,
              value: message.value,
              headers: message.headers ?? {},
            });
            if (received.length >= options.count) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    return received;
  }
}

/** Polls `probe` every 100 ms until it returns true or `timeoutMs` passes. @throws Error on timeout, naming `what`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}
