import type { EnrichedV1Event } from '@tickwire/contracts';
import { createLocalKafka, uniqueName, waitUntil } from '@tickwire/testing';
import { gatewayConsumerGroup } from '../config/gateway-config';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { enrichedTrade, uniqueSymbol } from '../testing/market-event-builders';
import { StreamTestClient } from '../testing/stream-test-client';
import { GATEWAY_TOPICS } from './market-feed-consumer';

/** Symbols of the test: enough that some land on the partitions a second member takes (3 per topic). */
const SYMBOL_COUNT = 24;

/**
 * The gateway's consumer group is its own and it commits no offsets, so after a rejoin kafkajs would
 * start every partition at the log end. On the local stack: a second member joins the gateway's group
 * (a rebalance takes partitions away), events are produced, the member leaves (the partitions come
 * back); a subscriber must still get every event once, in order.
 */
describe('market feed across a rejoin of its consumer group', () => {
  let gateway: GatewayTestHarness;
  let client: StreamTestClient | undefined;

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start();
  });

  afterAll(async () => {
    client?.close();
    await gateway?.stop();
  });

  it('continues each partition where it left off: nothing lost, nothing twice', async () => {
    const symbols = Array.from({ length: SYMBOL_COUNT }, () => uniqueSymbol());
    client = await StreamTestClient.connect(gateway.wsUrl('/v1/stream'));
    await client.auth(await gateway.createKey());
    expect(await client.subscribe({ trades: symbols })).toMatchObject({ type: 'subscription' });
    const t0 = Date.now();
    const produced: EnrichedV1Event[] = [];
    const produceRound = async (round: number): Promise<void> => {
      const events = symbols.map((symbol, k) => enrichedTrade(symbol, 100 + round, t0 + round * 100 + k, round * 100 + k));
      await gateway.produce(events);
      produced.push(...events);
    };
    await produceRound(0);
    await client.waitForData('trade', SYMBOL_COUNT);

    // A second member of the gateway's group; it commits nothing either.
    const intruder = createLocalKafka(uniqueName('it-gateway-rejoin')).consumer({
      groupId: gatewayConsumerGroup(gateway.running.config),
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      heartbeatInterval: 1_000,
    });
    const seenByIntruder = new Set<string>();
    // Its first fetch after joining resolved its start offsets (the log end): it reads what comes next.
    const reading = new Promise<void>((resolve) => {
      let joined = false;
      intruder.on(intruder.events.GROUP_JOIN, () => (joined = true));
      intruder.on(intruder.events.FETCH, () => joined && resolve());
    });
    await intruder.connect();
    try {
      await intruder.subscribe({ topics: [...GATEWAY_TOPICS] });
      await intruder.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          const symbol = message.key?.toString() ?? '';
          if (symbols.includes(symbol)) seenByIntruder.add(symbol);
        },
      });
      await reading;
      await produceRound(1);
      // Some of these went to partitions the gateway does not read now.
      await waitUntil('the second member to read some of the events', () => seenByIntruder.size > 0, 30_000, () => '', 50);
    } finally {
      await intruder.disconnect();
    }
    await produceRound(2);

    await client.waitForData('trade', 3 * SYMBOL_COUNT, 45_000);
    await new Promise((resolve) => setTimeout(resolve, 500)); // a repeat would arrive now
    const idsOf = (symbol: string, ids: string[]) => ids.filter((id) => produced.find((event) => event.id === id)?.payload.symbol === symbol);
    const received = client.dataFrames('trade').map((frame) => frame['id'] as string);
    for (const symbol of symbols) expect(idsOf(symbol, received)).toEqual(idsOf(symbol, produced.map((event) => event.id)));
    expect(received).toHaveLength(produced.length);
  }, 120_000);
});
