import { type Client, createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { enrichedQuote, enrichedTrade, uniqueSymbol } from '../testing/market-event-builders';
import { StreamTestClient } from '../testing/stream-test-client';

const SNAPSHOT_QUERY = 'query ($symbol: String!) { snapshot(symbol: $symbol) { symbol lastEventTime lastPrice previousClose previousCloseDate changePercent bidPrice askPrice bidSize askSize halted } }';

/**
 * Where snapshots come from, on the local stack: the gateway's cache of the stream it consumes,
 * warmed from DynamoDB symbol-state at start; the WebSocket snapshot, `GET /v1/snapshots/:symbol` and
 * GraphQL's `snapshot` query agree; REST and GraphQL fall back to DynamoDB for a symbol the gateway
 * has no state for, the WebSocket never does.
 */
describe('symbol snapshots on the local stack', () => {
  const warmedSymbol = uniqueSymbol();
  const warmedTime = Date.now() - 60_000;
  let gateway: GatewayTestHarness;
  let key: string;
  let graphQl: Client;
  const clients: StreamTestClient[] = [];

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start({}, { symbolState: [{ symbol: warmedSymbol, lastEventTime: warmedTime, lastPrice: 120, bidPrice: 119.9, askPrice: 120.1 }] });
    key = await gateway.createKey();
    graphQl = createClient({ url: gateway.wsUrl('/v1/graphql'), webSocketImpl: WebSocket, connectionParams: { apiKey: key }, retryAttempts: 0 });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await graphQl?.dispose();
    await gateway?.stop();
  });

  const subscribed = async (channels: Record<string, string[]>): Promise<StreamTestClient> => {
    const client = await StreamTestClient.connect(gateway.wsUrl('/v1/stream'));
    clients.push(client);
    await client.auth(key);
    expect(await client.subscribe(channels)).toMatchObject({ type: 'subscription' });
    return client;
  };

  /** The snapshot of `symbol` three ways: WebSocket (a fresh subscriber's), REST (null on 404), GraphQL (nulls dropped). */
  const snapshotsOf = async (symbol: string) => {
    const client = await subscribed({ quotes: [symbol] });
    const stream = (await client.next((frame) => frame.type === 'snapshot'))['data'];
    client.close();
    const response = await fetch(`${gateway.running.url}/v1/snapshots/${symbol}`, { headers: { 'x-api-key': key } });
    const rest = response.status === 404 ? null : await response.json();
    const result = await graphQl.iterate({ query: SNAPSHOT_QUERY, variables: { symbol } }).next();
    const data = (result.value as { data: { snapshot: Record<string, unknown> | null } }).data.snapshot;
    const graph = data && Object.fromEntries(Object.entries(data).filter(([, value]) => value !== null));
    return { stream, rest, graph };
  };

  it('serves a symbol warmed from symbol-state at start, then what the stream brings, never a later DynamoDB write', async () => {
    const warmed = { symbol: warmedSymbol, lastEventTime: warmedTime, lastPrice: 120, previousClose: 100, changePercent: 20, bidPrice: 119.9, askPrice: 120.1 };
    expect(await snapshotsOf(warmedSymbol)).toEqual({ stream: warmed, rest: warmed, graph: warmed });

    // The enricher's write of an older state lands now: the cache already has the symbol.
    await gateway.putSymbolState({ symbol: warmedSymbol, lastEventTime: warmedTime - 1, lastPrice: 99 });
    const watcher = await subscribed({ trades: [warmedSymbol] });
    // Later in the stream than the item the gateway read, although older in event time: it is the new last trade.
    const trade = enrichedTrade(warmedSymbol, 121, warmedTime - 1_000, 1);
    await gateway.produce([trade]);
    expect((await watcher.waitForData('trade', 1)).map((frame) => frame['id'])).toEqual([trade.id]);
    const updated = { ...warmed, lastPrice: 121, changePercent: 21, previousCloseDate: trade.payload.previousCloseDate };
    expect(await snapshotsOf(warmedSymbol)).toEqual({ stream: updated, rest: updated, graph: updated });
  });

  it('serves the state of the consumed stream on all three, with no symbol-state item at all', async () => {
    const symbol = uniqueSymbol();
    const t = Date.now();
    const watcher = await subscribed({ quotes: [symbol] });
    const [trade, quote] = [enrichedTrade(symbol, 50, t, 1), enrichedQuote(symbol, 49.9, 50.1, t + 1, 2)];
    await gateway.produce([trade, quote]);
    await watcher.waitForData('quote', 1);
    const expected = {
      symbol,
      lastEventTime: t + 1,
      lastPrice: 50,
      previousClose: 100,
      previousCloseDate: trade.payload.previousCloseDate,
      changePercent: -50,
      bidPrice: 49.9,
      askPrice: 50.1,
      bidSize: quote.payload.bidSize,
      askSize: quote.payload.askSize,
      halted: false,
    };
    expect(await snapshotsOf(symbol)).toEqual({ stream: expected, rest: expected, graph: expected });
  });

  it('falls back to symbol-state on REST and GraphQL only, for a symbol this gateway has no state for', async () => {
    const symbol = uniqueSymbol();
    await gateway.putSymbolState({ symbol, lastEventTime: 1_700_000_000_000, lastPrice: 10 });
    const stored = { symbol, lastEventTime: 1_700_000_000_000, lastPrice: 10, previousClose: 100, changePercent: -90 };
    expect(await snapshotsOf(symbol)).toEqual({ stream: null, rest: stored, graph: stored });
    expect(await snapshotsOf(uniqueSymbol())).toEqual({ stream: null, rest: null, graph: null });
  });
});
