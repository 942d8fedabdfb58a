import { type Client, createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import {
  buildEvent,
  CORRECTION_V1_FIXTURES,
  HALT_V1_FIXTURES,
  type CorrectionV1Event,
  type HaltV1Event,
} from '@tickwire/contracts';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { bar1m, uniqueSymbol } from '../testing/market-event-builders';
import { StreamTestClient } from '../testing/stream-test-client';

/**
 * Corrections, restated bars and trading statuses reach customers on every protocol: produced to the
 * real customer topics (market.corrections.v1, market.bars.1m.v1, market.halts.v1) with a symbol no
 * one else uses, consumed by the gateway, received over /v1/stream and GraphQL.
 */
describe('corrections, restated bars and halts on the local stack', () => {
  let gateway: GatewayTestHarness;
  const sockets: StreamTestClient[] = [];
  const graphql: Client[] = [];

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start();
  });

  afterAll(async () => {
    for (const client of sockets) client.close();
    for (const client of graphql) await client.dispose();
    await gateway?.stop();
  });

  /** The golden customer events moved to `symbol` (ids do not depend on the symbol), and a restated bar. */
  const eventsOf = (symbol: string) => {
    const correction = structuredClone(CORRECTION_V1_FIXTURES[0]!.event) as CorrectionV1Event;
    correction.payload.symbol = symbol;
    const halt = structuredClone(HALT_V1_FIXTURES[0]!.event) as HaltV1Event;
    halt.payload.symbol = symbol;
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    const { schema: _schema, id: _id, ...bar } = bar1m(symbol, minute, 101);
    const restated = buildEvent('market.bar.1m.v1', { ...bar, payload: { ...bar.payload, revision: 1, restatedBy: correction.payload.sourceEventId } });
    return { correction, halt, restated };
  };

  it('/v1/stream: correction, status and restated-bar frames', async () => {
    const symbol = uniqueSymbol();
    const key = await gateway.createKey();
    const client = await StreamTestClient.connect(gateway.wsUrl('/v1/stream'));
    sockets.push(client);
    expect(await client.auth(key)).toMatchObject({ type: 'success' });
    expect(await client.subscribe({ corrections: [symbol], statuses: [symbol], bars: [symbol] })).toMatchObject({
      type: 'subscription',
      corrections: [symbol],
      statuses: [symbol],
      bars: [symbol],
    });
    const { correction, halt, restated } = eventsOf(symbol);
    await gateway.produce([correction, restated, halt]);
    // Three topics: their frames come in any order between topics.
    expect(await client.waitForData('correction', 1)).toEqual([
      { type: 'correction', symbol, eventTime: correction.eventTime, ingestTime: correction.ingestTime, id: correction.id, data: correction.payload },
    ]);
    expect(await client.waitForData('bar', 1)).toMatchObject([{ type: 'bar', id: restated.id, data: { revision: 1, restatedBy: correction.payload.sourceEventId } }]);
    expect(await client.waitForData('status', 1)).toMatchObject([{ type: 'status', symbol, id: halt.id, data: { halted: true, state: 'halted', statusCode: 'H' } }]);
  });

  it('GraphQL: corrections and statuses subscriptions, bars with revision', async () => {
    const symbol = uniqueSymbol();
    const key = await gateway.createKey();
    const client = createClient({ url: gateway.wsUrl('/v1/graphql'), webSocketImpl: WebSocket, connectionParams: { apiKey: key }, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
    graphql.push(client);
    const results: Record<string, unknown>[] = [];
    const errors: unknown[] = [];
    const sink = { next: (r: { data?: unknown; errors?: unknown }) => (r.errors ? errors.push(r.errors) : results.push(r.data as Record<string, unknown>)), error: (e: unknown) => errors.push(e), complete: () => undefined };
    const filter = { symbol: { eq: symbol } };
    client.subscribe({ query: 'subscription($f: CorrectionFilter) { corrections(filter: $f) { id symbol kind tradeId correctedPrice outcome barId barRevision } }', variables: { f: filter } }, sink);
    client.subscribe({ query: 'subscription($f: StatusFilter) { statuses(filter: $f) { id symbol halted state statusCode reasonCode } }', variables: { f: filter } }, sink);
    client.subscribe({ query: 'subscription($f: BarFilter) { bars(filter: $f) { id revision restatedBy close } }', variables: { f: filter } }, sink);
    // The subscriptions are registered when the gateway has processed them: give the server a moment.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const { correction, halt, restated } = eventsOf(symbol);
    await gateway.produce([correction, restated, halt]);
    const deadline = Date.now() + 15_000;
    while (results.length < 3 && errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(errors).toEqual([]);
    expect(results).toEqual(
      expect.arrayContaining([
        { corrections: { id: correction.id, symbol, kind: 'correction', tradeId: '96921', correctedPrice: 126.5, outcome: 'restated', barId: 'AAPL:1614009060000', barRevision: 1 } },
        { statuses: { id: halt.id, symbol, halted: true, state: 'halted', statusCode: 'H', reasonCode: 'T12' } },
        { bars: { id: restated.id, revision: 1, restatedBy: correction.payload.sourceEventId, close: 101 } },
      ]),
    );
  });
});
