import { Writable } from 'node:stream';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbDocumentClient } from '@tickwire/aws';
import { CustomerApiKeyStore, type NewCustomerApiKey } from '@tickwire/customer-keys';
import { RecordProducer } from '@tickwire/kafka';
import { SYMBOL_STATE_TABLE } from '@tickwire/resources';
import { type RunningService, startService } from '@tickwire/service-kit';
import { createLocalDynamoDb, createLocalKafka, uniqueName } from '@tickwire/testing';
import { parseEvent, type TopicName } from '@tickwire/contracts';
import type { CustomerEvent, SymbolSnapshot } from '@tickwire/subscriptions';
import type { AlertV1Event, Bar1mV1Event, EnrichedV1Event } from '@tickwire/contracts';
import { AppModule } from '../app.module';
import type { GatewayConfig } from '../config/gateway-config';
import { MarketFeedConsumer } from '../market-feed/market-feed-consumer';
import { CONSUMER_GATEWAY } from '../service-definition';
import { recordOf } from './market-event-builders';

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

/** A DynamoDB `symbol-state` item: the fields of a snapshot (prices USD, sizes shares, times epoch ms UTC). */
export type SymbolStateItem = SymbolSnapshot;

async function putSymbolStateItem(documents: ReturnType<typeof createDynamoDbDocumentClient>, item: SymbolStateItem): Promise<void> {
  const defaults = { previousClose: 100, ...(item.lastPrice === undefined ? {} : { changePercent: item.lastPrice - 100 }) };
  await documents.send(new PutCommand({ TableName: SYMBOL_STATE_TABLE.tableName, Item: { ...defaults, ...item } }));
}

/**
 * The gateway booted in-process on the real local stack (Kafka, DynamoDB, OpenSearch), plus what
 * its integration tests need: a producer for the customer topics, API keys in the real
 * `customer-api-keys` table (unique customer ids), and `symbol-state` items (unique symbols).
 */
export class GatewayTestHarness {
  private constructor(
    readonly running: RunningService<GatewayConfig>,
    readonly producer: RecordProducer,
    readonly keys: CustomerApiKeyStore,
    private readonly destroyDynamo: () => void,
    private readonly documents: ReturnType<typeof createDynamoDbDocumentClient>,
  ) {}

  /**
   * Starts the gateway with `env` overrides and waits until its market feed is live.
   * @param options.symbolState `symbol-state` items written before the gateway starts (so it warms
   *   its snapshot cache with them), see {@link putSymbolState}.
   */
  static async start(env: Record<string, string> = {}, options: { symbolState?: readonly SymbolStateItem[] } = {}): Promise<GatewayTestHarness> {
    const dynamo = createLocalDynamoDb();
    const documents = createDynamoDbDocumentClient(dynamo);
    for (const item of options.symbolState ?? []) await putSymbolStateItem(documents, item);
    const running = (await startService(AppModule, CONSUMER_GATEWAY, {
      env: { ...process.env, LOG_LEVEL: 'warn', GATEWAY_INSTANCE_ID: uniqueName('it'), ...env },
      httpPort: 0,
      logDestination: discard,
    })) as RunningService<GatewayConfig>;
    await running.app.get(MarketFeedConsumer).whenLive();
    const kafka = createLocalKafka(uniqueName('it-gateway-producer'));
    const producer = new RecordProducer(kafka);
    await producer.connect();
    return new GatewayTestHarness(running, producer, new CustomerApiKeyStore(documents), () => dynamo.destroy(), documents);
  }

  /** ws:// URL of `path` on the gateway. */
  wsUrl(path: string): string {
    return `${this.running.url.replace('http://', 'ws://')}${path}`;
  }

  /** Creates a key for a fresh customer; every field overridable. */
  async createKey(overrides: Partial<NewCustomerApiKey> = {}): Promise<string> {
    return (await this.createCustomerKey(overrides)).key;
  }

