import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket, { WebSocketServer } from 'ws';
import type { MarketEvent, MarketDataSource } from '../core/source-record';
import { LobsterReplaySource } from '../lobster/lobster-replay-source';
import { newYorkMidnightEpochSeconds } from '../lobster/lobster-time';
import { pace } from '../pacing/paced-source';
import { MAX_PACING, type Pacing } from '../pacing/pacing';
import type { AlpacaCredentials } from './alpaca-source';
import {
  ALPACA_CHANNELS,
  ALPACA_ERRORS,
  epochNsToRfc3339,
  type AlpacaBarMessage,
  type AlpacaCancelErrorMessage,
  type AlpacaChannel,
  type AlpacaCorrectionMessage,
  type AlpacaDailyBarMessage,
  type AlpacaQuoteMessage,
  type AlpacaStatusMessage,
  type AlpacaSubscriptionAck,
  type AlpacaTradeMessage,
} from './alpaca-protocol';

/** Every data message the server can send. */
export type AlpacaDataMessage = AlpacaTradeMessage | AlpacaQuoteMessage | AlpacaBarMessage | AlpacaDailyBarMessage | AlpacaCorrectionMessage | AlpacaCancelErrorMessage | AlpacaStatusMessage;

/**
 * Channel whose subscribers receive a data message of type `T` (Alpaca "Real-time Stock Data": corrections
 * `c` and cancels/errors `x` go to the subscribers of the symbol's trades, automatically).
 */
const CHANNEL_OF_TYPE: Readonly<Record<AlpacaDataMessage['T'], AlpacaChannel>> = { t: 'trades', c: 'trades', x: 'trades', q: 'quotes', b: 'bars', d: 'dailyBars', s: 'statuses' };

/** Options of {@link AlpacaProtocolServer}. */
export interface AlpacaProtocolServerOptions {
  /** The one key pair the server accepts. */
  readonly credentials: AlpacaCredentials;
  /** Port on 127.0.0.1; 0 (default) picks a free ephemeral port. */
  readonly port?: number;
  /**
   * The market data replayed to subscribers, created when the first client subscribes to any channel.
   * Default: the real LOBSTER 2012-06-21 day of AAPL, AMZN, GOOG (`quotes: 'changes'`), in event-time order.
   * Any {@link MarketEvent} plays as its Alpaca message ({@link toAlpacaMessage}): trades `t`, quotes `q`,
   * the source's minute bars `b`, corrections `c`, cancels/errors `x`, trading statuses `s`; e.g. an
   * `IterableSource` of scripted events for a multi-session test.
   */
  readonly feed?: () => MarketDataSource;
  /** Pace of the feed. Default `max` (bounded by the slowest subscriber, see `slowClientBytes`). */
  readonly pacing?: Pacing;
  /** Close a client that has not authenticated this long after connecting, with error 404. Default 10,000 ms (Alpaca's). */
  readonly authTimeoutMs?: number;
  /** Concurrent connections per key; one more gets error 406. Default 1 (Alpaca's limit on most plans). */
  readonly maxConnections?: number;
  /** Distinct trade + quote symbols per connection; more gets error 405. Default Infinity. */
  readonly symbolLimit?: number;
  /** Channels this feed offers; subscribing to another gets error 410. Default all of {@link ALPACA_CHANNELS}. */
  readonly channels?: readonly AlpacaChannel[];
  /** Answer a correct auth with this error instead (409 insufficient subscription, 411 insufficient scope) and close. */
  readonly denyAuthWith?: 409 | 411;
  /** Ignore auth messages, as if they never arrived, so the auth timeout (404) fires. Default false. */
  readonly ignoreAuth?: boolean;
  /** Data messages per WebSocket frame (Alpaca batches data points). Default 100. */
  readonly batchSize?: number;
  /** A subscriber with more unsent bytes than this is slow. Default 4 MiB. */
  readonly slowClientBytes?: number;
  /** `wait`: the feed waits for slow subscribers (default, lossless); `disconnect`: error 407 and close, as Alpaca does. */
  readonly slowClientPolicy?: 'wait' | 'disconnect';
}

