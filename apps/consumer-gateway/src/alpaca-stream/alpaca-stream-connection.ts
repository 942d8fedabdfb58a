import { ALPACA_ERRORS } from '@tickwire/market-sources';
import type { CustomerEntitlements, CustomerEvent, RoutedMessage } from '@tickwire/subscriptions';
import type { WebSocket } from 'ws';
import type { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { WebSocketConnection, type WebSocketConnectionContext } from '../stream/websocket-connection';
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

/** WebSocket close code after a closing error: policy violation (RFC 6455 section 7.4.1), as Alpaca's test server. */
const POLICY_VIOLATION = 1008;
/** WebSocket close code when the gateway stops: going away (RFC 6455 section 7.4.1). */
const GOING_AWAY = 1001;

/** Alpaca's message of an error code. */
export function alpacaErrorMessage(code: AlpacaStreamErrorCode): string {
  return code === 429 ? 'rate limit exceeded' : (ALPACA_ERRORS[code]?.msg ?? 'internal error');
}

/** What a `/v2/tickwire` connection needs from the gateway: the `/v1/stream` context, Alpaca auth and the shared frame cache. */
export interface AlpacaStreamContext extends WebSocketConnectionContext {
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
export class AlpacaStreamConnection extends WebSocketConnection {
  private subscription = AlpacaSubscription.empty();

  constructor(
    socket: WebSocket,
    remoteAddress: string,
    private readonly codec: AlpacaCodec,
    protected override readonly context: AlpacaStreamContext,
    /** Frees this connection's unauthenticated slot of its address (PendingConnections). */
    releasePending: () => void = () => undefined,
  ) {
    // Alpaca has no message for conflated frames: a slow client just gets the latest per channel and symbol.
    super(socket, remoteAddress, context, 'alpaca', null, releasePending);
  }

  protected greet(): void {
    this.sendControl({ T: 'success', msg: 'connected' });
  }

  protected onAuthTimeout(): void {
    this.fail(404);
  }

  protected onSlowClient(): void {
    this.fail(407);
  }

  /** Closes the connection because the server stops (Alpaca has no error code for it: close 1001). */
  shutdown(): void {
    this.closeSocket(GOING_AWAY, 'server shutting down', 'serverShutdown');
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

  protected onFrame(data: Buffer, isBinary: boolean): void {
    let decoded: unknown;
    try {
      decoded = decodeAlpacaClientFrame(data, isBinary);
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
    if (!this.admit(entitlements)) {
      this.fail(406);
      return;
    }
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
    if (this.isClosed()) return;
    this.context.metrics.protocolErrors.inc({ error: `alpaca-${code}` });
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(this.errorFrame(code));
    this.closeSocket(POLICY_VIOLATION, alpacaErrorMessage(code), `alpaca-${code}`);
  }
}