  /**
   * Creates a key for a fresh customer, like {@link createKey}, and returns its Alpaca key id and
   * secret (for `/v2/tickwire`).
   */
  async createAlpacaCredentials(overrides: Partial<NewCustomerApiKey> = {}): Promise<{ keyId: string; secret: string }> {
    return (await this.createCustomerKey(overrides)).alpaca;
  }

  private createCustomerKey(overrides: Partial<NewCustomerApiKey>): ReturnType<CustomerApiKeyStore['create']> {
    return this.keys.create({
      customerId: uniqueName('it-customer'),
      channels: ['trades', 'quotes', 'enriched', 'bars', 'alerts', 'corrections', 'statuses'],
      symbols: ['*'],
      maxConnections: 10,
      maxSymbols: 100,
      ...overrides,
    });
  }

  /** Produces events (keyed by symbol) and waits for the broker's acknowledgement. */
  async produce(events: readonly CustomerEvent[]): Promise<void> {
    await this.producer.sendBatch(events.map(recordOf));
  }

  /**
   * Writes a `symbol-state` item as the enricher would. Unless given, previousClose is 100 and
   * changePercent = lastPrice - 100 (the builders' convention).
   */
  async putSymbolState(item: SymbolStateItem): Promise<void> {
    await putSymbolStateItem(this.documents, item);
  }

  /**
   * Where a reader of `topic` starts to see what is produced next, per partition: kafkajs' admin
   * lists read_committed offsets, so each is the partition's last stable offset (LSO), which stays
   * at the first record of a transaction still open (e.g. another test's enricher) and may lie below
   * the high watermark. A lower bound for what comes next, never the end of what was just produced.
   */
  async endOffsets(topic: string): Promise<Map<number, string>> {
    const admin = createLocalKafka(uniqueName('it-offsets')).admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((offset) => [offset.partition, offset.high]));
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * The first `expected` events of `symbols` on `topic` from `from` (see {@link endOffsets}) on, in
   * partition order, read back from Kafka (read_committed) and parsed with the contracts: the
   * reference a test compares what subscribers received with. Reading stops at the count, not at
   * an end offset: the listed end is the last stable offset, which another test's open transaction
   * can hold below the records just produced.
   * @throws Error after 30 s when fewer than `expected` events arrived, or if the consumer crashes
   */
  async readTopic(topic: TopicName, from: Map<number, string>, symbols: readonly string[], expected: number): Promise<CustomerEvent[]> {
    const events: CustomerEvent[] = [];
    if (expected === 0) return events;
    const kafka = createLocalKafka(uniqueName('it-topic-reader'));
    const groupId = uniqueName('it-topic-reader');
    // The start is committed for the fresh group before it joins, so a re-join cannot fall back to
    // the latest offset (a seek after `run()` is lost on a re-join).
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId, topic, partitions: [...from].map(([partition, offset]) => ({ partition, offset })) });
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic] });
      await new Promise<void>((resolve, reject) => {
        const fail = (error: Error) => {
          clearTimeout(timer);
          reject(error);
        };
        const timer = setTimeout(() => fail(new Error(`reading ${topic}: ${events.length} of ${expected} events of ${symbols.join(', ')} within 30 s`)), 30_000);
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) fail(payload.error);
        });
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              if (BigInt(message.offset) < BigInt(from.get(partition) ?? '0')) {
                fail(new Error(`${topic}/${partition} was read from offset ${message.offset}, before ${from.get(partition)}`));
                return;
              }
              if (events.length < expected && symbols.includes(message.key?.toString() ?? '')) {
                events.push(parseEvent(topic, message.value) as CustomerEvent);
                if (events.length === expected) {
                  clearTimeout(timer);
                  resolve();
                }
              }
            },
          })
          .catch(fail);
      });
    } finally {
      await consumer.disconnect();
    }
    return events;
  }

  /** The gateway's Prometheus text. */
  async metrics(): Promise<string> {
    return (await fetch(`${this.running.url}/metrics`)).text();
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
    this.destroyDynamo();
    await this.running.shutdown();
  }
}
