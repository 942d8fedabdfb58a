import WebSocket from 'ws';
import {
  BAR_SOURCE_1M_V1_FIXTURES,
  safeParseEventValue,
  TRADE_CANCEL_V1_FIXTURES,
  TRADE_CORRECTION_V1_FIXTURES,
  TRADING_STATUS_V1_FIXTURES,
  type TradeV1Event,
} from '@tickwire/contracts';
import { IterableSource } from '../core/iterable-source';
import { eventRecord, type EventRecord, type MarketEvent, type RejectedRecord, type SourceRecord } from '../core/source-record';
import { mapAlpacaDataMessage } from './alpaca-message-mapper';
import { LobsterReplaySource } from '../lobster/lobster-replay-source';
import { AlpacaProtocolServer, type AlpacaProtocolServerOptions } from './alpaca-protocol-server';
import { AlpacaSource, AlpacaStreamError, type AlpacaSourceEvent, type AlpacaSourceOptions } from './alpaca-source';

/** Loopback tests: the real client against our own protocol server on 127.0.0.1 (no Alpaca account involved). */
// Generous: these replay real LOBSTER data over a socket, and the dev box is shared.
jest.setTimeout(60_000);
const credentials = { keyId: 'PKTEST', secretKey: 'secret-test' };
const fastReconnect = { minDelayMs: 10, maxDelayMs: 50, jitter: false };

const servers: AlpacaProtocolServer[] = [];
const sources: AlpacaSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(options: Partial<AlpacaProtocolServerOptions> = {}): Promise<AlpacaProtocolServer> {
  const server = new AlpacaProtocolServer({ credentials, ...options });
  servers.push(server);
  await server.start();
  return server;
}

function client(server: AlpacaProtocolServer, options: Partial<AlpacaSourceOptions> = {}): { source: AlpacaSource; events: AlpacaSourceEvent[] } {
  const events: AlpacaSourceEvent[] = [];
  const source = new AlpacaSource({ url: server.url, credentials, subscription: {}, reconnect: fastReconnect, onEvent: (event) => events.push(event), ...options });
  sources.push(source);
  return { source, events };
}

/** Pulls records until `count` match `predicate`. */
async function take(iterator: AsyncIterator<SourceRecord>, count: number, predicate: (record: SourceRecord) => boolean = () => true): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  while (out.length < count) {
    const next = await iterator.next();
    if (next.done) throw new Error(`stream ended after ${out.length} matching records`);
    if (predicate(next.value)) out.push(next.value);
  }
  return out;
}

const isTrade = (symbol: string) => (record: SourceRecord) => record.kind === 'event' && record.event.schema === 'market.trade.v1' && record.event.payload.symbol === symbol;

