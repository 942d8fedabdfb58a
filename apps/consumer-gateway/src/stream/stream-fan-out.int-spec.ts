import type { CustomerEvent } from '@tickwire/subscriptions';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { enrichedTrade, uniqueSymbol } from '../testing/market-event-builders';
import { StreamTestClient } from '../testing/stream-test-client';

/** Produces `count` enriched trades of `symbol` in batches; returns their ids in order. */
async function produceTrades(gateway: GatewayTestHarness, symbol: string, count: number): Promise<string[]> {
  const t0 = Date.now();
  const ids: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const batch: CustomerEvent[] = [];
    for (let i = start; i < Math.min(count, start + 500); i++) batch.push(enrichedTrade(symbol, 100 + (i % 100) / 100, t0 + i, i));
    ids.push(...batch.map((event) => event.id));
    await gateway.produce(batch);
  }
  return ids;
}

/**
 * Fan-out under load on the real local stack: a slow client (not reading) must not delay a fast one,
 * and 1,000 concurrent subscribers are all served.
 */
describe('/v1/stream fan-out', () => {
  let gateway: GatewayTestHarness;
  const clients: StreamTestClient[] = [];

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start({
      // Small buffers so that a paused client is detected within this test's volume.
      STREAM_HIGH_WATER_BYTES: String(64 * 1024),
      STREAM_MAX_QUEUED: '200',
      STREAM_MAX_CONFLATED: '1000',
      STREAM_SLOW_CLIENT_TIMEOUT_MS: '2000',
      STREAM_AUTH_BURST: '5000',
    });
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  async function subscribedClient(key: string, channels: Record<string, string[]>): Promise<StreamTestClient> {
    const client = await StreamTestClient.connect(gateway.wsUrl('/v1/stream'));
    clients.push(client);
    expect(await client.auth(key)).toMatchObject({ msg: 'authenticated' });
    expect(await client.subscribe(channels)).toMatchObject({ type: 'subscription' });
    await client.next((frame) => frame.type === 'snapshot');
    return client;
  }

  /** Time (ms) from the start of producing `count` trades until `client` received all of them, and their ids. */
  async function timeDelivery(client: StreamTestClient, symbol: string, count: number): Promise<{ elapsedMs: number; ids: unknown[]; expected: string[] }> {
    const started = Date.now();
    const expected = await produceTrades(gateway, symbol, count);
    const frames = await client.waitForData('trade', count, 60_000);
    return { elapsedMs: Date.now() - started, ids: frames.map((frame) => frame['id']), expected };
  }

  it('a slow client (not reading) does not delay a fast one, and is conflated then disconnected', async () => {
    const key = await gateway.createKey();
    const count = 12_000;

    // Baseline: the fast client alone.
    const baselineSymbol = uniqueSymbol();
    const alone = await subscribedClient(key, { trades: [baselineSymbol], enriched: [baselineSymbol] });
    const baseline = await timeDelivery(alone, baselineSymbol, count);
    expect(baseline.ids).toEqual(baseline.expected);

    // Same load with a slow client on the same symbol that stops reading.
    const symbol = uniqueSymbol();
    const fast = await subscribedClient(key, { trades: [symbol], enriched: [symbol] });
    const slow = await subscribedClient(key, { trades: [symbol], enriched: [symbol] });
    slow.socket.pause();
    const withSlow = await timeDelivery(fast, symbol, count);
    expect(withSlow.ids).toEqual(withSlow.expected);

    // Ratio, not a threshold in ms: machines differ, a stalled fan-out would be many times slower.
    const ratio = withSlow.elapsedMs / baseline.elapsedMs;
    console.info(`fast client: ${count} trades alone in ${baseline.elapsedMs} ms, next to a slow client in ${withSlow.elapsedMs} ms (ratio ${ratio.toFixed(2)})`);
    expect(ratio).toBeLessThan(3);

    // The slow client was cut off as slow (metric), and what it got before is a conflated subset.
    const deadline = Date.now() + 10_000;
    while (!/tickwire_gateway_disconnects_total\{reason="slowClient",service="consumer-gateway"\} [1-9]/.test(await gateway.metrics())) {
      if (Date.now() > deadline) throw new Error('slow client was not disconnected');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    slow.socket.resume();
    const code = await slow.whenClosed();
    expect([4407, 1006]).toContain(code);
    expect(slow.dataFrames('trade').length).toBeLessThan(count);
  }, 150_000); // above the sum of the waits (2 x 60 s delivery, 10 s metric), so a stall fails with its own message

  it('serves 1,000 concurrent subscribers', async () => {
    const key = await gateway.createKey({ maxConnections: 1_000 });
    const symbol = uniqueSymbol();
    const subscribers: StreamTestClient[] = [];
    for (let start = 0; start < 1_000; start += 100) {
      subscribers.push(...(await Promise.all(Array.from({ length: 100 }, () => subscribedClient(key, { trades: [symbol] })))));
    }
    const ids = await produceTrades(gateway, symbol, 20);
    const received = await Promise.all(subscribers.map((client) => client.waitForData('trade', 20, 30_000)));
    expect(received.filter((frames) => JSON.stringify(frames.map((frame) => frame['id'])) === JSON.stringify(ids))).toHaveLength(1_000);
    expect(await gateway.metrics()).toMatch(/tickwire_gateway_connections\{protocol="stream",service="consumer-gateway"\} 1000/);
  });
});
