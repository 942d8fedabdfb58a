import { Writable } from 'node:stream';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbDocumentClient } from '@tickwire/aws';
import { CustomerApiKeyStore, type NewCustomerApiKey } from '@tickwire/customer-keys';
import { RecordProducer } from '@tickwire/kafka';
import { SYMBOL_STATE_TABLE } from '@tickwire/resources';
import { type RunningService, startService } from '@tickwire/service-kit';
import { createLocalDynamoDb, createLocalKafka, uniqueName } from '@tickwire/testing';
import { parseEvent, type TopicName } from '@tickwire/contracts';
import type { CustomerEvent } from '@tickwire/subscriptions';
import type { AlertV1Event, Bar1mV1Event, EnrichedV1Event } from '@tickwire/contracts';
import { AppModule } from '../app.module';
import type { GatewayConfig } from '../config/gateway-config';
import { MarketFeedConsumer } from '../market-feed/market-feed-consumer';
import { CONSUMER_GATEWAY } from '../service-definition';
import { recordOf } from './market-event-builders';

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

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

  /** Starts the gateway with `env` overrides and waits until its market feed is live. */
  static async start(env: Record<string, string> = {}): Promise<GatewayTestHarness> {
    const running = (await startService(AppModule, CONSUMER_GATEWAY, {
      env: { ...process.env, LOG_LEVEL: 'warn', GATEWAY_INSTANCE_ID: uniqueName('it'), ...env },
      httpPort: 0,
      logDestination: discard,
    })) as RunningService<GatewayConfig>;
    await running.app.get(MarketFeedConsumer).whenLive();
    const kafka = createLocalKafka(uniqueName('it-gateway-producer'));
    const producer = new RecordProducer(kafka);
    await producer.connect();
    const dynamo = createLocalDynamoDb();
    const documents = createDynamoDbDocumentClient(dynamo);
    return new GatewayTestHarness(running, producer, new CustomerApiKeyStore(documents), () => dynamo.destroy(), documents);
  }

  /** ws:// URL of `path` on the gateway. */
  wsUrl(path: string): string {
    return `${this.running.url.replace('http://', 'ws://')}${path}`;
  }

  /** Creates a key for a fresh customer; every field overridable. */
  async createKey(overrides: Partial<NewCustomerApiKey> = {}): Promise<string> {
    const { key } = await this.keys.create({
      customerId: uniqueName('it-customer'),
      channels: ['trades', 'quotes', 'enriched', 'bars', 'alerts'],
      symbols: ['*'],
      maxConnections: 10,
      maxSymbols: 100,
      ...overrides,
    });
    return key;
  }

  /** Produces events (keyed by symbol) and waits for the broker's acknowledgement. */
  async produce(events: readonly (EnrichedV1Event | Bar1mV1Event | AlertV1Event)[]): Promise<void> {
    await this.producer.sendBatch(events.map(recordOf));
  }

  /** Writes a `symbol-state` item as the enricher would. */
  async putSymbolState(item: { symbol: string; lastEventTime: number; lastPrice: number; bidPrice?: number; askPrice?: number }): Promise<void> {
    await this.documents.send(new PutCommand({ TableName: SYMBOL_STATE_TABLE.tableName, Item: { previousClose: 100, changePercent: item.lastPrice - 100, ...item } }));
  }

  /** End offsets (high watermarks) of every partition of `topic`, to read what is produced after. */
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
   * The events of `symbols` on `topic` between `from` (see {@link endOffsets}) and the current end,
   * in partition order, read back from Kafka (read_committed) and parsed with the contracts: the
   * reference a test compares what subscribers received with. With `expected`, reading stops once
   * that many events of `symbols` arrived (the topic's end may be another test's commit marker).
   * @throws Error after 30 s when the end (or `expected`) is not reached
   */
  async readTopic(
    topic: TopicName,
    from: Map<number, string>,
    symbols: readonly string[],
    expected?: number,
  ): Promise<CustomerEvent[]> {
    const to = await this.endOffsets(topic);
    const kafka = createLocalKafka(uniqueName('it-topic-reader'));
    const consumer = kafka.consumer({ groupId: uniqueName('it-topic-reader'), readUncommitted: false });
    const pending = new Set([...to].filter(([partition, end]) => BigInt(end) > BigInt(from.get(partition) ?? '0')).map(([partition]) => partition));
    const events: CustomerEvent[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic] });
      await new Promise<void>((resolve, reject) => {
        if (pending.size === 0) return resolve();
        const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out`)), 30_000);
        void consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              if (!pending.has(partition)) return;
              if (symbols.includes(message.key?.toString() ?? '')) events.push(parseEvent(topic, message.value) as CustomerEvent);
              if (BigInt(message.offset) + 1n >= BigInt(to.get(partition) ?? '0')) pending.delete(partition);
              // Other tests' transactional writers share the topic: the end offset may be a commit marker,
              // which is never delivered. Once `expected` records of these symbols arrived, stop.
              if (expected !== undefined && events.length >= expected) pending.clear();
              if (pending.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .then(() => {
            for (const partition of pending) consumer.seek({ topic, partition, offset: from.get(partition) ?? '0' });
          }, reject);
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
