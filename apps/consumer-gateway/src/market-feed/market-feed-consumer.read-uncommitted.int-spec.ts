import { buildFeedSequenceHeaders, type EnrichedV1Event } from '@tickwire/contracts';
import { createLocalKafka, uniqueName } from '@tickwire/testing';
import type { Producer } from 'kafkajs';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { enrichedTrade, recordOf, uniqueSymbol } from '../testing/market-event-builders';
import { type ReceivedFrame, StreamTestClient } from '../testing/stream-test-client';

/** Long enough for a frame of a delivered record to arrive (the gateway fetches every 100 ms at most). */
const QUIET_MS = 1_500;

/** A transactional producer, as the enricher writes the customer topics. */
async function transactionalProducer(): Promise<Producer> {
  const producer = createLocalKafka(uniqueName('it-feed-tx')).producer({
    transactionalId: uniqueName('it-feed-tx'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return producer;
}

/** The Kafka messages of `events`, each stamped `tickwire-feed-seq` = `<epoch>:<n>` with its n. */
function stamped(epoch: string, events: readonly { event: EnrichedV1Event; n: number }[]) {
  return events.map(({ event, n }) => {
    const { key, value } = recordOf(event);
    return { key, value, headers: buildFeedSequenceHeaders({ epoch, sequence: n }) };
  });
}

function tradeIds(client: StreamTestClient): string[] {
  return client.dataFrames('trade').map((frame: ReceivedFrame) => frame['id'] as string);
}

/** The value of `tickwire_gateway_feed_replays_dropped_total{topic}` (0 when absent). */
function replaysDropped(metrics: string, topic: string): number {
  const line = metrics
    .split('\n')
    .find((text) => text.startsWith('tickwire_gateway_feed_replays_dropped_total{') && text.includes(`topic="${topic}"`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 14 on the local stack: the gateway's live path reads read_uncommitted, so frames leave before
 * the enricher's transaction commits, and drops the enricher's re-emission of an aborted transaction
 * by its `tickwire-feed-seq`. A kafkajs transactional producer plays the enricher.
 */
describe('market feed, GATEWAY_READ_UNCOMMITTED=true (default)', () => {
  let gateway: GatewayTestHarness;
  let producer: Producer;
  const clients: StreamTestClient[] = [];

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start();
    producer = await transactionalProducer();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await producer?.disconnect();
    await gateway?.stop();
  });

  it('delivers before the commit, each event once, in order, across an abort and its re-emission', async () => {
    const symbol = uniqueSymbol();
    const epoch = uniqueName('epoch');
    const client = await StreamTestClient.connect(gateway.wsUrl('/v1/stream'));
    clients.push(client);
    await client.auth(await gateway.createKey());
    expect(await client.subscribe({ trades: [symbol] })).toMatchObject({ type: 'subscription' });
    const t0 = Date.now();
    // n = 1..10: what the enricher emits for the symbol, each n always the same event.
    const feed = Array.from({ length: 10 }, (_, k) => ({ event: enrichedTrade(symbol, 100 + k, t0 + k, k + 1), n: k + 1 }));
    const ids = (from: number, to: number) => feed.slice(from - 1, to).map(({ event }) => event.id);
    const topic = recordOf(feed[0]!.event).topic;
    const droppedBefore = replaysDropped(await gateway.metrics(), topic);

    // n = 1..3 committed.
    let transaction = await producer.transaction();
    await transaction.send({ topic, messages: stamped(epoch, feed.slice(0, 3)) });
    await transaction.commit();
    await client.waitForData('trade', 3);

    // n = 4..5 in a transaction that stays open: delivered before any commit, then aborted.
    transaction = await producer.transaction();
    await transaction.send({ topic, messages: stamped(epoch, feed.slice(3, 5)) });
    await client.waitForData('trade', 5);
    expect(tradeIds(client)).toEqual(ids(1, 5));
    await transaction.abort();

    // The re-emission: n = 4..5 again (the same events), then 6..8; delivered (6..8) while open.
    transaction = await producer.transaction();
    await transaction.send({ topic, messages: stamped(epoch, feed.slice(3, 8)) });
    await client.waitForData('trade', 8);
    expect(tradeIds(client)).toEqual(ids(1, 8));
    await transaction.commit();

    // More, committed; then one without a feed sequence (a producer that does not stamp it).
    transaction = await producer.transaction();
    await transaction.send({ topic, messages: stamped(epoch, feed.slice(8, 10)) });
    await transaction.commit();
    const unstamped = enrichedTrade(symbol, 200, t0 + 100, 100);
    await gateway.produce([unstamped]);

    await client.waitForData('trade', 11);
    await sleep(QUIET_MS); // a repeat would arrive now
    expect(tradeIds(client)).toEqual([...ids(1, 10), unstamped.id]);
    expect(replaysDropped(await gateway.metrics(), topic) - droppedBefore).toBe(2);
  }, 60_000);
});

describe('market feed, GATEWAY_READ_UNCOMMITTED=true, a transaction open at start-up', () => {
  let gateway: GatewayTestHarness | undefined;
  let producer: Producer;
  let client: StreamTestClient | undefined;

  beforeAll(async () => {
    producer = await transactionalProducer();
  });

  afterAll(async () => {
    client?.close();
    await producer?.disconnect();
    await gateway?.stop();
  });

  // Its records lie below the high watermark when the gateway starts and are not in the warmed
  // snapshot (symbol-state follows the commit): the gateway starts at the last stable offset.
  it('is read from its first record: the snapshot has it, and it is not lost', async () => {
    const symbol = uniqueSymbol();
    const event = enrichedTrade(symbol, 123.45, Date.now(), 1);
    const topic = recordOf(event).topic;
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: stamped(uniqueName('epoch'), [{ event, n: 1 }]) });
    gateway = await GatewayTestHarness.start();
    client = await StreamTestClient.connect(gateway.wsUrl('/v1/stream'));
    await client.auth(await gateway.createKey());
    expect(await client.subscribe({ enriched: [symbol] })).toMatchObject({ type: 'subscription' });
    const snapshot = await client.next((frame) => frame.type === 'snapshot' && frame['symbol'] === symbol);
    await transaction.commit();
    expect(snapshot['data']).toMatchObject({ lastPrice: 123.45 });
  }, 60_000);
});

describe('market feed, GATEWAY_READ_UNCOMMITTED=false', () => {
  let gateway: GatewayTestHarness;
  let producer: Producer;
  let client: StreamTestClient | undefined;

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start({ GATEWAY_READ_UNCOMMITTED: 'false' });
    producer = await transactionalProducer();
  });

  afterAll(async () => {
    client?.close();
    await producer?.disconnect();
    await gateway?.stop();
  });

  it('delivers an open transaction only after its commit, and nothing of an aborted one', async () => {
    const symbol = uniqueSymbol();
    const epoch = uniqueName('epoch');
    client = await StreamTestClient.connect(gateway.wsUrl('/v1/stream'));
    await client.auth(await gateway.createKey());
    expect(await client.subscribe({ trades: [symbol] })).toMatchObject({ type: 'subscription' });
    const t0 = Date.now();
    const feed = Array.from({ length: 3 }, (_, k) => ({ event: enrichedTrade(symbol, 100 + k, t0 + k, k + 1), n: k + 1 }));
    const topic = recordOf(feed[0]!.event).topic;

    let transaction = await producer.transaction();
    await transaction.send({ topic, messages: stamped(epoch, feed.slice(0, 2)) });
    await sleep(QUIET_MS);
    expect(client.dataFrames()).toEqual([]);
    await transaction.abort();

    transaction = await producer.transaction();
    await transaction.send({ topic, messages: stamped(epoch, feed) });
    await sleep(QUIET_MS);
    expect(client.dataFrames()).toEqual([]);
    await transaction.commit();

    await client.waitForData('trade', 3);
    await sleep(QUIET_MS);
    expect(tradeIds(client)).toEqual(feed.map(({ event }) => event.id));
  }, 60_000);
});
