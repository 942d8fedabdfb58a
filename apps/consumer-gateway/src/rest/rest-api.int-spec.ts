import { request as httpRequest } from 'node:http';
import { createLocalOpenSearch } from '@tickwire/testing';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { indexAsIndexer } from '../testing/search-history';
import {
  bar1m,
  enrichedQuote,
  enrichedTrade,
  priceAlert,
  uniqueSymbol,
} from '../testing/market-event-builders';

const PROBLEM = 'tag:tickwire,2026:problems/';

/** REST snapshots (here DynamoDB symbol-state: symbols the gateway has not consumed) and history (OpenSearch) against the local stack. */
describe('REST API on the local stack', () => {
  let gateway: GatewayTestHarness;
  let key: string;
  const openSearch = createLocalOpenSearch();
  const [symbol, other, third] = [uniqueSymbol(), uniqueSymbol(), uniqueSymbol()];
  const minute = Date.UTC(2012, 5, 21, 13, 30);

  const get = (path: string, apiKey: string | null = key, method = 'GET') =>
    fetch(`${gateway.running.url}${path}`, { method, headers: apiKey ? { 'x-api-key': apiKey } : {} });
  const problemOf = async (response: Response) => {
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    return (await response.json()) as {
      type: string;
      status: number;
      title: string;
      detail: string;
      errors?: { parameter: string; detail: string }[];
    };
  };

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start();
    key = await gateway.createKey({
      channels: ['trades', 'quotes', 'enriched', 'bars', 'alerts'],
      symbols: [symbol, other],
    });
    await indexAsIndexer(
      openSearch,
      'bars-1m',
      Array.from({ length: 5 }, (_, i) => bar1m(symbol, minute + i * 60_000, 100 + i)),
    );
    await indexAsIndexer(openSearch, 'alerts', [
      priceAlert(symbol, minute + 90_000),
      priceAlert(other, minute + 30_000),
      priceAlert(third, minute + 60_000),
    ]);
    await indexAsIndexer(openSearch, 'enriched', [
      enrichedTrade(symbol, 101.5, minute + 1_000, 1),
      enrichedQuote(symbol, 101.4, 101.6, minute + 1_500, 2),
      enrichedTrade(symbol, 101.7, minute + 2_000, 3),
      enrichedTrade(other, 55, minute + 2_500, 4),
    ]);
    await gateway.putSymbolState({
      symbol,
      lastEventTime: minute + 299_000,
      lastPrice: 104,
      bidPrice: 103.99,
      askPrice: 104.01,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await openSearch.close();
  });

  it('refuses missing and invalid keys (401) and unentitled symbols or channels (403) as problem details', async () => {
    expect(await problemOf(await get(`/v1/snapshots/${symbol}`, null))).toMatchObject({
      type: `${PROBLEM}unauthenticated`,
      status: 401,
      title: 'Missing or invalid API key',
    });
    expect((await problemOf(await get(`/v1/snapshots/${symbol}`, 'tw_nope'))).type).toBe(
      `${PROBLEM}unauthenticated`,
    );
    expect(await problemOf(await get('/v1/snapshots/AAPL'))).toMatchObject({
      type: `${PROBLEM}not-entitled`,
      status: 403,
    });
    const barsOnly = await gateway.createKey({ channels: ['bars'], symbols: [symbol] });
    expect((await problemOf(await get(`/v1/alerts?symbol=${symbol}&from=0&to=1`, barsOnly))).status).toBe(
      403,
    );
  });

  it('checks the entitlement before the other parameters: an unentitled request with bad parameters is 403, not 400', async () => {
    const barsOnly = await gateway.createKey({ channels: ['bars'], symbols: [symbol] });
    expect((await get(`/v1/alerts?symbol=${symbol}&from=yesterday`, barsOnly)).status).toBe(403);
    expect((await get('/v1/bars?symbol=AAPL&limit=many', barsOnly)).status).toBe(403);
    expect((await get('/v1/bars?symbol=aapl', barsOnly)).status).toBe(403);
    expect((await get('/v1/snapshots/aapl', barsOnly)).status).toBe(403);
    // Entitled: now the parameters are checked, each named.
    const problem = await problemOf(await get(`/v1/bars?symbol=${symbol}&from=yesterday&limit=0`, barsOnly));
    expect(problem).toMatchObject({ type: `${PROBLEM}invalid-parameter`, status: 400 });
    expect(problem.errors).toEqual([
      { parameter: 'from', detail: expect.stringContaining('epoch ms UTC') },
      { parameter: 'to', detail: 'is required' },
      { parameter: 'limit', detail: 'must be an integer from 1 to 10000' },
    ]);
  });

  it('serves the snapshot of a symbol, 404 when it has none, 400 for a symbol in lower case', async () => {
    const response = await get(`/v1/snapshots/${symbol}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      symbol,
      lastEventTime: minute + 299_000,
      lastPrice: 104,
      bidPrice: 103.99,
      askPrice: 104.01,
    });
    const allSymbols = await gateway.createKey({ channels: ['enriched'], symbols: ['*'] });
    expect(await problemOf(await get(`/v1/snapshots/${uniqueSymbol()}`, allSymbols))).toMatchObject({
      type: `${PROBLEM}not-found`,
      status: 404,
    });
    expect(await problemOf(await get(`/v1/snapshots/${symbol.toLowerCase()}`, allSymbols))).toMatchObject({
      type: `${PROBLEM}invalid-parameter`,
      status: 400,
    });
  });

  it('pages through bars with startTime in [from, to), oldest first, by next links (PIT + search_after)', async () => {
    const from = new Date(minute + 60_000).toISOString();
    const pages: { bars: { startTime: number; close: number }[]; next: string | null }[] = [];
    let path: string | null = `/v1/bars?symbol=${symbol}&from=${from}&to=${minute + 10 * 60_000}&limit=2`;
    while (path !== null && pages.length < 5) {
      const response = await get(path);
      expect(response.status).toBe(200);
      const page = (await response.json()) as (typeof pages)[number];
      expect(response.headers.get('link')).toBe(page.next === null ? null : `<${page.next}>; rel="next"`);
      pages.push(page);
      path = page.next;
    }
    expect(pages.map((page) => page.bars.map((bar) => [bar.startTime, bar.close]))).toEqual([
      [
        [minute + 60_000, 101],
        [minute + 120_000, 102],
      ],
      [
        [minute + 180_000, 103],
        [minute + 240_000, 104],
      ],
      [],
    ]);
    expect(pages[0]?.next).toMatch(
      new RegExp(`^/v1/bars\\?symbol=${symbol}&from=.+&to=\\d+&limit=2&cursor=\\d+\\.[\\w-]+\\.[\\w-]+$`),
    );
    // to <= from is an empty range, not an error.
    expect(await get(`/v1/bars?symbol=${symbol}&from=${minute}&to=${minute}`).then((r) => r.json())).toEqual({
      symbol,
      bars: [],
      next: null,
    });
  });

  it('continues a cursor whose point in time is gone (expired or unknown) after the same position', async () => {
    const first = (await get(
      `/v1/bars?symbol=${symbol}&from=${minute}&to=${minute + 10 * 60_000}&limit=3`,
    ).then((r) => r.json())) as { next: string };
    const [prefix, cursor] = first.next.split('cursor=') as [string, string];
    const [time, id] = cursor.split('.');
    const forged = `${prefix}cursor=${time}.${id}.${Buffer.from('no-such-pit').toString('base64url')}`;
    const rest = (await get(forged).then((r) => r.json())) as {
      bars: { close: number }[];
      next: string | null;
    };
    expect([rest.bars.map((bar) => bar.close), rest.next]).toEqual([[103, 104], null]);
  });

  it('serves every trade and quote of a symbol from the enriched history', async () => {
    const query = `symbol=${symbol}&from=${minute}&to=${minute + 60_000}`;
    const trades = (await get(`/v1/trades?${query}`).then((r) => r.json())) as {
      symbol: string;
      trades: Record<string, unknown>[];
      next: null;
    };
    expect(
      trades.trades.map((trade) => [trade['price'], trade['size'], trade['eventTime'], trade['symbol']]),
    ).toEqual([
      [101.5, expect.any(Number), minute + 1_000, symbol],
      [101.7, expect.any(Number), minute + 2_000, symbol],
    ]);
    expect(trades.trades[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        ingestTime: expect.any(Number),
        source: expect.any(String),
      }),
    );
    expect(trades.trades[0]).not.toHaveProperty('lastPrice');
    const quotes = (await get(`/v1/quotes?${query}`).then((r) => r.json())) as {
      quotes: Record<string, unknown>[];
    };
    expect(quotes.quotes.map((quote) => [quote['bidPrice'], quote['askPrice'], quote['eventTime']])).toEqual([
      [101.4, 101.6, minute + 1_500],
    ]);
  });

  it('serves alerts of one symbol, or of every entitled symbol without one, filtered by type', async () => {
    const window = `from=${minute}&to=${minute + 600_000}`;
    const all = (await get(`/v1/alerts?${window}`).then((r) => r.json())) as {
      symbol: null;
      alerts: { symbol: string; eventTime: number }[];
    };
    expect([all.symbol, all.alerts.map((alert) => alert.symbol)]).toEqual([null, [other, symbol]]);
    const one = (await get(`/v1/alerts?symbol=${symbol}&${window}`).then((r) => r.json())) as {
      alerts: { alertType: string; symbol: string }[];
    };
    expect(one.alerts).toEqual([expect.objectContaining({ alertType: 'price-change-threshold', symbol })]);
    expect(
      (
        (await get(`/v1/alerts?symbol=${symbol}&${window}&type=ma-cross`).then((r) => r.json())) as {
          alerts: unknown[];
        }
      ).alerts,
    ).toEqual([]);
    expect((await problemOf(await get(`/v1/alerts?symbol=${symbol}&${window}&type=news`))).errors).toEqual([
      { parameter: 'type', detail: expect.stringContaining('must be one of') },
    ]);
  });

  it('answers other methods with 405 and Allow, unknown paths with 404, as problem details', async () => {
    // fetch refuses TRACE, so node:http sends it.
    const trace = await new Promise<{ status?: number; allow?: string; type?: string; body: string }>(
      (resolve, reject) => {
        const request = httpRequest(
          `${gateway.running.url}/v1/bars?symbol=${symbol}`,
          { method: 'TRACE', headers: { 'x-api-key': key } },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () =>
              resolve({
                status: response.statusCode,
                allow: response.headers.allow,
                type: response.headers['content-type'],
                body,
              }),
            );
          },
        );
        request.on('error', reject);
        request.end();
      },
    );
    expect([
      trace.status,
      trace.allow,
      trace.type,
      (JSON.parse(trace.body) as { type: string }).type,
    ]).toEqual([405, 'GET, HEAD', 'application/problem+json; charset=utf-8', `${PROBLEM}method-not-allowed`]);
    for (const method of ['POST', 'DELETE', 'PUT', 'PATCH']) {
      const response = await get(`/v1/snapshots/${symbol}`, key, method);
      expect([response.status, response.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
      expect((await problemOf(response)).type).toBe(`${PROBLEM}method-not-allowed`);
    }
    expect((await problemOf(await get('/v1/nothing-here'))).status).toBe(404);
  });

  it('lists the streams with their JSON Schemas, each downloadable', async () => {
    const { streams } = (await fetch(`${gateway.running.url}/v1/streams`).then((r) => r.json())) as {
      streams: { topic: string; schema: string; schemaUrl: string }[];
    };
    expect(streams.map((stream) => stream.topic)).toContain('market.enriched.v1');
    for (const stream of streams) {
      const response = await fetch(`${gateway.running.url}${stream.schemaUrl}`);
      expect([response.status, response.headers.get('content-type')]).toEqual([
        200,
        'application/schema+json; charset=utf-8',
      ]);
      expect(await response.json()).toMatchObject({
        $schema: 'http://json-schema.org/draft-07/schema#',
        properties: { schema: { const: stream.schema } },
      });
    }
    expect(
      (await problemOf(await fetch(`${gateway.running.url}/v1/streams/market.trades.v1/schema`))).status,
    ).toBe(404);
  });

  it('publishes an OpenAPI 3.1 document with response and problem schemas, and Swagger UI at /docs', async () => {
    expect((await fetch(`${gateway.running.url}/docs`)).status).toBe(200);
    const document = (await fetch(`${gateway.running.url}/docs-json`).then((r) => r.json())) as {
      openapi: string;
      paths: Record<
        string,
        {
          get: {
            responses: Record<string, { content?: Record<string, unknown> }>;
            parameters?: { name: string; schema: Record<string, unknown> }[];
          };
        }
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/snapshots/{symbol}',
        '/v1/bars',
        '/v1/trades',
        '/v1/quotes',
        '/v1/alerts',
        '/v1/streams',
        '/v1/streams/{name}/schema',
      ]),
    );
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['SymbolSnapshot', 'Bar', 'Trade', 'Quote', 'Alert', 'BarsPage', 'Problem']),
    );
    const bars = document.paths['/v1/bars']!.get;
    expect(Object.keys(bars.responses).sort()).toEqual(['200', '400', '401', '403', '429']);
    expect(bars.responses['400']?.content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
    expect(bars.parameters?.find((parameter) => parameter.name === 'limit')?.schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 10_000,
    });
  });
});