/** Resolves when `predicate` holds, polling every 5 ms (fails after 30 s). */
async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('AlpacaSource against AlpacaProtocolServer (loopback)', () => {
  it('authenticates, subscribes (ack contents) and receives the replayed LOBSTER trades as valid events', async () => {
    const server = await startServer();
    const { source, events } = client(server, { subscription: { trades: ['AAPL'], quotes: ['AMZN'] } });
    const iterator = source[Symbol.asyncIterator]();
    const trades = (await take(iterator, 5, isTrade('AAPL'))).map((record) => (record.kind === 'event' ? (record.event as TradeV1Event) : undefined));

    expect(events.map((event) => event.type).slice(0, 4)).toEqual(['connecting', 'connected', 'authenticated', 'subscribed']);
    expect(source.subscription).toEqual({
      trades: ['AAPL'],
      quotes: ['AMZN'],
      bars: [],
      updatedBars: [],
      dailyBars: [],
      statuses: [],
      lulds: [],
      corrections: ['AAPL'],
      cancelErrors: ['AAPL'],
    });
    expect(source.connectionState).toBe('streaming');

    // The same trades straight from the LOBSTER files: exact time, price, size; tradeId = LOBSTER row.
    const expected: TradeV1Event[] = [];
    for await (const record of new LobsterReplaySource({ symbols: ['AAPL'], quotes: 'none' })) {
      if (record.kind === 'event') expected.push(record.event as TradeV1Event);
      if (expected.length === 5) break;
    }
    expect(trades.map((t) => [t?.eventTimeNs, t?.payload.price, t?.payload.size, t?.payload.tradeId, t?.source])).toEqual(
      expected.map((t) => [t.eventTimeNs, t.payload.price, t.payload.size, String(t.payload.sequence), 'alpaca']),
    );
    for (const trade of trades) expect(safeParseEventValue('market.trades.v1', trade).success).toBe(true);

    const amznQuote = await take(iterator, 1, (r) => r.kind === 'event' && r.event.schema === 'market.quote.v1');
    expect(amznQuote[0]).toMatchObject({ topic: 'market.quotes.v1', event: { payload: { symbol: 'AMZN', venue: 'Q' } } });
  }, 180_000);

  it('fails with 402 on wrong credentials, without reconnecting', async () => {
    const server = await startServer();
    const { source, events } = client(server, { credentials: { keyId: 'PKTEST', secretKey: 'wrong' }, subscription: { trades: ['AAPL'] } });
    const error = await source[Symbol.asyncIterator]().next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlpacaStreamError);
    expect(error).toMatchObject({ code: 402, message: expect.stringContaining('auth failed') });
    expect(events).toContainEqual({ type: 'server-error', code: 402, message: 'auth failed', handling: 'fatal' });
    expect(server.stats.connectionsAccepted).toBe(1);
    expect(events.some((event) => event.type === 'reconnecting')).toBe(false);
  });

  it('fails with 404 when the auth never lands within the server auth timeout', async () => {
    const server = await startServer({ ignoreAuth: true, authTimeoutMs: 100 });
    const { source } = client(server, { subscription: { trades: ['AAPL'] } });
    await expect(source[Symbol.asyncIterator]().next()).rejects.toMatchObject({ name: 'AlpacaStreamError', code: 404, message: expect.stringContaining('auth timeout') });
    expect(server.stats.errorsSent[404]).toBe(1);
  });

  it.each([
    ['409 insufficient subscription', { denyAuthWith: 409 as const }, { trades: ['AAPL'] }, 409],
    ['411 insufficient scope', { denyAuthWith: 411 as const }, { trades: ['AAPL'] }, 411],
    ['405 symbol limit exceeded', { symbolLimit: 1 }, { trades: ['AAPL', 'AMZN'] }, 405],
    ['410 invalid subscribe action', { channels: ['trades', 'quotes'] as const }, { bars: ['AAPL'] }, 410],
  ])('fails on %s', async (_name, serverOptions, subscription, code) => {
    const server = await startServer(serverOptions);
    const { source } = client(server, { subscription });
    await expect(source[Symbol.asyncIterator]().next()).rejects.toMatchObject({ name: 'AlpacaStreamError', code });
    expect(server.stats.connectionsAccepted).toBe(1);
  });

  it('reconnects with backoff after the server drops the connection and resubscribes', async () => {
    const server = await startServer();
    const { source, events } = client(server, { subscription: { trades: ['GOOG'] } });
    const iterator = source[Symbol.asyncIterator]();
    const before = await take(iterator, 20, isTrade('GOOG'));
    server.dropConnections();
    await until(() => events.filter((event) => event.type === 'subscribed').length === 2);
    const after = await take(iterator, 20, isTrade('GOOG'));

    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['disconnected', 'reconnecting', 'connecting', 'connected', 'authenticated', 'subscribed']),
    );
    expect(events.find((event) => event.type === 'reconnecting')).toEqual({ type: 'reconnecting', attempt: 1, delayMs: 10 });
    expect(server.stats.connectionsAccepted).toBe(2);
    expect(server.stats.subscribeRequests).toBe(2);
    expect(source.subscription?.trades).toEqual(['GOOG']);
    // The feed went on (live-like): trades after the reconnect are later LOBSTER rows.
    const sequence = (r: SourceRecord | undefined) => Number(r?.kind === 'event' && r.event.schema === 'market.trade.v1' ? r.event.payload.tradeId : Number.NaN);
    expect(sequence(after[0])).toBeGreaterThan(sequence(before[before.length - 1]));
  }, 180_000);

  it('backs off on 406 connection limit exceeded and connects once the other connection is gone', async () => {
    const server = await startServer({ maxConnections: 1 });
    const squatter = new WebSocket(server.url);
    await new Promise((resolve) => squatter.once('message', resolve)); // its "connected"
    const { source, events } = client(server, { subscription: { trades: ['AAPL'] } });
    const iterator = source[Symbol.asyncIterator]();
    const first = iterator.next();
    await until(() => events.some((event) => event.type === 'server-error' && event.code === 406));
    squatter.close();
    await first;
    expect(events).toContainEqual({ type: 'server-error', code: 406, message: 'connection limit exceeded', handling: 'reconnect' });
    expect(events.some((event) => event.type === 'subscribed')).toBe(true);
  }, 60_000);

  it('turns an invalid frame and an invalid trade into rejected records, publishes a trading status and keeps streaming', async () => {
    const server = await startServer();
    const { source, events } = client(server, { subscription: {} });
    const iterator = source[Symbol.asyncIterator]();
    const firstRecord = iterator.next();
    await until(() => events.some((event) => event.type === 'authenticated'));
    server.injectFrame('{not json');
    server.injectFrame(JSON.stringify([{ T: 't', S: 'AAPL', i: 1, x: 'Q', p: -5, s: 10, t: '2012-06-21T13:30:00.000000001Z' }]));
    server.injectFrame(JSON.stringify([{ T: 's', S: 'AAPL', sc: 'H', sm: 'Trading Halt', rc: 'T12', rm: 'Additional Information Requested by NASDAQ', t: '2012-06-21T13:30:00Z', z: 'C' }]));
    server.injectFrame(JSON.stringify([{ T: 't', S: 'AAPL', i: 2, x: 'Q', p: 585.5, s: 10, t: '2012-06-21T13:30:00.000000002Z' }]));
    server.injectFrame(JSON.stringify([{ T: 'l', S: 'AAPL', u: 600, d: 570, i: 'B', t: '2012-06-21T13:30:00.000000003Z', z: 'C' }]));
    const records = [(await firstRecord).value as SourceRecord, ...(await take(iterator, 3))];
    const [malformed, invalid, status, valid] = records as [RejectedRecord, RejectedRecord, SourceRecord, SourceRecord];
    expect(malformed).toMatchObject({ kind: 'rejected', topic: null, errorClass: 'MalformedJson', raw: '{not json', source: 'alpaca' });
    expect(invalid).toMatchObject({ kind: 'rejected', topic: 'market.trades.v1', errorClass: 'SchemaViolation', symbol: 'AAPL' });
    expect(invalid.reason).toContain('price must be > 0');
    expect(valid).toMatchObject({ kind: 'event', event: { payload: { symbol: 'AAPL', price: 585.5, tradeId: '2' } } });
    expect(status).toMatchObject({ kind: 'event', topic: 'market.trading-status.v1', event: { payload: { symbol: 'AAPL', statusCode: 'H', reasonCode: 'T12', state: 'halted' } } });
    // LULD bands (`l`) have no contract yet: reported as a notice, not published.
    await until(() => events.some((event) => event.type === 'notice'));
    expect(events).toContainEqual(expect.objectContaining({ type: 'notice', message: expect.objectContaining({ T: 'l', S: 'AAPL' }) }));
  });

  it('subscribes and unsubscribes at runtime', async () => {
    const server = await startServer();
    const { source, events } = client(server, { subscription: { trades: ['AAPL'] } });
    const iterator = source[Symbol.asyncIterator]();
    await take(iterator, 1, isTrade('AAPL'));
    source.subscribe({ trades: ['AMZN'] });
    source.unsubscribe({ trades: ['AAPL'] });
    await until(() => source.subscription?.trades.join() === 'AMZN');
    expect(events.filter((event) => event.type === 'subscribed')).toHaveLength(3);
    await take(iterator, 1, isTrade('AMZN'));
  }, 60_000);

  it('applies subscribe/unsubscribe calls made while the subscription was in flight once streaming', async () => {
    const server = await startServer();
    let changed = false;
    const { source } = client(server, {
      subscription: { trades: ['AAPL'], quotes: ['AAPL'] },
      // Runs on the first acknowledgement, before the source counts as streaming: only a reconciliation can send these.
      onEvent: (event) => {
        if (event.type !== 'subscribed' || changed) return;
        changed = true;
        source.subscribe({ trades: ['GOOG'] });
        source.unsubscribe({ quotes: ['AAPL'] });
      },
    });
    const iterator = source[Symbol.asyncIterator]();
    await until(() => source.subscription?.trades.join() === 'AAPL,GOOG' && source.subscription.quotes.length === 0);
    expect(server.stats.subscribeRequests).toBe(3); // initial + reconciling subscribe + unsubscribe
    await take(iterator, 1, isTrade('GOOG'));
  }, 60_000);

  it('close() during the reconnect backoff ends the iteration promptly', async () => {
    const server = await startServer();
    const { source, events } = client(server, { subscription: { trades: ['AAPL'] }, reconnect: { minDelayMs: 60_000, jitter: false } });
    const iterator = source[Symbol.asyncIterator]();
    await take(iterator, 1, isTrade('AAPL'));
    server.dropConnections();
    await until(() => events.some((event) => event.type === 'reconnecting'));
    const started = Date.now();
    await source.close();
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(source.connectionState).toBe('closed');
  }, 60_000);

  it('pauses the socket when the consumer falls behind: the buffer stays near highWaterMark and the server waits', async () => {
    const server = await startServer({ slowClientBytes: 64 * 1024 });
    const { source } = client(server, { subscription: { trades: ['*'], quotes: ['*'] }, highWaterMark: 500 });
    const iterator = source[Symbol.asyncIterator]();
    await take(iterator, 1);
    // Stop reading for a while: without backpressure the max-paced feed would push its whole day (~266k records).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const sentWhilePaused = server.stats.tradesSent + server.stats.quotesSent;
    expect(source.bufferedRecords).toBeGreaterThanOrEqual(500);
    expect(source.bufferedRecords).toBeLessThan(5_000);
    expect(sentWhilePaused).toBeLessThan(100_000);
    // Draining resumes the socket and the feed (what sits in socket buffers is read first).
    const sent = () => server.stats.tradesSent + server.stats.quotesSent;
    for (let taken = 0; sent() <= sentWhilePaused && taken < sentWhilePaused; taken += 1_000) await take(iterator, 1_000);
    expect(sent()).toBeGreaterThan(sentWhilePaused);
  }, 180_000);

  it('is disconnected with 407 slow client by a disconnect-policy server, and reconnects', async () => {
    const server = await startServer({ slowClientBytes: 32 * 1024, slowClientPolicy: 'disconnect' });
    const { source, events } = client(server, { subscription: { trades: ['*'], quotes: ['*'] }, highWaterMark: 200 });
    const iterator = source[Symbol.asyncIterator]();
    await take(iterator, 1);
    await until(() => (server.stats.errorsSent[407] ?? 0) > 0); // we stopped reading: the server gives up on us
    // Reading again drains what was in flight, then the 407 and the close arrive: the client reconnects.
    for (let i = 0; i < 200 && !events.some((event) => event.type === 'reconnecting'); i++) await take(iterator, 500);
    expect(events).toContainEqual({ type: 'server-error', code: 407, message: 'slow client', handling: 'reconnect' });
    await until(() => server.stats.connectionsAccepted === 2);
  }, 180_000);

  it('gives up after maxAttempts reconnect attempts in a row', async () => {
    const server = await startServer();
    const url = server.url;
    await server.close();
    servers.length = 0;
    const source = new AlpacaSource({ url, credentials, subscription: { trades: ['AAPL'] }, reconnect: { ...fastReconnect, maxAttempts: 2 } });
    sources.push(source);
    await expect(source[Symbol.asyncIterator]().next()).rejects.toMatchObject({ name: 'AlpacaStreamError', code: undefined, message: expect.stringContaining('gave up after 2') });
  });
});

