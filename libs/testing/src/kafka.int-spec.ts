import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { TOPICS } from '@tickwire/contracts';
import { CUSTOMER_GROUP_PREFIX } from '@tickwire/resources';
import { waitUntil } from './polling';
import { commitOffsetsAtEnd, createCustomerKafka, createLocalKafka } from './stack-clients';
import { uniqueName } from './unique-names';

/**
 * Resolves with the first message whose key is `key`, read by `consumer` from `topic` starting at
 * `offset` of `partition`. Rejects with the consumer's error (e.g. authorization) or after `timeoutMs`.
 */
async function consumeKey(
  consumer: Consumer,
  topic: string,
  partition: number,
  offset: string,
  key: string,
  timeoutMs = 30_000,
): Promise<KafkaMessage> {
  await consumer.connect();
  await consumer.subscribe({ topic });
  return new Promise<KafkaMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message with key ${key} on ${topic} within ${timeoutMs} ms`)), timeoutMs);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      clearTimeout(timer);
      reject(payload.error);
    });
    consumer
      .run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() === key) {
            clearTimeout(timer);
            resolve(message);
          }
        },
      })
      .then(() => consumer.seek({ topic, partition, offset }))
      .catch((error: unknown) => {
        clearTimeout(timer);
        reject(error);
      });
  });
}

describe('Kafka on the local stack', () => {
  const services = createLocalKafka('it-kafka-services');
  const admin = services.admin();
  const producer = services.producer({ allowAutoTopicCreation: false });
  const consumers: Consumer[] = [];
  const createdTopics: string[] = [];

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    // Deleted only now: kafkajs keeps refreshing metadata of every topic a producer has sent to.
    await producer.disconnect();
    if (createdTopics.length > 0) await admin.deleteTopics({ topics: createdTopics });
    await admin.disconnect();
  });

  const track = (consumer: Consumer): Consumer => {
    consumers.push(consumer);
    return consumer;
  };

  it('produces and consumes a message over PLAINTEXT', async () => {
    const topic = uniqueName('it-plain');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    createdTopics.push(topic);
    const key = randomUUID();
    const [sent] = await producer.send({ topic, messages: [{ key, value: JSON.stringify({ price: 101.25 }) }] });

    const consumer = track(services.consumer({ groupId: uniqueName('it-plain-group') }));
    const message = await consumeKey(consumer, topic, sent!.partition, sent!.baseOffset!, key);

    expect(JSON.parse(message.value!.toString())).toEqual({ price: 101.25 });
  });

  it('commitOffsetsAtEnd: a fromBeginning consumer of the group reads only what is produced afterwards', async () => {
    const topic = uniqueName('it-at-end');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    createdTopics.push(topic);
    await producer.send({ topic, messages: [{ key: 'a', value: 'old-1' }, { key: 'b', value: 'old-2' }] });
    const groupId = uniqueName('it-at-end-group');
    await commitOffsetsAtEnd(admin, groupId, [topic]);
    const consumer = track(services.consumer({ groupId }));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await producer.send({ topic, messages: [{ key: 'a', value: 'new' }] });
    await waitUntil('the new record', async () => seen.length > 0, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen).toEqual(['new']);
  });

  it('has every provisioned topic, with its DLQ and late topics', async () => {
    const topics = await admin.listTopics();
    expect(topics).toEqual(
      expect.arrayContaining([TOPICS.enriched, `${TOPICS.enriched}.dlq`, `${TOPICS.trades}.late`, `${TOPICS.quotes}.late`]),
    );
  });

  describe('customer listener (SASL/SCRAM-SHA-512)', () => {
    const connectAdmin = async (kafka: Kafka): Promise<void> => {
      const customerAdmin = kafka.admin();
      try {
        await customerAdmin.connect();
        await customerAdmin.describeCluster();
      } finally {
        await customerAdmin.disconnect();
      }
    };

    it('accepts the customer with the right password', async () => {
      await expect(connectAdmin(createCustomerKafka('it-customer-ok'))).resolves.toBeUndefined();
    });

    it('rejects a wrong password with a SASL authentication failure', async () => {
      const kafka = createCustomerKafka('it-customer-bad', { user: 'customer', password: 'not-the-password' });
      await expect(connectAdmin(kafka)).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    });

    it('denies the customer a write to a customer topic (TOPIC_AUTHORIZATION_FAILED)', async () => {
      const customerProducer = createCustomerKafka('it-customer-write').producer();
      await customerProducer.connect();
      try {
        await expect(
          customerProducer.send({ topic: TOPICS.enriched, messages: [{ key: 'AAPL', value: '{}' }] }),
        ).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
      } finally {
        await customerProducer.disconnect();
      }
    });

    it('lets the customer read market.enriched.v1 with a customer- group', async () => {
      const key = randomUUID();
      const [sent] = await producer.send({
        topic: TOPICS.enriched,
        messages: [{ key, value: JSON.stringify({ test: 'customer-read' }) }],
      });
      const consumer = track(
        createCustomerKafka('it-customer-read').consumer({ groupId: `${CUSTOMER_GROUP_PREFIX}${uniqueName('it')}` }),
      );
      const message = await consumeKey(consumer, TOPICS.enriched, sent!.partition, sent!.baseOffset!, key);
      expect(JSON.parse(message.value!.toString())).toEqual({ test: 'customer-read' });
    });

    it('denies the customer a read of a raw topic', async () => {
      const consumer = track(
        createCustomerKafka('it-customer-raw').consumer({ groupId: `${CUSTOMER_GROUP_PREFIX}${uniqueName('it')}` }),
      );
      await expect(consumeKey(consumer, TOPICS.trades, 0, '0', 'never', 15_000)).rejects.toMatchObject({
        type: 'TOPIC_AUTHORIZATION_FAILED',
      });
    });
  });
});
