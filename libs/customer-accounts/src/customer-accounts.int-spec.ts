import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Kafka, type Consumer, type KafkaMessage, logLevel } from 'kafkajs';
import { createDynamoDbClient, createDynamoDbDocumentClient } from '@tickwire/aws';
import { ALERT_V1_FIXTURES, ENRICHED_V1_FIXTURES, TOPICS, TRADE_V1_FIXTURES } from '@tickwire/contracts';
import { CustomerApiKeyStore } from '@tickwire/customer-keys';
import { findKafkaLibDir, KafkaAclAdmin, KafkaConfigsScramTool } from '@tickwire/kafka';
import { CUSTOMER_API_KEYS_TABLE } from '@tickwire/resources';
import { CustomerAccounts, type IssuedCustomerAccount } from './customer-accounts';

/**
 * Customer accounts on the real local broker (SASL/SCRAM listener, StandardAuthorizer, deny by
 * default) and DynamoDB Local, as `npm run customers` makes them: two customers each read their own
 * topic under their own group prefix; neither reads a raw topic or the other's topic, sees or joins
 * the other's groups; a rotated password is refused; a revoked customer is refused.
 *
 * The stack comes from the globalSetup's KAFKA_BROKERS / DYNAMODB_ENDPOINT and the stack variables
 * (KAFKA_SCRAM_PORT, TICKWIRE_CACHE_DIR): a data-access library may not use @tickwire/testing.
 */
const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const scramBrokers = `127.0.0.1:${process.env['KAFKA_SCRAM_PORT'] ?? '9096'}`;
const cacheDir = process.env['TICKWIRE_CACHE_DIR'] ?? join(homedir(), '.cache', 'tickwire');
const javaBin = process.env['JAVA_HOME'] ? join(process.env['JAVA_HOME'], 'bin', 'java') : 'java';

/** A kafkajs client on the SCRAM listener as `account`'s user (or other credentials). */
function customerKafka(user: string, password: string, retries = 0): Kafka {
  return new Kafka({
    clientId: `it-${user}`,
    brokers: [scramBrokers],
    sasl: { mechanism: 'scram-sha-512', username: user, password },
    logLevel: logLevel.NOTHING,
    retry: { retries },
  });
}

