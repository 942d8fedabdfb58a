import { TOPICS } from '@tickwire/contracts';
import type { CustomerEvent } from '@tickwire/subscriptions';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { bar1m, enrichedQuote, enrichedTrade, priceAlert, uniqueSymbol } from '../testing/market-event-builders';
import { StreamTestClient } from '../testing/stream-test-client';

/**
 * The `/v1/stream` protocol against the gateway on the real local stack: events are produced to the
 * real customer topics (with symbols no one else uses) and consumed by the gateway's own consumer.
 */
describe('/v1/stream on the local stack', () => {
  let gateway: GatewayTestHarness;
  const clients: StreamTestClient[] = [];
  const connect = async (): Promise<StreamTestClient> => {
    const client = await StreamTestClient.connect(gateway.wsUrl('/v1/stream'));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start({ STREAM_AUTH_TIMEOUT_MS: '1500', STREAM_SUBSCRIBE_BURST: '6', STREAM_SUBSCRIBE_PER_SECOND: '0.1' });
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('authenticates, refuses what it must with the documented codes, and stays up on bad frames', async () => {
    const key = await gateway.createKey({ channels: ['trades', 'bars'], symbols: ['AAPL', 'AMZN', 'GOOG'], maxSymbols: 2 });
    const client = await connect();

    client.send({ action: 'subscribe', trades: ['AAPL'] });
    expect(await client.next((f) => f.type === 'error')).toEqual({ type: 'error', code: 401, msg: 'not authenticated' });
    client.send('not json');
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 400, msg: 'invalid syntax', detail: 'frame is not JSON' });
    client.send({ action: 'subscribe', trades: ['aapl'] });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 400 });
    expect(await client.auth('tw_not-a-key')).toEqual({ type: 'error', code: 402, msg: 'auth failed' });
    expect(await client.auth(key)).toMatchObject({ type: 'success', msg: 'authenticated' });
    expect(await client.auth(key)).toEqual({ type: 'error', code: 403, msg: 'already authenticated' });

    expect(await client.subscribe({ quotes: ['AAPL'] })).toMatchObject({ code: 409, msg: 'not entitled', detail: 'quotes:AAPL' });
    expect(await client.subscribe({ trades: ['TSLA'] })).toMatchObject({ code: 409, detail: 'trades:TSLA' });
    expect(await client.subscribe({ trades: ['*'] })).toMatchObject({ code: 409, detail: 'trades:*' });
    expect(await client.subscribe({ trades: ['AAPL'] })).toEqual({ type: 'subscription', trades: ['AAPL'], quotes: [], enriched: [], bars: [], alerts: [], corrections: [], statuses: [] });
    expect(await client.subscribe({ bars: ['AMZN'] })).toEqual({ type: 'subscription', trades: ['AAPL'], quotes: [], enriched: [], bars: ['AMZN'], alerts: [], corrections: [], statuses: [] });
    expect(await client.subscribe({ bars: ['GOOG'] })).toMatchObject({ code: 405, msg: 'symbol limit exceeded' });
    // The refused subscribe changed nothing; unsubscribe acks the full subscription too.
    client.send({ action: 'unsubscribe', trades: ['AAPL'] });
    expect(await client.next((f) => f.type === 'subscription' || f.type === 'error')).toMatchObject({ code: 408, msg: 'rate limit exceeded' });
    client.send({ action: 'ping' });
    expect(await client.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
  });

  it('closes a connection that does not authenticate in time (404, close 4408 as graphql-ws)', async () => {
    const client = await connect();
    expect(await client.next((f) => f.type === 'error', 5_000)).toEqual({ type: 'error', code: 404, msg: 'auth timeout' });
    expect(await client.whenClosed()).toBe(4408);
  });

  it('enforces the per-customer connection limit (406, close 4006) and frees the slot on close', async () => {
    const key = await gateway.createKey({ maxConnections: 1 });
    const first = await connect();
    expect(await first.auth(key)).toMatchObject({ msg: 'authenticated' });
    const second = await connect();
    expect(await second.auth(key)).toEqual({ type: 'error', code: 406, msg: 'connection limit exceeded', detail: 'limit 1' });
    expect(await second.whenClosed()).toBe(4006);
    first.close();
    await first.whenClosed();
    const third = await connect();
    expect(await third.auth(key)).toMatchObject({ msg: 'authenticated' });
  });

  it('refuses a frame above the maximum payload by closing (1009), and keeps serving others', async () => {
    const client = await connect();
    client.send({ action: 'auth', key: 'x'.repeat(70 * 1024) });
    expect(await client.whenClosed()).toBe(1009);
    const other = await connect();
    other.send({ action: 'ping' });
    expect(await other.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
  });

  it('delivers exactly the subscribed channels and symbols, in order per symbol', async () => {
    const key = await gateway.createKey();
    const [s1, s2, s3] = [uniqueSymbol(), uniqueSymbol(), uniqueSymbol()];
    const tradesOfS1 = await connect();
    const enrichedOfS2AndAllBars = await connect();
    const quotesAndAlertsOfS3 = await connect();
    for (const client of [tradesOfS1, enrichedOfS2AndAllBars, quotesAndAlertsOfS3]) await client.auth(key);
    await tradesOfS1.subscribe({ trades: [s1] });
    await enrichedOfS2AndAllBars.subscribe({ enriched: [s2], bars: ['*'] });
    await quotesAndAlertsOfS3.subscribe({ quotes: [s3], alerts: [s3] });
    // Snapshots of the three (no state yet: data null) come before any delta.
    await tradesOfS1.next((f) => f.type === 'snapshot');

    const t0 = Date.now();
    const produced: CustomerEvent[] = [];
    for (let i = 0; i < 20; i++) {
      produced.push(enrichedTrade(s1, 100 + i, t0 + i, i), enrichedTrade(s2, 200 + i, t0 + i, i), enrichedTrade(s3, 300 + i, t0 + i, i));
      produced.push(enrichedQuote(s1, 99, 101, t0 + i, 100 + i), enrichedQuote(s3, 299, 301, t0 + i, 100 + i));
    }
    produced.push(bar1m(s1, Math.floor(t0 / 60_000) * 60_000, 101), bar1m(s3, Math.floor(t0 / 60_000) * 60_000, 301));
    produced.push(priceAlert(s3, t0 + 30), priceAlert(s1, t0 + 31));
    const [enrichedFrom, barsFrom, alertsFrom] = await Promise.all([TOPICS.enriched, TOPICS.bars1m, TOPICS.alerts].map((topic) => gateway.endOffsets(topic)));
    await gateway.produce(produced);

    // The reference: what the topics hold for these symbols, read back from Kafka.
    const symbols = [s1, s2, s3];
    const events = [
      ...(await gateway.readTopic(TOPICS.enriched, enrichedFrom!, symbols, produced.filter((e) => e.schema === 'market.enriched.v1').length)),
      ...(await gateway.readTopic(TOPICS.bars1m, barsFrom!, symbols, 2)),
      ...(await gateway.readTopic(TOPICS.alerts, alertsFrom!, symbols, 2)),
    ];
    expect(events).toHaveLength(produced.length);
    const expectIds = (predicate: (e: CustomerEvent) => boolean) => events.filter(predicate).map((e) => e.id);
    const isTrade = (symbol: string) => (e: CustomerEvent) => e.schema === 'market.enriched.v1' && e.payload.symbol === symbol && e.payload.kind === 'trade';
    const isQuote = (symbol: string) => (e: CustomerEvent) => e.schema === 'market.enriched.v1' && e.payload.symbol === symbol && e.payload.kind === 'quote';
    const isEnriched = (symbol: string) => (e: CustomerEvent) => e.schema === 'market.enriched.v1' && e.payload.symbol === symbol;

    expect((await tradesOfS1.waitForData('trade', 20)).map((f) => f['id'])).toEqual(expectIds(isTrade(s1)));
    expect((await enrichedOfS2AndAllBars.waitForData('enriched', 20)).map((f) => f['id'])).toEqual(expectIds(isEnriched(s2)));
    const bars = await enrichedOfS2AndAllBars.waitForData('bar', 2);
    expect(bars.map((f) => f['symbol']).filter((s) => s === s1 || s === s3).sort()).toEqual([s1, s3].sort());
    expect((await quotesAndAlertsOfS3.waitForData('quote', 20)).map((f) => f['id'])).toEqual(expectIds(isQuote(s3)));
    expect((await quotesAndAlertsOfS3.waitForData('alert', 1)).map((f) => f['symbol'])).toEqual([s3]);

    // A trade frame carries the raw trade; nothing else arrived on any connection.
    const firstTrade = tradesOfS1.dataFrames('trade')[0]!;
    expect(firstTrade).toMatchObject({ type: 'trade', symbol: s1, eventTime: t0, data: { symbol: s1, price: 100 } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(tradesOfS1.dataFrames().length).toBe(20);
    expect(enrichedOfS2AndAllBars.dataFrames('enriched').length).toBe(20);
    expect(enrichedOfS2AndAllBars.dataFrames().filter((f) => f.type !== 'enriched' && f.type !== 'bar')).toEqual([]);
    expect(quotesAndAlertsOfS3.dataFrames().length).toBe(21);
  });

  it('sends the snapshot first (the state after the events consumed so far), then every later event, older event times too', async () => {
    const key = await gateway.createKey();
    const symbol = uniqueSymbol();
    const t = Date.now() - 10_000;
    const watcher = await connect();
    await watcher.auth(key);
    await watcher.subscribe({ trades: [symbol] });
    await gateway.produce([enrichedTrade(symbol, 140, t - 5_000, 1), enrichedQuote(symbol, 149.9, 150.1, t - 1, 2), enrichedTrade(symbol, 150, t, 3)]);
    // The watcher got both trades: the gateway consumed all three (one partition, in order).
    await watcher.waitForData('trade', 2);
    // symbol-state behind the stream (the enricher writes it asynchronously): not what a snapshot shows.
    await gateway.putSymbolState({ symbol, lastEventTime: t - 5_000, lastPrice: 140 });

    const client = await connect();
    await client.auth(key);
    await client.subscribe({ trades: [symbol], enriched: [symbol] });
    // After the snapshot in the stream; the first is older in event time than the snapshot.
    const [older, newer] = [enrichedTrade(symbol, 145, t - 1_000, 4), enrichedTrade(symbol, 151, t + 1, 5)];
    await gateway.produce([older, newer]);
    await client.waitForData('trade', 2);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const sequence = client.frames.filter((f) => ['snapshot', 'trade', 'enriched'].includes(f.type));
    expect(sequence[0]).toEqual({
      type: 'snapshot',
      symbol,
      eventTime: t,
      data: { symbol, lastEventTime: t, lastPrice: 150, previousClose: 100, previousCloseDate: expect.any(String), changePercent: 50, bidPrice: 149.9, askPrice: 150.1, bidSize: expect.any(Number), askSize: expect.any(Number), halted: false },
    });
    expect(sequence.filter((f) => f.type === 'snapshot')).toHaveLength(1);
    expect(sequence.slice(1).map((f) => [f.type, (f['data'] as { price?: number; lastPrice?: number }).price ?? (f['data'] as { lastPrice: number }).lastPrice])).toEqual([
      ['enriched', 145],
      ['trade', 145],
      ['enriched', 151],
      ['trade', 151],
    ]);
    // Every data frame carries the raw record's ingestTime beside eventTime.
    expect(sequence.slice(1).map((f) => [f['id'], f['eventTime'], f['ingestTime']])).toEqual([
      [older.id, t - 1_000, older.ingestTime],
      [older.id, t - 1_000, older.ingestTime],
      [newer.id, t + 1, newer.ingestTime],
      [newer.id, t + 1, newer.ingestTime],
    ]);
  });
});
