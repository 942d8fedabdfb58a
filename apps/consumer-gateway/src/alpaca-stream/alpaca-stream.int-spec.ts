import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { epochNsToRfc3339 } from '@tickwire/market-sources';
import type { Bar1mV1Event, EnrichedV1Event } from '@tickwire/contracts';
import { pythonToolVenv } from '@tickwire/testing';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { bar1m, enrichedQuote, enrichedTrade, uniqueSymbol } from '../testing/market-event-builders';
import { JsonLinesProcess } from './testing/json-lines-process';
import { ALPACA_STREAM_PATH } from './alpaca-stream-server';

/** The SDK versions the test installs: the latest of each on 2026-12-07. */
const ALPACA_PY_VERSION = '0.44.0';
const ALPACA_JS_VERSION = '4.0.2';
/** The JavaScript SDK's folder of the test's own (npm, not a project dependency), reused by later runs. */
const JS_SDK_DIR = join(tmpdir(), `tickwire-alpaca-trade-api-${ALPACA_JS_VERSION}`);
const PY_CUSTOMER = join(__dirname, 'testing/alpaca_py_customer.py');

/** What the test uses of @alpacahq/alpaca-trade-api 4.x (loaded from JS_SDK_DIR, not a project dependency). */
interface AlpacaJsSdk {
  Alpaca: new (options: { keyId: string; secret: string }) => { marketData: { stockStream(options: { url: string; reconnect?: boolean }): JsStockStream } };
}
interface JsStockStream {
  connect(): void;
  disconnect(): void;
  whenAuthenticated(): Promise<{ authenticated: boolean; code?: number; message: string }>;
  on(event: 'subscription', fn: (subscriptions: Record<string, string[]>) => void): JsStockStream;
  onError(fn: (message: string) => void): JsStockStream;
  onTrade(fn: (trade: Record<string, unknown>) => void): JsStockStream;
  onQuote(fn: (quote: Record<string, unknown>) => void): JsStockStream;
  onBar(fn: (bar: Record<string, unknown>) => void): JsStockStream;
  subscribeForTrades(symbols: string[]): void;
  subscribeForQuotes(symbols: string[]): void;
  subscribeForBars(symbols: string[]): void;
  unsubscribeFromTrades(symbols: string[]): void;
  unsubscribeFromQuotes(symbols: string[]): void;
  unsubscribeFromBars(symbols: string[]): void;
}

/** Epoch ns of an event that `withNanoseconds` gave sub-millisecond digits. */
const nsOf = (event: EnrichedV1Event) => event.eventTimeNs as string;

/** `event` with an exact time `extraNs` (< 500,000) after its millisecond, as the LOBSTER data has. */
function withNanoseconds(event: EnrichedV1Event, extraNs: number): EnrichedV1Event {
  return { ...event, eventTimeNs: `${event.eventTime * 1_000_000 + extraNs}` };
}

/** An enriched trade of another size (shares). */
function withSize(event: EnrichedV1Event, size: number): EnrichedV1Event {
  const payload = event.payload as Extract<EnrichedV1Event['payload'], { kind: 'trade' }>;
  return { ...event, payload: { ...payload, trade: { ...payload.trade, size } } };
}

/**
 * What the test produces to the customer topics for one symbol: two trades and two quotes with
 * nanosecond times (values of the LOBSTER AAPL day: 585.39 / 585.33 x 40 and 200 shares, bid/ask
 * 585.30 / 585.45) and a 1-minute bar, plus a restated bar (an `updatedBars` message, which no client
 * here subscribes to, so it must not arrive).
 */
function customerEvents(symbol: string) {
  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
  const trades = [
    withNanoseconds(enrichedTrade(symbol, 585.39, minute + 1_000, 8), 16_159),
    withNanoseconds(withSize(enrichedTrade(symbol, 585.33, minute + 2_000, 9), 200), 123_456),
  ];
  const quotes = [withNanoseconds(enrichedQuote(symbol, 585.3, 585.45, minute + 1_500, 10), 999), withNanoseconds(enrichedQuote(symbol, 585.31, 585.45, minute + 2_500, 11), 1)];
  const bar = bar1m(symbol, minute, 585.36);
  const restated: Bar1mV1Event = { ...bar, payload: { ...bar.payload, revision: 1, close: 585.35, low: 585.35, vwap: 585.35 } };
  return { trades, quotes, bar, restated, all: [...trades, ...quotes, bar, restated] };
}