describe('AlpacaProtocolServer plays corrections, cancels, statuses, bars and daily bars', () => {
  const docsTrade = mapAlpacaDataMessage({ T: 't', i: 96921, S: 'AAPL', x: 'D', p: 126.55, s: 1, t: '2021-02-22T15:51:44.208Z', c: ['@', 'I'], z: 'C' }, { receivedAt: 1_795_284_000_000, origin: 'test' }) as EventRecord;
  const dailyBar = mapAlpacaDataMessage({ T: 'd', S: 'AAPL', o: 116.57, h: 117.62, l: 113.75, c: 116.03, v: 76499234, t: '2020-11-25T05:00:00Z', n: 1, vw: 116.2 }, { receivedAt: 1_795_284_000_000, origin: 'test' }) as EventRecord;
  const fixtures = [...TRADE_CORRECTION_V1_FIXTURES, ...TRADE_CANCEL_V1_FIXTURES, ...TRADING_STATUS_V1_FIXTURES, ...BAR_SOURCE_1M_V1_FIXTURES].map((fixture) => fixture.event as MarketEvent);
  const script: MarketEvent[] = [docsTrade.event, ...fixtures, dailyBar.event];
  /** An event without its ingestTime (the client stamps its own receipt time). */
  const comparable = (event: MarketEvent) => ({ ...event, ingestTime: 0 });

  it('sends each scripted event as its Alpaca message; the client maps it back to the same contract event', async () => {
    const server = await startServer({ feed: () => new IterableSource(script.map(eventRecord)) });
    const { source } = client(server, { subscription: { trades: ['*'], bars: ['*'], dailyBars: ['*'], statuses: ['*'] } });
    const records = await take(source[Symbol.asyncIterator](), script.length);
    expect(records.every((record) => record.kind === 'event')).toBe(true);
    expect(records.map((record) => comparable((record as EventRecord).event))).toEqual(script.map(comparable));
    expect(server.stats).toMatchObject({ tradesSent: 1, othersSent: { c: 2, x: 2, s: 3, b: 1, d: 1 } });
  });

  it('holds a daily bar received during its session and publishes it when the wall clock reaches the close', async () => {
    // The wall clock runs at real speed from 300 ms before the close of 2020-11-25 (16:00 EST).
    const close = Date.parse('2020-11-25T21:00:00Z');
    const offset = close - 300 - Date.now();
    const wallClock = () => Date.now() + offset;
    const server = await startServer({ feed: () => new IterableSource([eventRecord(dailyBar.event)]) });
    const { source } = client(server, { subscription: { dailyBars: ['*'] }, wallClock });
    const iterator = source[Symbol.asyncIterator]();
    await until(() => server.stats.othersSent['d'] === 1);
    expect(source.bufferedRecords).toBe(0); // the bar is held, not queued
    const [bar] = await take(iterator, 1);
    expect(wallClock()).toBeGreaterThanOrEqual(close);
    expect(comparable((bar as EventRecord).event)).toEqual(comparable(dailyBar.event));
    expect((bar as EventRecord).event.ingestTime).toBeGreaterThanOrEqual(close);
  });

  it('routes c and x to the trade subscribers of the symbol, b to bar subscribers and s to status subscribers only', async () => {
    const server = await startServer({ feed: () => new IterableSource(script.map(eventRecord)) });
    // AAPL trades only: the AAPL trade, its correction, its cancel and error; not IWM's correction, no status, no bar, no daily bar.
    const { source } = client(server, { subscription: { trades: ['AAPL'], statuses: ['GME'] } });
    const iterator = source[Symbol.asyncIterator]();
    const records = (await take(iterator, 5)).map((record) => (record as EventRecord).event);
    expect(records.map((event) => `${event.schema} ${event.payload.symbol}`)).toEqual([
      'market.trade.v1 AAPL',
      'market.trade-correction.v1 AAPL',
      'market.trade-cancel.v1 AAPL',
      'market.trade-cancel.v1 AAPL',
      'market.trading-status.v1 GME',
    ]);
    expect(server.stats.othersSent).toEqual({ c: 1, x: 2, s: 1, b: 0, d: 0 });
  });
});