/** Counters of an {@link AlpacaProtocolServer}. */
export interface AlpacaProtocolServerStats {
  connectionsAccepted: number;
  authenticated: number;
  subscribeRequests: number;
  tradesSent: number;
  quotesSent: number;
  /** Bars `b`, daily bars `d`, corrections `c`, cancels/errors `x` and statuses `s` sent, by type. */
  othersSent: Record<'b' | 'd' | 'c' | 'x' | 's', number>;
  errorsSent: Record<number, number>;
}

interface Client {
  readonly socket: WebSocket;
  authenticated: boolean;
  subscription: Record<AlpacaChannel, Set<string>>;
  pending: AlpacaDataMessage[];
  flushScheduled: boolean;
  authTimer: NodeJS.Timeout | undefined;
}

/**
 * A local server speaking the Alpaca Market Data v2 stream protocol (see alpaca-protocol.ts) on 127.0.0.1,
 * for tests, benchmarks and chaos runs of {@link AlpacaSource} and the ingest pipeline without an account.
 * It replays REAL market data (by default the LOBSTER sample day) as Alpaca `t`/`q` messages to the
 * clients subscribed to each symbol and channel (`*` = all), and enforces the protocol:
 * `connected` on open, auth within `authTimeoutMs` (else 404), wrong key/secret 402, a second auth 403,
 * anything before auth 401, malformed JSON or unknown action 400, too many connections 406, too many
 * symbols 405, a channel the feed lacks 410, entitlement failures 409/411 (`denyAuthWith`), slow client 407.
 * Bars `b`, daily bars `d`, corrections `c`, cancels/errors `x` and trading statuses `s` are played when
 * the feed holds their events (the default LOBSTER feed has none): `c`/`x` to the symbol's trade
 * subscribers, `b` to its bar subscribers, `d` to its daily-bar subscribers, `s` to its status subscribers.
 *
 * The feed is shared by all connections, starts with the first trade/quote subscription and pauses while
 * no client is subscribed, like a live feed that a reconnecting client rejoins (data sent during a gap
 * is not repeated; a scaled pacing catches up on its schedule after a pause). Chaos hooks: {@link dropConnections}, {@link injectFrame}, {@link sendError}.
 * LOBSTER -> Alpaca mapping: `i` = the LOBSTER row, `x`/`bx`/`ax` = `Q` (Nasdaq), `z` = `C` (UTP tape),
 * `t` = the exact event time in RFC 3339 with nanoseconds, trade conditions `["@"]`, quote conditions `["R"]`.
 */
export class AlpacaProtocolServer {
  readonly stats: AlpacaProtocolServerStats = {
    connectionsAccepted: 0,
    authenticated: 0,
    subscribeRequests: 0,
    tradesSent: 0,
    quotesSent: 0,
    othersSent: { b: 0, d: 0, c: 0, x: 0, s: 0 },
    errorsSent: {},
  };
  private server: WebSocketServer | undefined;
  private readonly clients = new Set<Client>();
  private feedStarted = false;
  private feedSource: MarketDataSource | undefined;
  private feedDone: Promise<void> | undefined;
  private subscriberWaiters: (() => void)[] = [];
  private closing = false;
  private failure: unknown;

  constructor(private readonly options: AlpacaProtocolServerOptions) {}

  /**
   * Listens on 127.0.0.1. @returns the URL, e.g. `ws://127.0.0.1:40123/v2/test`.
   * @throws Error if already started or the port is taken.
   */
  async start(): Promise<string> {
    if (this.server) throw new Error('AlpacaProtocolServer already started');
    const server = new WebSocketServer({ host: '127.0.0.1', port: this.options.port ?? 0 });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    server.on('connection', (socket) => this.accept(socket));
    return this.url;
  }

