import { dailyIndexName } from '@tickwire/resources';
import { createLocalOpenSearch } from '@tickwire/testing';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { bar1m, priceAlert, uniqueSymbol } from '../testing/market-event-builders';

/** REST snapshots (here DynamoDB symbol-state: symbols the gateway has not consumed) and history (OpenSearch) against the local stack. */
describe('REST API on the local stack', () => {
  let gateway: GatewayTestHarness;
  let key: string;
  const openSearch = createLocalOpenSearch();
  const symbol = uniqueSymbol();
  const minute = Date.UTC(2012, 5, 21, 13, 30);

  const get = (path: string, apiKey: string | null = key) =>
    fetch(`${gateway.running.url}${path}`, { headers: apiKey ? { 'x-api-key': apiKey } : {} });

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start();
    key = await gateway.createKey({ channels: ['enriched', 'bars', 'alerts'], symbols: [symbol] });
    // History as opensearch-indexer writes it: payload flattened next to the envelope fields.
    const body = [];
    for (let i = 0; i < 5; i++) {
      const bar = bar1m(symbol, minute + i * 60_000, 100 + i);
      body.push({ index: { _index: dailyIndexName('bars-1m', bar.eventTime), _id: bar.id } }, { ...bar.payload, id: bar.id, schema: bar.schema, eventTime: bar.eventTime, ingestTime: bar.ingestTime, source: bar.source });
    }
    const alert = priceAlert(symbol, minute + 90_000);
    body.push({ index: { _index: dailyIndexName('alerts', alert.eventTime), _id: alert.id } }, { ...alert.payload, id: alert.id, schema: alert.schema, eventTime: alert.eventTime, ingestTime: alert.ingestTime, source: alert.source });
    const response = await openSearch.bulk({ body, refresh: true });
    expect(response.body.errors).toBe(false);
    await gateway.putSymbolState({ symbol, lastEventTime: minute + 299_000, lastPrice: 104, bidPrice: 103.99, askPrice: 104.01 });
  });

  afterAll(async () => {
    await gateway?.stop();
    await openSearch.close();
  });

  it('refuses missing and invalid keys (401) and unentitled symbols or channels (403)', async () => {
    expect((await get(`/v1/snapshots/${symbol}`, null)).status).toBe(401);
    expect((await get(`/v1/snapshots/${symbol}`, 'tw_nope')).status).toBe(401);
    expect((await get('/v1/snapshots/AAPL')).status).toBe(403);
    const barsOnly = await gateway.createKey({ channels: ['bars'], symbols: [symbol] });
    expect((await get(`/v1/alerts?symbol=${symbol}&from=0&to=1`, barsOnly)).status).toBe(403);
  });

  it('serves the snapshot of a symbol, 404 when it has none, 400 for a bad symbol', async () => {
    const response = await get(`/v1/snapshots/${symbol}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ symbol, lastEventTime: minute + 299_000, lastPrice: 104, bidPrice: 103.99, askPrice: 104.01 });
    const unknownKey = await gateway.createKey({ channels: ['enriched'], symbols: ['*'] });
    expect((await get(`/v1/snapshots/${uniqueSymbol()}`, unknownKey)).status).toBe(404);
    expect((await get('/v1/snapshots/not-a-symbol', unknownKey)).status).toBe(400);
  });

  it('serves the bars with startTime in [from, to), oldest first, and validates the query', async () => {
    const from = new Date(minute + 60_000).toISOString();
    const response = await get(`/v1/bars?symbol=${symbol}&from=${from}&to=${minute + 4 * 60_000}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { bars: { startTime: number; close: number }[] };
    expect(body.bars.map((bar) => [bar.startTime, bar.close])).toEqual([
      [minute + 60_000, 101],
      [minute + 120_000, 102],
      [minute + 180_000, 103],
    ]);
    expect(((await get(`/v1/bars?symbol=${symbol}&from=${minute}&to=${minute + 10 * 60_000}&limit=2`).then((r) => r.json())) as { bars: unknown[] }).bars).toHaveLength(2);
    const bad = await get(`/v1/bars?symbol=${symbol}&from=${minute}&to=${minute}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('to must be after from');
  });

  it('serves alerts, filtered by type', async () => {
    const query = `symbol=${symbol}&from=${minute}&to=${minute + 600_000}`;
    const all = (await get(`/v1/alerts?${query}`).then((r) => r.json())) as { alerts: { alertType: string; symbol: string }[] };
    expect(all.alerts).toEqual([expect.objectContaining({ alertType: 'price-change-threshold', symbol })]);
    expect(((await get(`/v1/alerts?${query}&type=ma-cross`).then((r) => r.json())) as { alerts: unknown[] }).alerts).toEqual([]);
    expect((await get(`/v1/alerts?${query}&type=news`)).status).toBe(400);
  });

  it('publishes the OpenAPI document and Swagger UI at /docs', async () => {
    expect((await fetch(`${gateway.running.url}/docs`)).status).toBe(200);
    const document = (await fetch(`${gateway.running.url}/docs-json`).then((r) => r.json())) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/snapshots/{symbol}', '/v1/bars', '/v1/alerts', '/v1/streams']));
  });
});
