import { ALPACA_ERRORS } from '@tickwire/market-sources';
import { type CustomerEntitlements, type CustomerEvent, type RoutedMessage, TokenBucket } from '@tickwire/subscriptions';
import type { RawData, WebSocket } from 'ws';
import type { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import type { StreamConnectionContext } from '../stream/stream-connection';
import type { FeedSubscriber } from '../fan-out/subscriber-hub';
import { OutboundSocket } from '../stream/outbound-socket';
import { type AlpacaCodec, decodeAlpacaClientFrame, encodeAlpacaFrame } from './alpaca-codec';
import { ALPACA_CHANNELS_OF_ROUTE, type AlpacaFrameCache } from './alpaca-frame-cache';
import { type AlpacaChannelSymbols, AlpacaSubscription, checkAlpacaSubscribe, parseAlpacaClientMessage } from './alpaca-subscription';

/**
 * Error codes `/v2/tickwire` sends: Alpaca's (400 invalid syntax, 401 not authenticated, 402 auth failed,
 * 403 already authenticated, 404 auth timeout, 405 symbol limit exceeded, 406 connection limit exceeded,
 * 407 slow client, 409 insufficient subscription, 410 invalid subscribe action for this feed, 500
 * internal error; messages as in ALPACA_ERRORS) plus 429 for Tickwire's rate limits, which Alpaca's
 * table has no code for.
 */
export type AlpacaStreamErrorCode = 400 | 401 | 402 | 403 | 404 | 405 | 406 | 407 | 409 | 410 | 429 | 500;

/** Error codes after which the connection is closed (Alpaca's test server and SDKs treat them so). */
const CLOSING_CODES: ReadonlySet<AlpacaStreamErrorCode> = new Set([402, 404, 406, 407]);

/** After a closing error, how long the client gets to read it before the socket is cut. */
const CLOSE_GRACE_MS = 1_000;
/** WebSocket close code after a closing error: policy violation (RFC 6455 section 7.4.1), as Alpaca's test server. */
const POLICY_VIOLATION = 1008;
/** WebSocket close code when the gateway stops: going away (RFC 6455 section 7.4.1). */
const GOING_AWAY = 1001;

/** Alpaca's message of an error code. */
export function alpacaErrorMessage(code: AlpacaStreamErrorCode): string {
  return code === 429 ? 'rate limit exceeded' : (ALPACA_ERRORS[code]?.msg ?? 'internal error');
}

/** What a `/v2/tickwire` connection needs from the gateway: the `/v1/stream` context, Alpaca auth and the shared frame cache. */
export interface AlpacaStreamContext extends Omit<StreamConnectionContext, 'authenticator' | 'snapshotOf'> {
  authenticator: Pick<ApiKeyAuthenticator, 'authenticateAlpaca'>;
  frames: AlpacaFrameCache;
}

/**
 * One `/v2/tickwire` connection speaking Alpaca's v2 stock market-data stream protocol (alpaca-py
 * `StockDataStream`, @alpacahq/alpaca-trade-api `StockDataStream` connect unmodified):
 *
 * ```
 * server: [{"T":"success","msg":"connected"}]
 * client: {"action":"auth","key":"<Alpaca key id>","secret":"<secret>"}        (within STREAM_AUTH_TIMEOUT_MS)
 * server: [{"T":"success","msg":"authenticated"}]         or [{"T":"error","code":402,"msg":"auth failed"}] and close
 * client: {"action":"subscribe","trades":["AAPL"],"quotes":["*"],"bars":["AAPL"]}
 * server: [{"T":"subscription","trades":["AAPL"],"quotes":["*"],"bars":["AAPL"],...,"corrections":["AAPL"],"cancelErrors":["AAPL"]}]
 * server: [{"T":"t","S":"AAPL","i":8,"x":"Q","p":585.39,"s":100,"t":"2012-06-21T13:30:00.275016159Z"}] ...
 * ```
 *
 * msgpack or JSON per the upgrade's Content-Type (see negotiateAlpacaCodec). The customer's
 * entitlements, symbol limit and connection limit are those of the key record holding the Alpaca
 * credentials; the fan-out (SubscriberHub), bounded outbox and auth throttles are `/v1/stream`'s.
 * Alpaca sends no snapshot on subscribe, so neither does this endpoint (snapshots are on `/v1/stream`
 * and `GET /v1/snapshots/:symbol`).
 */
export class AlpacaStreamConnection implements FeedSubscriber {
  private state: 'connected' | 'authenticating' | 'authenticated' | 'closed' = 'connected';
  private entitlements: CustomerEntitlements | null = null;
  private subscription = AlpacaSubscription.empty();
  private readonly outbound: OutboundSocket;
  private readonly subscribeBucket: TokenBucket;
  private readonly errorBucket: TokenBucket;
  private authTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: WebSocket,
    private readonly remoteAddress: string,
    private readonly codec: AlpacaCodec,
    private readonly context: AlpacaStreamContext,
    /** Frees this connection's unauthenticated slot of its address (PendingConnections). */
    private readonly releasePending: () => void = () => undefined,
  ) {
    this.outbound = new OutboundSocket(
      socket,
      context.limits,
      context.pump,
      () => this.fail(407),
      () => context.metrics.messagesConflated.inc(),
      null,
    );
    this.subscribeBucket = new TokenBucket(context.limits.subscribeBurst, context.limits.subscribePerSecond);
    this.errorBucket = new TokenBucket(context.limits.errorBurst, context.limits.errorsPerSecond);
  }

  /** Greets the client, starts the auth timer and listens. */
  start(): void {
    this.context.metrics.connections.inc({ protocol: 'alpaca' });
    this.socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    this.socket.on('close', () => this.cleanUp());
    this.socket.on('error', (error) => this.context.logger.debug({ err: error, remoteAddress: this.remoteAddress }, 'Alpaca stream socket error'));
    this.authTimer = setTimeout(() => {
      if (this.state === 'connected' || this.state === 'authenticating') this.fail(404);
    }, this.context.limits.authTimeoutMs);
    this.sendControl({ T: 'success', msg: 'connected' });
  }

  /** Closes the connection because the server stops (Alpaca has no error code for it: close 1001). */
  shutdown(): void {
    this.close(GOING_AWAY, 'server shutting down', 'serverShutdown');
  }

  deliver(message: RoutedMessage, _frameText: () => string, event: CustomerEvent): void {
    if (this.state !== 'authenticated') return;
    for (const channel of ALPACA_CHANNELS_OF_ROUTE[message.channel]) {
      if (!this.subscription.matches(channel, message.symbol)) continue;
      const frame = this.context.frames.frameOf(message, event, channel, this.codec);
      if (frame === null) continue;
      this.outbound.send(message.conflationKey, frame);
      this.context.metrics.messagesSent.inc({ channel: message.channel });
    }
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    let decoded: unknown;
    try {
      decoded = decodeAlpacaClientFrame(toBuffer(data), isBinary);
    } catch {
      this.error(400);
      return;
    }
    const parsed = parseAlpacaClientMessage(decoded);
    if (!parsed.ok) {
      this.error(parsed.refusal.code);
      return;
    }
    const { request } = parsed;
    if (request.action === 'auth') {
      void this.authenticate(request.key, request.secret);
      return;
    }
    if (this.state !== 'authenticated') {
      this.error(401);
      return;
    }
    if (!this.subscribeBucket.tryTake()) {
      this.error(429);
      return;
    }
    if (request.action === 'subscribe') this.subscribe(request.channels);
    else this.apply(this.subscription.without(request.channels));
  }

  private async authenticate(keyId: string, secret: string): Promise<void> {
    if (this.state === 'authenticated') {
      this.error(403);
      return;
    }
    if (this.state === 'authenticating') {
      this.error(400);
      return;
    }
    if (!this.context.authAttempts.tryTake(this.remoteAddress)) {
      this.fail(429);
      return;
    }
    this.state = 'authenticating';
    let entitlements: CustomerEntitlements | null;
    try {
      entitlements = await this.context.authenticator.authenticateAlpaca(keyId, secret);
    } catch (error) {
      this.context.logger.error({ err: error }, 'Alpaca credentials lookup failed');
      if (this.isClosed()) return;
      this.state = 'connected';
      this.error(500);
      return;
    }
    if (this.isClosed()) return;
    if (!entitlements) {
      this.fail(402);
      return;
    }
    if (!this.context.connections.tryAcquire(entitlements.customerId, entitlements.maxConnections)) {
      this.fail(406);
      return;
    }
    this.entitlements = entitlements;
    this.state = 'authenticated';
    this.releasePending();
    if (this.authTimer) clearTimeout(this.authTimer);
    this.sendControl({ T: 'success', msg: 'authenticated' });
  }

  private subscribe(request: AlpacaChannelSymbols): void {
    const entitlements = this.entitlements as CustomerEntitlements;
    const next = this.subscription.with(request, entitlements.channels.includes('corrections'));
    const refusal = checkAlpacaSubscribe(entitlements, request, next);
    if (refusal !== null) {
      this.error(refusal);
      return;
    }
    this.apply(next);
  }

  /** Makes `next` the subscription: the hub routes it adds and drops, then Alpaca's `subscription` message. */
  private apply(next: AlpacaSubscription): void {
    const before = this.subscription.hubRoutes();
    const after = next.hubRoutes();
    this.subscription = next;
    for (const { channel, symbol } of before.addedSince(after)) this.context.hub.remove(this, channel, symbol);
    for (const { channel, symbol } of after.addedSince(before)) this.context.hub.add(this, channel, symbol);
    this.sendControl(next.toMessage());
  }

  private sendControl(message: object): void {
    this.outbound.sendControlFrame(encodeAlpacaFrame(this.codec, [message]));
  }

  private errorFrame(code: AlpacaStreamErrorCode): string | Uint8Array {
    return encodeAlpacaFrame(this.codec, [{ T: 'error', code, msg: alpacaErrorMessage(code) }]);
  }

  private error(code: AlpacaStreamErrorCode): void {
    if (CLOSING_CODES.has(code)) {
      this.fail(code);
      return;
    }
    if (code !== 500 && !this.errorBucket.tryTake()) {
      // A flood of refused frames: one closing error instead of an error frame per frame.
      this.fail(429);
      return;
    }
    this.context.metrics.protocolErrors.inc({ error: `alpaca-${code}` });
    this.outbound.sendControlFrame(this.errorFrame(code));
  }

  /** Sends a closing error straight to the socket (bypassing a slow client's full outbox), then closes. */
  private fail(code: AlpacaStreamErrorCode): void {
    if (this.state === 'closed') return;
    this.context.metrics.protocolErrors.inc({ error: `alpaca-${code}` });
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(this.errorFrame(code));
    this.close(POLICY_VIOLATION, alpacaErrorMessage(code), `alpaca-${code}`);
  }

  private close(closeCode: number, reason: string, metric: string): void {
    if (this.state === 'closed') return;
    this.context.metrics.disconnects.inc({ reason: metric });
    this.cleanUp();
    this.socket.close(closeCode, reason);
    // A client that does not read may never complete the closing handshake.
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Whether the socket closed meanwhile (read after an await, so the compiler does not narrow it). */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private cleanUp(): void {
    if (this.state === 'closed') return;
    if (this.state === 'authenticated' && this.entitlements) this.context.connections.release(this.entitlements.customerId);
    this.state = 'closed';
    this.releasePending();
    if (this.authTimer) clearTimeout(this.authTimer);
    this.context.hub.removeAll(this);
    this.outbound.dispose();
    this.context.metrics.connections.dec({ protocol: 'alpaca' });
  }
}

/** The bytes of a ws message (a Buffer, fragments, or an ArrayBuffer). */
function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return data;
}