const tradeOf = (event: EnrichedV1Event) => (event.payload.kind === 'trade' ? event.payload.trade : undefined)!;
const quoteOf = (event: EnrichedV1Event) => (event.payload.kind === 'quote' ? event.payload.quote : undefined)!;
/** Python's datetime keeps microseconds: an RFC 3339 ns time cut to them, as isoformat() prints it. */
const pythonIsoOf = (epochNs: string) => `${epochNsToRfc3339(epochNs).slice(0, 26)}+00:00`;

describe(`${ALPACA_STREAM_PATH} with Alpaca's official SDKs (alpaca-py ${ALPACA_PY_VERSION}, @alpacahq/alpaca-trade-api ${ALPACA_JS_VERSION})`, () => {
  let gateway: GatewayTestHarness;
  let jsSdk: AlpacaJsSdk;
  let python: string;
  const processes: JsonLinesProcess[] = [];
  const streams: JsStockStream[] = [];

  beforeAll(async () => {
    // alpaca-py from PyPI in a virtual environment of its own; the JavaScript SDK from npm into a folder.
    python = (await pythonToolVenv([`alpaca-py==${ALPACA_PY_VERSION}`])).bin('python');
    const sdkPackage = join(JS_SDK_DIR, 'node_modules/@alpacahq/alpaca-trade-api/package.json');
    if (!existsSync(sdkPackage) || (JSON.parse(readFileSync(sdkPackage, 'utf8')) as { version: string }).version !== ALPACA_JS_VERSION) {
      mkdirSync(JS_SDK_DIR, { recursive: true });
      writeFileSync(join(JS_SDK_DIR, 'package.json'), '{"name":"alpaca-sdk-test-client","private":true}\n');
      await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `@alpacahq/alpaca-trade-api@${ALPACA_JS_VERSION}`], { cwd: JS_SDK_DIR, timeout: 600_000 });
    }
    jsSdk = createRequire(join(JS_SDK_DIR, 'package.json'))('@alpacahq/alpaca-trade-api') as AlpacaJsSdk;
    gateway = await GatewayTestHarness.start();
  }, 660_000);

  afterAll(async () => {
    for (const stream of streams) stream.disconnect();
    for (const process of processes) await process.stop();
    await gateway?.stop();
  });

  const url = () => gateway.wsUrl(ALPACA_STREAM_PATH);

  it('alpaca-py authenticates, receives trades, quotes and bars with the right values, and unsubscribes', async () => {
    const symbol = uniqueSymbol();
    const { keyId, secret } = await gateway.createAlpacaCredentials();
    const customer = JsonLinesProcess.start(python, [PY_CUSTOMER, url(), keyId, secret, symbol]);
    processes.push(customer);
    const subscribed = (lines: readonly Record<string, unknown>[]) =>
      lines.some((line) => line['type'] === 'log' && String(line['msg']).startsWith('subscribed to') && String(line['msg']).includes(`trades: ['${symbol}']`) && String(line['msg']).includes(`bars: ['${symbol}']`));
    await customer.waitFor('the subscription', subscribed);

    const events = customerEvents(symbol);
    await gateway.produce(events.all);
    await customer.waitFor('2 trades, 2 quotes, 1 bar', () => customer.ofType('trade').length >= 2 && customer.ofType('quote').length >= 2 && customer.ofType('bar').length >= 1);

    expect(customer.ofType('trade')).toEqual(
      events.trades.map((event) => ({
        type: 'trade',
        symbol,
        price: tradeOf(event).price,
        size: tradeOf(event).size,
        id: tradeOf(event).sequence,
        exchange: 'Q',
        conditions: null,
        timestamp: pythonIsoOf(nsOf(event)),
      })),
    );
    expect(customer.ofType('quote')).toEqual(
      events.quotes.map((event) => ({
        type: 'quote',
        symbol,
        bid_price: quoteOf(event).bidPrice,
        bid_size: quoteOf(event).bidSize,
        ask_price: quoteOf(event).askPrice,
        ask_size: quoteOf(event).askSize,
        timestamp: pythonIsoOf(nsOf(event)),
      })),
    );
    const bar = events.bar.payload;
    expect(customer.ofType('bar')).toEqual([
      { type: 'bar', symbol, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, vwap: bar.vwap, trade_count: bar.tradeCount, timestamp: `${new Date(bar.startTime).toISOString().slice(0, 19)}+00:00` },
    ]);

    customer.send('unsubscribe');
    await customer.waitFor('the empty subscription', (lines) => lines.some((line) => line['type'] === 'log' && String(line['msg']).trim() === 'subscribed to'));
    const received = customer.lines.length;
    await gateway.produce([enrichedTrade(symbol, 586, Date.now(), 12)]);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(customer.lines.slice(received).filter((line) => line['type'] === 'trade')).toEqual([]);
    await customer.stop();
    expect(customer.ofType('stopped')).toHaveLength(1);
  });

  it('@alpacahq/alpaca-trade-api authenticates, receives trades, quotes and bars with nanosecond times, and unsubscribes', async () => {
    const symbol = uniqueSymbol();
    const { keyId, secret } = await gateway.createAlpacaCredentials();
    const stream = new jsSdk.Alpaca({ keyId, secret }).marketData.stockStream({ url: url(), reconnect: false });
    streams.push(stream);
    const trades: Record<string, unknown>[] = [];
    const quotes: Record<string, unknown>[] = [];
    const bars: Record<string, unknown>[] = [];
    const subscriptions: Record<string, string[]>[] = [];
    const errors: string[] = [];
    stream.onTrade((trade) => trades.push(trade)).onQuote((quote) => quotes.push(quote)).onBar((bar) => bars.push(bar)).onError((message) => errors.push(message));
    stream.on('subscription', (subscription) => subscriptions.push(subscription));
    stream.connect();
    expect(await stream.whenAuthenticated()).toMatchObject({ authenticated: true });
    stream.subscribeForTrades([symbol]);
    stream.subscribeForQuotes([symbol]);
    stream.subscribeForBars([symbol]);
    await until('the subscription', () => subscriptions.some((s) => s['trades']?.includes(symbol) && s['quotes']?.includes(symbol) && s['bars']?.includes(symbol)));

    const events = customerEvents(symbol);
    await gateway.produce(events.all);
    await until('2 trades, 2 quotes, 1 bar', () => trades.length >= 2 && quotes.length >= 2 && bars.length >= 1);

    expect(trades).toEqual(
      events.trades.map((event) =>
        expect.objectContaining({ symbol, price: tradeOf(event).price, size: tradeOf(event).size, id: tradeOf(event).sequence, exchange: 'Q', timestampRaw: epochNsToRfc3339(nsOf(event)), timestamp: new Date(event.eventTime) }),
      ),
    );
    expect(quotes).toEqual(
      events.quotes.map((event) =>
        expect.objectContaining({
          symbol,
          bidPrice: quoteOf(event).bidPrice,
          bidSize: quoteOf(event).bidSize,
          bidExchange: 'Q',
          askPrice: quoteOf(event).askPrice,
          askSize: quoteOf(event).askSize,
          askExchange: 'Q',
          timestampRaw: epochNsToRfc3339(nsOf(event)),
        }),
      ),
    );
    const bar = events.bar.payload;
    expect(bars).toEqual([
      expect.objectContaining({ symbol, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, vwap: bar.vwap, tradeCount: bar.tradeCount, timestamp: new Date(bar.startTime) }),
    ]);

    stream.unsubscribeFromTrades([symbol]);
    stream.unsubscribeFromQuotes([symbol]);
    stream.unsubscribeFromBars([symbol]);
    await until('the empty subscription', () => {
      const last = subscriptions.at(-1);
      return last !== undefined && Object.values(last).every((symbols) => symbols.length === 0);
    });
    const receivedTrades = trades.length;
    await gateway.produce([enrichedTrade(symbol, 586, Date.now(), 12)]);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(trades).toHaveLength(receivedTrades);
    expect(errors).toEqual([]);
  });

  it('speaks JSON to a client that does not ask for msgpack: arrays of T-typed messages and Alpaca error codes', async () => {
    const symbol = uniqueSymbol();
    const { keyId, secret } = await gateway.createAlpacaCredentials({ channels: ['trades', 'quotes', 'bars'], symbols: [symbol], maxSymbols: 1 });
    const client = await JsonClient.connect(url());
    try {
      expect(await client.next()).toEqual([{ T: 'success', msg: 'connected' }]);
      client.send({ action: 'subscribe', trades: [symbol] });
      expect(await client.next()).toEqual([{ T: 'error', code: 401, msg: 'not authenticated' }]);
      client.send({ action: 'auth', key: keyId, secret });
      expect(await client.next()).toEqual([{ T: 'success', msg: 'authenticated' }]);
      client.send({ action: 'auth', key: keyId, secret });
      expect(await client.next()).toEqual([{ T: 'error', code: 403, msg: 'already authenticated' }]);
      client.sendText('{"action":');
      expect(await client.next()).toEqual([{ T: 'error', code: 400, msg: 'invalid syntax' }]);
      client.send({ action: 'subscribe', orderbooks: [symbol] });
      expect(await client.next()).toEqual([{ T: 'error', code: 410, msg: 'invalid subscribe action for this feed' }]);
      client.send({ action: 'subscribe', statuses: [symbol] });
      expect(await client.next()).toEqual([{ T: 'error', code: 409, msg: 'insufficient subscription' }]);
      client.send({ action: 'subscribe', trades: [symbol, 'AAPL'] });
      expect(await client.next()).toEqual([{ T: 'error', code: 409, msg: 'insufficient subscription' }]);
      client.send({ action: 'subscribe', trades: [symbol], quotes: [symbol], bars: ['*'] });
      expect(await client.next()).toEqual([{ T: 'error', code: 409, msg: 'insufficient subscription' }]);
      client.send({ action: 'subscribe', trades: [symbol], quotes: [symbol] });
      expect(await client.next()).toEqual([
        { T: 'subscription', trades: [symbol], quotes: [symbol], bars: [], updatedBars: [], dailyBars: [], statuses: [], lulds: [], corrections: [], cancelErrors: [] },
      ]);
      const [trade] = customerEvents(symbol).trades;
      await gateway.produce([trade!]);
      expect(await client.next()).toEqual([{ T: 't', S: symbol, i: 8, x: 'Q', p: 585.39, s: tradeOf(trade!).size, t: epochNsToRfc3339(nsOf(trade!)) }]);
    } finally {
      client.close();
    }
  });

  it('applies the symbol limit (405) and the connection limit (406) of the key', async () => {
    const { keyId, secret } = await gateway.createAlpacaCredentials({ maxSymbols: 1, maxConnections: 1 });
    const first = await JsonClient.connect(url());
    const second = await JsonClient.connect(url());
    try {
      await first.next();
      first.send({ action: 'auth', key: keyId, secret });
      expect(await first.next()).toEqual([{ T: 'success', msg: 'authenticated' }]);
      first.send({ action: 'subscribe', trades: ['AAPL', 'AMZN'] });
      expect(await first.next()).toEqual([{ T: 'error', code: 405, msg: 'symbol limit exceeded' }]);
      await second.next();
      second.send({ action: 'auth', key: keyId, secret });
      expect(await second.next()).toEqual([{ T: 'error', code: 406, msg: 'connection limit exceeded' }]);
      expect(await second.closed()).toBe(1008);
    } finally {
      first.close();
      second.close();
    }
  });

  it('@alpacahq/alpaca-trade-api gets 402 auth failed for a bad secret, and stops', async () => {
    const { keyId } = await gateway.createAlpacaCredentials();
    const stream = new jsSdk.Alpaca({ keyId, secret: 'not-the-secret' }).marketData.stockStream({ url: url(), reconnect: false });
    streams.push(stream);
    stream.connect();
    expect(await stream.whenAuthenticated()).toEqual({ status: 'server_rejected', authenticated: false, code: 402, message: 'auth failed' });
  });

  it('alpaca-py logs auth failed for a bad key id', async () => {
    const customer = JsonLinesProcess.start(python, [PY_CUSTOMER, url(), 'TW000000000000000000', 'not-the-secret', 'AAPL']);
    processes.push(customer);
    await customer.waitFor('the auth error', (lines) => lines.some((line) => line['type'] === 'log' && String(line['msg']) === 'error during websocket communication: auth failed'));
    await customer.stop();
    expect(customer.ofType('trade')).toEqual([]);
  });
});

