import { parseEvent, TOPICS } from '@tickwire/contracts';
import { CUSTOMER_GROUP_PREFIX } from '@tickwire/resources';
import { createCustomerKafka, createLocalKafka, uniqueName } from '@tickwire/testing';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { enrichedTrade, uniqueSymbol } from '../testing/market-event-builders';

/**
 * Direct Kafka for customers (the README's "Direct Kafka" section): a customer on the SASL/SCRAM
 * listener (127.0.0.1:9096 locally; MSK's SCRAM port over PrivateLink in the cloud), user `customer`,
 * read-only ACLs from @tickwire/resources' customerReadOnlyAcls.
 */
describe('customer consuming market.enriched.v1 over SASL/SCRAM', () => {
  const consumers: Consumer[] = [];

  afterAll(async () => {
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
  });

  /** Reads from `partition` at `offset` of `topic` until a message with `key` arrives. */
  async function readAt(consumer: Consumer, topic: string, partition: number, offset: string, key: string, timeoutMs = 20_000): Promise<KafkaMessage> {
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    return new Promise<KafkaMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message with key ${key} within ${timeoutMs} ms`)), timeoutMs);
      consumer.on(consumer.events.CRASH, (event) => {
        clearTimeout(timer);
        reject(event.payload.error);
      });
      void consumer
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

  it('reads contract-valid enriched events with a customer- consumer group', async () => {
    const symbol = uniqueSymbol();
    const event = enrichedTrade(symbol, 101.25, Date.now());
    const producer = createLocalKafka(uniqueName('it-direct-producer')).producer({ idempotent: true });
    await producer.connect();
    const [sent] = await producer.send({ topic: TOPICS.enriched, acks: -1, messages: [{ key: symbol, value: JSON.stringify(event) }] });
    await producer.disconnect();

    const customer = createCustomerKafka('acme-direct').consumer({ groupId: `${CUSTOMER_GROUP_PREFIX}${uniqueName('acme')}`, readUncommitted: false });
    const message = await readAt(customer, TOPICS.enriched, sent!.partition, sent!.baseOffset!, symbol);
    // What a customer does on receipt: validate against the published contract.
    expect(parseEvent(TOPICS.enriched, message.value)).toEqual(event);
  });

  it('refuses a consumer group without the customer- prefix', async () => {
    const customer = createCustomerKafka('acme-wrong-group').consumer({ groupId: uniqueName('acme'), retry: { retries: 0 } });
    // The broker answers FindCoordinator with GROUP_AUTHORIZATION_FAILED; kafkajs surfaces that as
    // "coordinator not found" (the same client finds it for a customer- group, see the test above).
    await expect(readAt(customer, TOPICS.enriched, 0, '0', 'never', 15_000)).rejects.toMatchObject({ name: 'KafkaJSGroupCoordinatorNotFound' });
  });

  it('refuses writes to the customer topics (TOPIC_AUTHORIZATION_FAILED)', async () => {
    const producer = createCustomerKafka('acme-write').producer();
    await producer.connect();
    try {
      await expect(producer.send({ topic: TOPICS.enriched, messages: [{ key: 'AAPL', value: '{}' }] })).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
    } finally {
      await producer.disconnect();
    }
  });
});