describe('AlpacaProtocolServer feed failure', () => {
  it('reports a feed that cannot be read with error 500 (the client reconnects) and feedError', async () => {
    const server = await startServer({ feed: () => new LobsterReplaySource({ dataDir: '/nonexistent' }) });
    const { source, events } = client(server, { subscription: { trades: ['AAPL'] } });
    void source[Symbol.asyncIterator]().next().catch(() => undefined);
    await until(() => events.some((event) => event.type === 'server-error' && event.code === 500));
    expect(events).toContainEqual({ type: 'server-error', code: 500, message: 'internal error', handling: 'reconnect' });
    expect(String(server.feedError)).toContain('ENOENT');
  });
});

describe('AlpacaProtocolServer protocol errors (raw WebSocket client)', () => {
  /** Connects and returns a function that resolves the next server frame. */
  async function raw(server: AlpacaProtocolServer): Promise<{ socket: WebSocket; next: () => Promise<unknown> }> {
    const socket = new WebSocket(server.url);
    const frames: unknown[] = [];
    const waiters: ((frame: unknown) => void)[] = [];
    socket.on('message', (data) => {
      const frame: unknown = JSON.parse(data.toString());
      const waiter = waiters.shift();
      if (waiter) waiter(frame);
      else frames.push(frame);
    });
    const next = () => (frames.length > 0 ? Promise.resolve(frames.shift()) : new Promise<unknown>((resolve) => waiters.push(resolve)));
    expect(await next()).toEqual([{ T: 'success', msg: 'connected' }]);
    return { socket, next };
  }

  it('answers 400 / 401 / 403 / 404 as the protocol says', async () => {
    const server = await startServer({ authTimeoutMs: 150 });
    const a = await raw(server);
    a.socket.send('hello');
    expect(await a.next()).toEqual([{ T: 'error', code: 400, msg: 'invalid syntax' }]);
    a.socket.send(JSON.stringify({ action: 'subscribe', trades: ['AAPL'] }));
    expect(await a.next()).toEqual([{ T: 'error', code: 401, msg: 'not authenticated' }]);
    a.socket.send(JSON.stringify({ action: 'auth', key: credentials.keyId, secret: credentials.secretKey }));
    expect(await a.next()).toEqual([{ T: 'success', msg: 'authenticated' }]);
    a.socket.send(JSON.stringify({ action: 'auth', key: credentials.keyId, secret: credentials.secretKey }));
    expect(await a.next()).toEqual([{ T: 'error', code: 403, msg: 'already authenticated' }]);
    a.socket.send(JSON.stringify({ action: 'subscribe', trades: 'AAPL' }));
    expect(await a.next()).toEqual([{ T: 'error', code: 400, msg: 'invalid syntax' }]);
    a.socket.close();
    await until(() => server.connectionCount === 0);

    const b = await raw(server);
    const closed = new Promise((resolve) => b.socket.once('close', resolve));
    expect(await b.next()).toEqual([{ T: 'error', code: 404, msg: 'auth timeout' }]);
    await closed;
  });
});