/** Polls `done` every 20 ms. @throws Error after `timeoutMs`. */
async function until(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waiting for ${what}: timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A raw WebSocket client without the msgpack header: JSON text frames, each an array of messages. */
class JsonClient {
  private readonly frames: unknown[] = [];
  private readonly waiters: (() => void)[] = [];
  private closeCode: number | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? { binary: true } : JSON.parse(data.toString()));
      this.waiters.splice(0).forEach((wake) => wake());
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  /** Connects; listening starts before the handshake completes (the greeting may come in the same packet). */
  static async connect(url: string): Promise<JsonClient> {
    const socket = new WebSocket(url);
    const client = new JsonClient(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return client;
  }

  send(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  sendText(text: string): void {
    this.socket.send(text);
  }

  /** The next frame. @throws Error after 10 s or when the socket closed first. */
  async next(): Promise<unknown> {
    await until('a frame', () => this.frames.length > 0 || this.closeCode !== undefined, 10_000);
    if (this.frames.length === 0) throw new Error(`closed with ${this.closeCode} before a frame`);
    return this.frames.shift();
  }

  /** The close code, once closed. */
  async closed(): Promise<number | undefined> {
    await until('the close', () => this.closeCode !== undefined, 10_000);
    return this.closeCode;
  }

  close(): void {
    this.socket.close();
  }
}
