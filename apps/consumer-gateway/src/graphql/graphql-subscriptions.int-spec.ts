import { type Client, createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import type { CustomerEvent } from '@tickwire/subscriptions';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { bar1m, enrichedTrade, priceAlert, uniqueSymbol } from '../testing/market-event-builders';

/** A graphql-ws subscription collecting its results until unsubscribed. */
function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: Record<string, unknown>[] = [];
  const errors: unknown[] = [];
  const unsubscribe = client.subscribe<Record<string, unknown>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        else if (result.data) results.push(result.data);
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return { results, errors, unsubscribe };
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** GraphQL subscriptions (graphql-ws, the real client) against the gateway on the local stack. */
describe('GraphQL subscriptions on the local stack', () => {
  let gateway: GatewayTestHarness;
  const clients: Client[] = [];
  const connect = (apiKey: string | undefined, onClosed?: (code: number) => void): Client => {
    const client = createClient({
      url: gateway.wsUrl('/v1/graphql'),
      webSocketImpl: WebSocket,
      connectionParams: apiKey === undefined ? {} : { apiKey },
      retryAttempts: 0,
      lazy: false,
      // The close code is asserted through on.closed; the default handler would only log it.
      onNonLazyError: () => undefined,
      on: { closed: (event) => onClosed?.((event as { code: number }).code) },
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start();
  });

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await gateway?.stop();
  });

  it('refuses a connection without a valid key (4403 Forbidden)', async () => {
    const codes: number[] = [];
    connect(undefined, (code) => codes.push(code));
    connect('tw_wrong', (code) => codes.push(code));
    await until(() => codes.length === 2, 'both connections to close');
    expect(codes).toEqual([4403, 4403]);
  });

  it('delivers exactly the events matching AppSync-style filters', async () => {
    const key = await gateway.createKey();
    const client = connect(key);
    const [s1, s2, s3] = [uniqueSymbol(), uniqueSymbol(), uniqueSymbol()];
    // `in` with more than AppSync's 5 values; changePercent = price - 100 (previous close 100).
    const others = Array.from({ length: 20 }, () => uniqueSymbol());
    const falling = collect(
      client,
      'subscription($filter: EnrichedFilter) { enriched(filter: $filter) { id symbol lastPrice changePercent previousCloseStale kind trade { price } } }',
      { filter: { symbol: { in: [s1, s2, ...others] }, changePercent: { le: -1 }, kind: { eq: 'trade' } } },
    );
    const band = collect(client, 'subscription { enriched(filter: { symbol: { eq: "' + s3 + '" }, price: { between: [101, 103] } }) { id lastPrice eventTime ingestTime } }');
    const alerts = collect(client, 'subscription { alerts(filter: { alertType: { in: ["price-change-threshold"] }, or: [{ symbol: { eq: "' + s1 + '" } }, { symbol: { eq: "' + s3 + '" } }] }) { id symbol alertType price } }');
    const bars = collect(client, 'subscription { bars(filter: { symbol: { ne: "' + s2 + '" }, close: { gt: 100 } }) { id symbol close ingestTime } }');
    // The subscriptions are registered once the server acknowledged them; a round trip guarantees it.
    await client.iterate({ query: 'query { snapshot(symbol: "' + s1 + '") { symbol } }' }).next();

    const t0 = Date.now();
    const events: CustomerEvent[] = [];
    for (let i = 0; i < 10; i++) {
      for (const symbol of [s1, s2, s3]) events.push(enrichedTrade(symbol, 96 + i, t0 + i, i));
    }
    const minute = Math.floor(t0 / 60_000) * 60_000;
    events.push(priceAlert(s1, t0 + 20), priceAlert(s2, t0 + 21), priceAlert(s3, t0 + 22));
    events.push(bar1m(s1, minute, 101), bar1m(s2, minute, 102), bar1m(s3, minute, 99));
    await gateway.produce(events);

    // Expected sets computed from the produced events, independently of the filter code.
    const enriched = events.filter((e) => e.schema === 'market.enriched.v1') as Extract<CustomerEvent, { schema: 'market.enriched.v1' }>[];
    const expectedFalling = enriched.filter((e) => [s1, s2].includes(e.payload.symbol) && (e.payload.lastPrice ?? 0) - 100 <= -1).map((e) => e.id);
    const expectedBand = enriched.filter((e) => e.payload.symbol === s3 && (e.payload.lastPrice ?? 0) >= 101 && (e.payload.lastPrice ?? 0) <= 103).map((e) => e.id);
    await until(() => falling.results.length >= expectedFalling.length && band.results.length >= expectedBand.length && alerts.results.length >= 2, 'filtered results');
    await until(() => bars.results.filter((r) => [s1, s2, s3].includes((r['bars'] as { symbol: string }).symbol)).length >= 1, 'bars');
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(expectedFalling).toHaveLength(8); // prices 96..99 for s1 and s2
    // Order is guaranteed per symbol (one partition each), not across symbols.
    const bySymbol = (ids: string[]) => [s1, s2].map((symbol) => ids.filter((id) => enriched.find((e) => e.id === id)?.payload.symbol === symbol));
    expect(bySymbol(falling.results.map((r) => (r['enriched'] as { id: string }).id))).toEqual(bySymbol(expectedFalling));
    expect(falling.results).toHaveLength(expectedFalling.length);
    expect(falling.results).toContainEqual({ enriched: { id: expectedFalling[0], symbol: s1, lastPrice: 96, changePercent: -4, previousCloseStale: false, kind: 'trade', trade: { price: 96 } } });
    expect(band.results.map((r) => (r['enriched'] as { id: string }).id)).toEqual(expectedBand);
    // The envelope's times beside the payload: ingestTime is when the raw record came in.
    const byId = new Map(events.map((e) => [e.id, e]));
    expect(band.results.map((r) => r['enriched'])).toEqual(expectedBand.map((id) => ({ id, lastPrice: expect.any(Number), eventTime: byId.get(id)!.eventTime, ingestTime: byId.get(id)!.ingestTime })));
    expect(alerts.results.map((r) => (r['alerts'] as { symbol: string }).symbol).sort()).toEqual([s1, s3].sort());
    expect(bars.results.map((r) => (r['bars'] as { symbol: string; close: number })).filter((bar) => [s1, s2, s3].includes(bar.symbol))).toEqual([{ id: `${s1}:${minute}`, symbol: s1, close: 101, ingestTime: byId.get(`${s1}:${minute}`)!.ingestTime }]);
    expect([falling, band, alerts, bars].flatMap((s) => s.errors)).toEqual([]);
    for (const subscription of [falling, band, alerts, bars]) subscription.unsubscribe();
  });

  it('refuses unentitled channels and symbols, and invalid filters, with error codes', async () => {
    const symbol = uniqueSymbol();
    const key = await gateway.createKey({ channels: ['bars'], symbols: [symbol] });
    const client = connect(key);
    const wrongChannel = collect(client, 'subscription { enriched { id } }');
    const wrongSymbol = collect(client, 'subscription { bars(filter: { symbol: { eq: "AAPL" } }) { id } }');
    const badFilter = collect(client, 'subscription { bars(filter: { symbol: { between: ["A"] } }) { id } }');
    // A symbol in lower case is refused as /v1/stream refuses it (400), not accepted to never match.
    const lowerCase = collect(client, `subscription { bars(filter: { symbol: { eq: "${symbol.toLowerCase()}" } }) { id } }`);
    await until(() => [wrongChannel, wrongSymbol, badFilter, lowerCase].every((subscription) => subscription.errors.length > 0), 'errors');
    const codeOf = (errors: unknown[]) => ((errors[0] as { extensions?: { code?: number } }).extensions?.code);
    expect(codeOf(wrongChannel.errors)).toBe(409);
    expect(codeOf(wrongSymbol.errors)).toBe(409);
    expect(codeOf(badFilter.errors)).toBe(400);
    expect(String((badFilter.errors[0] as { message: string }).message)).toContain('between: expected [low, high]');
    expect(codeOf(lowerCase.errors)).toBe(400);
    expect(String((lowerCase.errors[0] as { message: string }).message)).toContain(`symbol.eq: "${symbol.toLowerCase()}" is not a symbol`);
  });

  it('refuses a snapshot query for a symbol in lower case (400), as REST and /v1/stream do', async () => {
    const client = connect(await gateway.createKey());
    const result = await client.iterate({ query: 'query { snapshot(symbol: "aapl") { symbol } }' }).next();
    const errors = (result.value as { errors?: { message: string; extensions?: { code?: number } }[] }).errors ?? [];
    expect(errors.map((error) => [error.extensions?.code, error.message])).toEqual([[400, '"aapl" is not a symbol (upper case, e.g. AAPL, BF.B)']]);
  });

  it('answers the snapshot query from symbol-state', async () => {
    const symbol = uniqueSymbol();
    await gateway.putSymbolState({ symbol, lastEventTime: 1_700_000_000_000, lastPrice: 123.45, bidPrice: 123.4, askPrice: 123.5 });
    const client = connect(await gateway.createKey());
    const result = await client.iterate({ query: `query { snapshot(symbol: "${symbol}") { symbol lastEventTime lastPrice bidPrice askPrice } }` }).next();
    expect(result.value).toEqual({ data: { snapshot: { symbol, lastEventTime: 1_700_000_000_000, lastPrice: 123.45, bidPrice: 123.4, askPrice: 123.5 } } });
  });

  it('closes its connections with 4413 (server shutting down, as /v1/stream) when the gateway stops', async () => {
    const stopping = await GatewayTestHarness.start();
    const codes: number[] = [];
    const client = createClient({
      url: stopping.wsUrl('/v1/graphql'),
      webSocketImpl: WebSocket,
      connectionParams: { apiKey: await stopping.createKey() },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      on: { closed: (event) => codes.push((event as { code: number }).code) },
    });
    clients.push(client);
    await client.iterate({ query: 'query { snapshot(symbol: "AAPL") { symbol } }' }).next();
    await stopping.stop();
    await until(() => codes.length === 1, 'the GraphQL connection to close');
    expect(codes).toEqual([4413]);
  });
});