/** Resolves with the error a promise rejects with (fails the test when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<{ name?: string; type?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name?: string; type?: string; message: string };
  }
  throw new Error('expected a refusal, but the broker allowed it');
}

describe('customer accounts on the local broker (npm run customers)', () => {
  const run = randomBytes(3).toString('hex');
  const idA = `it-a-${run}`;
  const idB = `it-b-${run}`;
  const consumers: Consumer[] = [];
  let dynamo: ReturnType<typeof createDynamoDbClient>;
  let keys: CustomerApiKeyStore;
  let aclAdmin: KafkaAclAdmin;
  let accounts: CustomerAccounts;
  let a: IssuedCustomerAccount;
  let b: IssuedCustomerAccount;
  /** B's consumer, kept running to see what a revocation does to a connected customer. */
  let consumerB: Consumer;
  /** Where this test's records landed: topic -> partition and offset. */
  const sent = new Map<string, { partition: number; offset: string; key: string }>();

  beforeAll(async () => {
    dynamo = createDynamoDbClient({ region: process.env['AWS_REGION'] ?? 'us-east-1', endpoint: process.env['DYNAMODB_ENDPOINT'] ?? 'http://127.0.0.1:8000' });
    keys = new CustomerApiKeyStore(createDynamoDbDocumentClient(dynamo), CUSTOMER_API_KEYS_TABLE.tableName);
    const kafkaLibDir = findKafkaLibDir(cacheDir);
    if (!kafkaLibDir) throw new Error(`no Kafka distribution under ${cacheDir} (npm run stack:up fetches it)`);
    const services = new Kafka({ clientId: 'it-customer-accounts', brokers: [brokers], logLevel: logLevel.NOTHING });
    aclAdmin = await KafkaAclAdmin.connect(services);
    accounts = new CustomerAccounts(keys, new KafkaConfigsScramTool({ javaBin, kafkaLibDir, bootstrapServers: brokers }), aclAdmin);

    // One valid record on each topic the test reads or is refused (contract fixtures, AAPL on 2012-06-21).
    const producer = services.producer({ idempotent: true });
    await producer.connect();
    for (const [topic, event] of [
      [TOPICS.enriched, ENRICHED_V1_FIXTURES[0]!.event],
      [TOPICS.alerts, ALERT_V1_FIXTURES[0]!.event],
      [TOPICS.trades, TRADE_V1_FIXTURES[0]!.event],
    ] as const) {
      const key = 'AAPL';
      const [result] = await producer.send({ topic, acks: -1, messages: [{ key, value: JSON.stringify(event), headers: { 'x-test': `customer-accounts-${run}` } }] });
      sent.set(topic, { partition: result!.partition, offset: result!.baseOffset!, key });
    }
    await producer.disconnect();
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
    for (const id of [idA, idB]) await accounts?.revoke(id).catch(() => undefined);
    await aclAdmin?.close();
    dynamo?.destroy();
  });

  /**
   * Reads `topic` from this test's record on with a consumer of `makeConsumer` and resolves with that
   * record. A retriable broker error (e.g. COORDINATOR_LOAD_IN_PROGRESS while a fresh stack loads
   * `__consumer_offsets`) starts over with a new consumer, up to 5 times.
   */
  async function readOwnRecord(makeConsumer: () => Consumer, topic: string, timeoutMs = 45_000): Promise<{ consumer: Consumer; message: KafkaMessage }> {
    for (let attempt = 1; ; attempt += 1) {
      const consumer = makeConsumer();
      consumers.push(consumer);
      try {
        return { consumer, message: await readOnce(consumer, topic, timeoutMs) };
      } catch (error) {
        await consumer.disconnect().catch(() => undefined);
        if (attempt >= 5 || !(error as { retriable?: boolean }).retriable) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  async function readOnce(consumer: Consumer, topic: string, timeoutMs: number): Promise<KafkaMessage> {
    const at = sent.get(topic)!;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    return new Promise<KafkaMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no record at ${topic}/${at.partition}@${at.offset} within ${timeoutMs} ms`)), timeoutMs);
      consumer.on(consumer.events.CRASH, (event) => {
        clearTimeout(timer);
        reject(event.payload.error);
      });
      void consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            if (partition === at.partition && message.offset === at.offset) {
              clearTimeout(timer);
              resolve(message);
            }
          },
        })
        .then(() => consumer.seek({ topic, partition: at.partition, offset: at.offset }))
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  }

  /** What the broker answers when `consumer` tries to read `topic` (the subscribe's metadata, the join or the fetch). */
  async function readRefusal(consumer: Consumer, topic: string, timeoutMs = 30_000): Promise<{ name?: string; type?: string; message: string }> {
    consumers.push(consumer);
    return refusal(
      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => resolve(), timeoutMs);
          consumer.on(consumer.events.CRASH, (event) => {
            clearTimeout(timer);
            reject(event.payload.error);
          });
          void consumer
            .run({
              eachMessage: async () => {
                clearTimeout(timer);
                resolve();
              },
            })
            .catch((error: unknown) => {
              clearTimeout(timer);
              reject(error);
            });
        });
      })(),
    );
  }

  it('create issues every credential: A entitled to enriched (and trades, which grant no topic), B to alerts', async () => {
    a = await accounts.create({ customerId: idA, channels: ['enriched', 'trades'], symbols: ['AAPL'] });
    b = await accounts.create({ customerId: idB, channels: ['alerts'], symbols: ['*'] });
    expect(a).toMatchObject({
      customerId: idA,
      apiKey: expect.stringMatching(/^tw_/),
      alpacaKeyId: expect.stringMatching(/^TW[0-9A-Z]{18}$/),
      alpacaSecret: expect.any(String),
      kafkaUser: `customer.${idA}`,
      kafkaPassword: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      kafkaGroupPrefix: `customer.${idA}.`,
      kafkaTopics: [TOPICS.enriched],
    });
    expect(b.kafkaTopics).toEqual([TOPICS.alerts]);
    // The API key and the Alpaca credentials authenticate on the gateway's store.
    expect(await keys.findByKey(a.apiKey)).toMatchObject({ customerId: idA, channels: ['enriched', 'trades'], symbols: ['AAPL'] });
    expect(await keys.findByAlpacaCredentials(b.alpacaKeyId, b.alpacaSecret)).toMatchObject({ customerId: idB });
    const listed = await accounts.list();
    expect(listed.find((account) => account.customerId === idA)).toMatchObject({ status: 'active', kafkaUserExists: true, kafkaTopics: [TOPICS.enriched] });
  });

  it('each customer reads its own topic with a consumer group under its own prefix', async () => {
    const readA = await readOwnRecord(() => customerKafka(a.kafkaUser, a.kafkaPassword, 5).consumer({ groupId: `${a.kafkaGroupPrefix}reader`, readUncommitted: false }), TOPICS.enriched);
    expect(JSON.parse(readA.message.value!.toString())).toEqual(ENRICHED_V1_FIXTURES[0]!.event);
    const readB = await readOwnRecord(
      () => customerKafka(b.kafkaUser, b.kafkaPassword, 5).consumer({ groupId: `${b.kafkaGroupPrefix}reader`, readUncommitted: false, retry: { retries: 0 } }),
      TOPICS.alerts,
    );
    expect(JSON.parse(readB.message.value!.toString())).toEqual(ALERT_V1_FIXTURES[0]!.event);
    consumerB = readB.consumer;
  });

  it('neither reads a raw topic nor the other customer\'s topic (TOPIC_AUTHORIZATION_FAILED)', async () => {
    for (const [account, topic] of [
      [a, TOPICS.trades],
      [b, TOPICS.trades],
      [a, TOPICS.alerts],
      [b, TOPICS.enriched],
    ] as const) {
      const error = await readRefusal(customerKafka(account.kafkaUser, account.kafkaPassword).consumer({ groupId: `${account.kafkaGroupPrefix}${topic}`, retry: { retries: 0 } }), topic);
      expect({ who: account.customerId, topic, type: error.type }).toEqual({ who: account.customerId, topic, type: 'TOPIC_AUTHORIZATION_FAILED' });
    }
  });

  it("neither joins the other's groups, nor groups outside its prefix", async () => {
    for (const groupId of [`${b.kafkaGroupPrefix}reader`, `${b.kafkaGroupPrefix}new`, `customer.${idA}`, `customer-${idA}`]) {
      const error = await readRefusal(customerKafka(a.kafkaUser, a.kafkaPassword).consumer({ groupId, retry: { retries: 0 } }), TOPICS.enriched, 15_000);
      // FindCoordinator answers GROUP_AUTHORIZATION_FAILED; kafkajs reports "coordinator not found".
      expect({ groupId, refused: error.name }).toEqual({ groupId, refused: 'KafkaJSGroupCoordinatorNotFound' });
    }
  });

  it("neither sees the other's groups: ListGroups shows only its own, DescribeGroups and OffsetFetch of the other's are refused", async () => {
    const admin = customerKafka(a.kafkaUser, a.kafkaPassword, 2).admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      const names = groups.map((group) => group.groupId);
      expect(names).toContain(`${a.kafkaGroupPrefix}reader`);
      expect(names.every((name) => name.startsWith(a.kafkaGroupPrefix))).toBe(true);
      // B's group exists (B's consumer is still a member) and is not listed.
      expect(names).not.toContain(`${b.kafkaGroupPrefix}reader`);
      await expect(admin.describeGroups([`${b.kafkaGroupPrefix}reader`])).rejects.toBeDefined();
      await expect(admin.fetchOffsets({ groupId: `${b.kafkaGroupPrefix}reader`, topics: [TOPICS.alerts] })).rejects.toBeDefined();
    } finally {
      await admin.disconnect();
    }
  });

  it('rotate replaces the secrets: the old Kafka password and API key are refused, the new ones work', async () => {
    const before = a;
    a = await accounts.rotate(idA);
    expect(a.kafkaUser).toBe(before.kafkaUser);
    expect(a.kafkaPassword).not.toBe(before.kafkaPassword);
    expect(a.kafkaTopics).toEqual([TOPICS.enriched]);
    const oldLogin = customerKafka(before.kafkaUser, before.kafkaPassword).admin();
    expect(await refusal(oldLogin.connect())).toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    const newLogin = customerKafka(a.kafkaUser, a.kafkaPassword, 5).admin();
    await newLogin.connect();
    await newLogin.disconnect();
    expect((await keys.findByKey(before.apiKey))?.revokedAt).toEqual(expect.any(Number));
    expect((await keys.findByKey(a.apiKey))?.revokedAt).toBeUndefined();
    expect(await keys.findByAlpacaCredentials(a.alpacaKeyId, a.alpacaSecret)).toMatchObject({ customerId: idA });
  });

  it('revoke withdraws everything at once: a new login is refused, the connected consumer loses its topic, the keys are revoked; A is untouched', async () => {
    const crashed = new Promise<Error>((resolve) => consumerB.on(consumerB.events.CRASH, (event) => resolve(event.payload.error)));
    const revoked = await accounts.revoke(idB);
    expect(revoked).toMatchObject({ customerId: idB, revokedKeyIds: [b.keyId], deletedAcls: 3, kafkaUserDeleted: true });
    expect(await refusal(customerKafka(b.kafkaUser, b.kafkaPassword).admin().connect())).toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    expect(await aclAdmin.listOf(`User:${b.kafkaUser}`)).toEqual([]);
    // The connection authenticated before the revocation stays open, but its next request is denied
    // (the group heartbeat or the fetch, whichever comes first) and the consumer stops.
    const stopped = await Promise.race([crashed, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 30_000).unref())]);
    expect(stopped).toMatchObject({ message: expect.stringMatching(/not authorized/i) });
    expect((await keys.findByKey(b.apiKey))?.revokedAt).toEqual(expect.any(Number));
    const listed = await accounts.list();
    expect(listed.find((account) => account.customerId === idB)).toMatchObject({ status: 'revoked', kafkaUserExists: false, kafkaTopics: [] });
    expect(listed.find((account) => account.customerId === idA)).toMatchObject({ status: 'active', kafkaTopics: [TOPICS.enriched] });
  });
});