  /** The server URL (`ws://127.0.0.1:<port>/v2/test`). @throws Error before `start()`. */
  get url(): string {
    if (!this.server) throw new Error('AlpacaProtocolServer not started');
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/v2/test`;
  }

  /** The error that stopped the feed (e.g. a missing data file), if any; clients were sent error 500. */
  get feedError(): unknown {
    return this.failure;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.clients.size;
  }

  /** Drops every connection abruptly (TCP reset, no close frame), as a network failure would. */
  dropConnections(): void {
    for (const client of this.clients) client.socket.terminate();
  }

  /** Sends `frame` verbatim to every authenticated client (e.g. malformed JSON or an invalid trade). */
  injectFrame(frame: string): void {
    for (const client of this.clients) if (client.authenticated) client.socket.send(frame);
  }

  /** Sends error `code` (message from the protocol table) to every client; `close` also closes them. */
  sendError(code: number, close = false): void {
    for (const client of this.clients) this.error(client, code, close);
  }

  /** Stops the feed, closes every connection and the server. Idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    for (const waiter of this.subscriberWaiters.splice(0)) waiter();
    await this.feedSource?.close();
    await this.feedDone;
    for (const client of this.clients) {
      clearTimeout(client.authTimer);
      client.socket.terminate();
    }
    this.clients.clear();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    this.stats.connectionsAccepted++;
    const client: Client = {
      socket,
      authenticated: false,
      subscription: Object.fromEntries(ALPACA_CHANNELS.map((channel) => [channel, new Set<string>()])) as Record<AlpacaChannel, Set<string>>,
      pending: [],
      flushScheduled: false,
      authTimer: undefined,
    };
    socket.on('error', () => undefined); // a reset by the peer; 'close' follows
    if (this.clients.size >= (this.options.maxConnections ?? 1)) {
      this.error(client, 406, true);
      return;
    }
    this.clients.add(client);
    socket.on('close', () => {
      clearTimeout(client.authTimer);
      this.clients.delete(client);
    });
    socket.on('message', (data, isBinary) => this.onMessage(client, isBinary ? '' : data.toString()));
    this.sendControl(client, { T: 'success', msg: 'connected' });
    client.authTimer = setTimeout(() => this.error(client, 404, true), this.options.authTimeoutMs ?? 10_000);
  }

  private onMessage(client: Client, text: string): void {
    let message: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object');
      message = parsed as Record<string, unknown>;
    } catch {
      this.error(client, 400);
      return;
    }
    const action = message['action'];
    if (action === 'auth') {
      if (this.options.ignoreAuth) return;
      if (client.authenticated) {
        this.error(client, 403);
        return;
      }
      clearTimeout(client.authTimer);
      const { keyId, secretKey } = this.options.credentials;
      if (message['key'] !== keyId || message['secret'] !== secretKey) {
        this.error(client, 402, true);
        return;
      }
      if (this.options.denyAuthWith !== undefined) {
        this.error(client, this.options.denyAuthWith, true);
        return;
      }
      client.authenticated = true;
      this.stats.authenticated++;
      this.sendControl(client, { T: 'success', msg: 'authenticated' });
      return;
    }
    if (action !== 'subscribe' && action !== 'unsubscribe') {
      this.error(client, 400);
      return;
    }
    if (!client.authenticated) {
      this.error(client, 401);
      return;
    }
    this.stats.subscribeRequests++;
    this.updateSubscription(client, action, message);
  }

  private updateSubscription(client: Client, action: 'subscribe' | 'unsubscribe', message: Record<string, unknown>): void {
    const offered = new Set<string>(this.options.channels ?? ALPACA_CHANNELS);
    const next = Object.fromEntries(ALPACA_CHANNELS.map((channel) => [channel, new Set(client.subscription[channel])])) as Record<AlpacaChannel, Set<string>>;
    for (const [key, value] of Object.entries(message)) {
      if (key === 'action') continue;
      if (!(ALPACA_CHANNELS as readonly string[]).includes(key) || !Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
        this.error(client, 400);
        return;
      }
      if (!offered.has(key)) {
        this.error(client, 410);
        return;
      }
      for (const symbol of value as string[]) {
        if (action === 'subscribe') next[key as AlpacaChannel].add(symbol);
        else next[key as AlpacaChannel].delete(symbol);
      }
    }
    const symbols = new Set([...next.trades, ...next.quotes]);
    if (symbols.size > (this.options.symbolLimit ?? Number.POSITIVE_INFINITY)) {
      this.error(client, 405);
      return;
    }
    client.subscription = next;
    this.sendControl(client, { T: 'subscription', ...this.ackOf(client) });
    if (subscribesAny(next)) {
      for (const waiter of this.subscriberWaiters.splice(0)) waiter();
      this.startFeed();
    }
  }

  private ackOf(client: Client): AlpacaSubscriptionAck {
    const trades = [...client.subscription.trades];
    return {
      trades,
      quotes: [...client.subscription.quotes],
      bars: [...client.subscription.bars],
      updatedBars: [],
      dailyBars: [],
      statuses: [...client.subscription.statuses],
      lulds: [],
      corrections: trades,
      cancelErrors: trades,
    };
  }

  private sendControl(client: Client, message: object): void {
    if (client.socket.readyState === WebSocket.OPEN) client.socket.send(JSON.stringify([message]));
  }

  private error(client: Client, code: number, close = false): void {
    this.stats.errorsSent[code] = (this.stats.errorsSent[code] ?? 0) + 1;
    this.sendControl(client, { T: 'error', code, msg: ALPACA_ERRORS[code]?.msg ?? 'internal error' });
    if (close) client.socket.close(1008, ALPACA_ERRORS[code]?.msg ?? 'error');
  }

  private startFeed(): void {
    if (this.feedStarted || this.closing) return;
    this.feedStarted = true;
    this.feedDone = this.runFeed().catch((error: unknown) => {
      // An unreadable data set must not look like a quiet market: tell the clients (500 reconnects) and keep the error.
      this.failure = error;
      this.sendError(500);
    });
  }

  private subscribers(): Client[] {
    return [...this.clients].filter((client) => client.authenticated && subscribesAny(client.subscription));
  }

  private async runFeed(): Promise<void> {
    const source = pace(this.options.feed?.() ?? new LobsterReplaySource({ quotes: 'changes' }), this.options.pacing ?? MAX_PACING);
    this.feedSource = source;
    const slowBytes = this.options.slowClientBytes ?? 4 << 20;
    for await (const record of source) {
      if (this.closing) return;
      // A live feed does not wait for anyone; this one waits while nobody listens, so tests are deterministic.
      while (this.subscribers().length === 0 && !this.closing) await new Promise<void>((resolve) => this.subscriberWaiters.push(resolve));
      for (const client of this.subscribers()) {
        if (client.socket.bufferedAmount <= slowBytes) continue;
        if (this.options.slowClientPolicy === 'disconnect') this.error(client, 407, true);
        else while (client.socket.readyState === WebSocket.OPEN && client.socket.bufferedAmount > slowBytes / 2 && !this.closing) await delay(2);
      }
      if (record.kind !== 'event') continue;
      const message = toAlpacaMessage(record.event);
      if (!message) continue;
      const channel = CHANNEL_OF_TYPE[message.T];
      for (const client of this.subscribers()) {
        const symbols = client.subscription[channel];
        if (symbols.has(message.S) || symbols.has('*')) this.enqueue(client, message);
      }
    }
    for (const client of this.clients) this.flush(client);
  }

  private enqueue(client: Client, message: AlpacaDataMessage): void {
    client.pending.push(message);
    if (message.T === 't') this.stats.tradesSent++;
    else if (message.T === 'q') this.stats.quotesSent++;
    else this.stats.othersSent[message.T]++;
    if (client.pending.length >= (this.options.batchSize ?? 100)) this.flush(client);
    else if (!client.flushScheduled) {
      client.flushScheduled = true;
      setImmediate(() => this.flush(client));
    }
  }

  private flush(client: Client): void {
    client.flushScheduled = false;
    if (client.pending.length === 0) return;
    const batch = client.pending;
    client.pending = [];
    if (client.socket.readyState === WebSocket.OPEN) client.socket.send(JSON.stringify(batch));
  }
}

/** Whether a subscription names any symbol on any channel. */
function subscribesAny(subscription: Record<AlpacaChannel, Set<string>>): boolean {
  return ALPACA_CHANNELS.some((channel) => subscription[channel].size > 0);
}

/**
 * A trade id as Alpaca sends it: a JSON integer (Alpaca "Real-time Stock Data": `i`, `oi`, `ci` are int).
 * @throws TypeError when the id is not a non-negative safe integer (decimal string or number).
 */
function alpacaTradeId(id: string | number): number {
  const value = typeof id === 'number' ? id : /^\d{1,16}$/.test(id) ? Number(id) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`Alpaca trade ids are integers, got ${JSON.stringify(id)}`);
  return value;
}

/**
 * A market event as the Alpaca message a SIP feed would carry (see the class doc; fields per Alpaca's
 * "Real-time Stock Data" page), the inverse of {@link mapAlpacaDataMessage} for Alpaca-sourced events:
 * trade -> `t` (`i` = tradeId, else the LOBSTER row), quote -> `q`, the source's bar -> `b` (`t` = start),
 * daily bar -> `d` (`t` = midnight America/New_York of its date; its corporate-action fields are not
 * sent), correction -> `c`, cancel/error -> `x` (`a` = `C` / `E`), trading status -> `s`.
 * @throws TypeError when a trade id is not an integer (Alpaca's are), see {@link alpacaTradeId}.
 */
export function toAlpacaMessage(event: MarketEvent): AlpacaDataMessage | undefined {
  const t = epochNsToRfc3339(event.eventTimeNs ?? `${event.eventTime}000000`);
  switch (event.schema) {
    case 'market.trade.v1': {
      const { symbol, price, size, sequence, tradeId, venue, conditions } = event.payload;
      const id = tradeId ?? sequence;
      return { T: 't', S: symbol, ...(id === undefined ? {} : { i: alpacaTradeId(id) }), x: venue ?? 'Q', p: price, s: size, c: conditions ?? ['@'], t, z: 'C' };
    }
    case 'market.quote.v1': {
      const { symbol, bidPrice, bidSize, askPrice, askSize } = event.payload;
      return { T: 'q', S: symbol, bx: 'Q', bp: bidPrice, bs: bidSize, ax: 'Q', ap: askPrice, as: askSize, c: ['R'], t, z: 'C' };
    }
    case 'market.bar.source.1m.v1': {
      const { symbol, startTime, open, high, low, close, volume, vwap, tradeCount } = event.payload;
      return { T: 'b', S: symbol, o: open, h: high, l: low, c: close, v: volume, vw: vwap, n: tradeCount, t: epochNsToRfc3339(`${startTime}000000`) };
    }
    case 'market.bar.daily.v1': {
      const { symbol, tradingDate, open, high, low, close, volume } = event.payload;
      const midnight = epochNsToRfc3339(`${newYorkMidnightEpochSeconds(tradingDate)}000000000`);
      // Alpaca's daily bars carry a VWAP and trade count; the contract's daily bar has neither.
      return { T: 'd', S: symbol, o: open, h: high, l: low, c: close, v: volume, vw: close, n: 0, t: midnight };
    }
    case 'market.trade-correction.v1': {
      const p = event.payload;
      return {
        T: 'c',
        S: p.symbol,
        ...(p.venue === undefined ? {} : { x: p.venue }),
        oi: alpacaTradeId(p.originalTradeId),
        op: p.originalPrice,
        os: p.originalSize,
        ...(p.originalConditions === undefined ? {} : { oc: p.originalConditions }),
        ci: alpacaTradeId(p.correctedTradeId),
        cp: p.correctedPrice,
        cs: p.correctedSize,
        ...(p.correctedConditions === undefined ? {} : { cc: p.correctedConditions }),
        t,
        ...(p.tape === undefined ? {} : { z: p.tape }),
      };
    }
    case 'market.trade-cancel.v1': {
      const p = event.payload;
      return {
        T: 'x',
        S: p.symbol,
        i: alpacaTradeId(p.tradeId),
        ...(p.venue === undefined ? {} : { x: p.venue }),
        p: p.price,
        s: p.size,
        a: p.action === 'cancel' ? 'C' : 'E',
        t,
        ...(p.tape === undefined ? {} : { z: p.tape }),
      };
    }
    case 'market.trading-status.v1': {
      const p = event.payload;
      return {
        T: 's',
        S: p.symbol,
        sc: p.statusCode,
        ...(p.statusMessage === undefined ? {} : { sm: p.statusMessage }),
        ...(p.reasonCode === undefined ? {} : { rc: p.reasonCode }),
        ...(p.reasonMessage === undefined ? {} : { rm: p.reasonMessage }),
        t,
        ...(p.tape === undefined ? {} : { z: p.tape }),
      };
    }
    default:
      return undefined;
  }
}
