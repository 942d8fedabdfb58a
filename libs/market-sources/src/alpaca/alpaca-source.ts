import { createTimeout } from 'retry';
import WebSocket from 'ws';
import { systemMonotonicClock, systemWallClock, type MonotonicClock, type WallClock } from '../core/clock';
import { RecordQueue } from '../core/record-queue';
import { rejectedRecord, type MarketDataSource, type SourceRecord } from '../core/source-record';
import { oversizedReason, MAX_EVENT_RECORD_BYTES } from '@tickwire/contracts';
import { ALPACA_SOURCE, alpacaTopicOf, mapAlpacaDataMessage, type AlpacaReceipt } from './alpaca-message-mapper';
import { DailyBarHold, type DailyBarHoldStore } from './daily-bar-hold';
import {
  ALPACA_CHANNELS,
  ALPACA_ERRORS,
  ALPACA_EVENT_TYPES,
  ALPACA_NOTICE_TYPES,
  alpacaErrorHandling,
  type AlpacaChannel,
  type AlpacaClientMessage,
  type AlpacaErrorHandling,
  type AlpacaSubscription,
  type AlpacaSubscriptionAck,
} from './alpaca-protocol';

/** API key pair of an Alpaca account (`APCA-API-KEY-ID` / `APCA-API-SECRET-KEY`). */
export interface AlpacaCredentials {
  readonly keyId: string;
  readonly secretKey: string;
}

/** Reconnect policy: exponential backoff with jitter, delays from the `retry` package's `createTimeout`. */
export interface AlpacaReconnectOptions {
  /** Delay before the first reconnect, ms. Default 500. */
  readonly minDelayMs?: number;
  /** Cap of the delay, ms. Default 30,000. */
  readonly maxDelayMs?: number;
  /** Growth factor per consecutive failure. Default 2. */
  readonly factor?: number;
  /** Multiply each delay by a random factor in [1, 2) so many clients do not reconnect in lockstep. Default true. */
  readonly jitter?: boolean;
  /** Reconnect attempts in a row (without a stable session in between) before the source fails. Default Infinity (a feed handler keeps trying). */
  readonly maxAttempts?: number;
  /** A session that streamed at least this long resets the backoff, ms. Default 10,000. */
  readonly stableAfterMs?: number;
}

/** Options of {@link AlpacaSource}. */
export interface AlpacaSourceOptions {
  /** Stream URL, e.g. `wss://stream.data.alpaca.markets/v2/iex` (or `.../v2/sip`, `.../v2/test`). */
  readonly url: string;
  readonly credentials: AlpacaCredentials;
  /** Initial subscription; re-sent after every reconnect. Change it later with `subscribe`/`unsubscribe`. */
  readonly subscription: AlpacaSubscription;
  readonly reconnect?: AlpacaReconnectOptions;
  /** Wait for the TCP/WS handshake and the `connected` message, ms. Default 10,000. */
  readonly connectTimeoutMs?: number;
  /** Wait for `authenticated` after sending auth, ms (the server itself allows 10 s). Default 10,000. */
  readonly authTimeoutMs?: number;
  /** Wait for the subscription acknowledgement, ms. Default 10,000. */
  readonly subscribeTimeoutMs?: number;
  /** Records buffered before the socket is paused (TCP backpressure to the server). Default 10,000. */
  readonly highWaterMark?: number;
  /** `ingestTime` clock and the clock daily bars are held back by (see {@link DailyBarHold}), epoch ms. Default `Date.now`. */
  readonly wallClock?: WallClock;
  /**
   * Durable copy of the daily bars held back until their session closes ({@link DailyBarHold}); loaded before
   * the first connection, so a restart across a close still publishes that session's bar. Default none.
   */
  readonly dailyBarStore?: DailyBarHoldStore;
  /** Clock for session durations and reconnect delays. Default `performance.now()`. */
  readonly clock?: MonotonicClock;
  /** Observer of the connection lifecycle and of protocol notices (for logs and metrics); must not throw. */
  readonly onEvent?: (event: AlpacaSourceEvent) => void;
}

/** Lifecycle and notice events reported to `onEvent`. */
export type AlpacaSourceEvent =
  | { readonly type: 'connecting'; readonly url: string; readonly attempt: number }
  | { readonly type: 'connected' }
  | { readonly type: 'authenticated' }
  | { readonly type: 'subscribed'; readonly subscription: AlpacaSubscriptionAck }
  | { readonly type: 'server-error'; readonly code: number; readonly message: string; readonly handling: AlpacaErrorHandling }
  | { readonly type: 'disconnected'; readonly reason: string }
  | { readonly type: 'reconnecting'; readonly attempt: number; readonly delayMs: number }
  | { readonly type: 'notice'; readonly message: Readonly<Record<string, unknown>> };

/** A failure that ends the source: a fatal server error (`code`, e.g. 402) or exhausted reconnect attempts. */
export class AlpacaStreamError extends Error {
  override readonly name = 'AlpacaStreamError';

  constructor(
    /** Alpaca error code, undefined when the client gave up reconnecting. */
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** How a session ended, when it was not fatal. */
interface SessionEnd {
  readonly reason: string;
  readonly streamedForMs: number;
}

type SessionState = 'connecting' | 'authenticating' | 'subscribing' | 'streaming';

/** Connection state of an {@link AlpacaSource}. */
export type AlpacaConnectionState = 'idle' | SessionState | 'closed';

/**
 * Client of the Alpaca Market Data v2 WebSocket stream as a {@link MarketDataSource}: one connection,
 * message auth, subscription, data mapped to contract events by {@link mapAlpacaDataMessage} (trades with
 * their corrections and cancels, quotes, minute bars when subscribed to `bars`, trading statuses when
 * subscribed to `statuses`), invalid data as rejected records.
 *
 * Resilience:
 * - The connection is re-established after any drop (close, error, timeout, error codes 401, 406 connection
 *   limit, 407 slow client, 500) with exponential backoff and jitter ({@link AlpacaReconnectOptions}), and
 *   the current subscription is sent again after each reconnect.
 * - Fatal error codes (400, 402 auth failed, 404 auth timeout, 405 symbol limit, 408, 409 insufficient
 *   subscription, 410 invalid subscribe action, 411 insufficient scope; see {@link ALPACA_ERRORS}) end the
 *   iteration with an {@link AlpacaStreamError}: retrying cannot fix credentials or entitlements.
 * - Memory is bounded: beyond `highWaterMark` buffered records the socket is paused until the consumer
 *   catches up.
 *
 * Records received while disconnected are lost (Alpaca has no replay); a gap shows as `disconnected` /
 * `reconnecting` events. Daily bars (`d`) grow during the session: each symbol's latest is held back until
 * its session has closed and published then ({@link DailyBarHold}). Alpaca's minute bars map to `market.bar.source.1m.v1` on their own raw topic
 * (`<source>:<symbol>:<startTime>` ids, distinct from the enricher's bars); corrections, cancels/errors and
 * trading statuses to their contract events (see {@link mapAlpacaDataMessage}).
 * @example
 * const source = new AlpacaSource({ url, credentials, subscription: { trades: ['AAPL'], quotes: ['AAPL'] } });
 * for await (const record of source) publish(record);
 */
export class AlpacaSource implements MarketDataSource {
  readonly name = 'alpaca';
  private readonly queue: RecordQueue<SourceRecord>;
  private readonly desired = new Map<AlpacaChannel, Set<string>>(ALPACA_CHANNELS.map((channel) => [channel, new Set<string>()]));
  private readonly abort = new AbortController();
  private readonly clock: MonotonicClock;
  private readonly wallClock: WallClock;
  private socket: WebSocket | undefined;
  private state: AlpacaConnectionState = 'idle';
  private acknowledged: AlpacaSubscriptionAck | undefined;
  private loop: Promise<void> | undefined;
  private iterated = false;
  private readonly dailyBars: DailyBarHold;
  private releaseTimer: NodeJS.Timeout | undefined;
  private releaseTimerAt: number | undefined;

  constructor(private readonly options: AlpacaSourceOptions) {
    this.clock = options.clock ?? systemMonotonicClock;
    this.wallClock = options.wallClock ?? systemWallClock;
    this.dailyBars = new DailyBarHold({ wallClock: this.wallClock, ...(options.dailyBarStore ? { store: options.dailyBarStore } : {}) });
    this.queue = new RecordQueue<SourceRecord>({
      highWaterMark: options.highWaterMark ?? 10_000,
      onHighWater: () => this.socket?.pause(),
      onLowWater: () => this.socket?.resume(),
    });
    this.addToDesired(options.subscription);
  }

  /** The server's latest subscription acknowledgement (undefined before the first). */
  get subscription(): AlpacaSubscriptionAck | undefined {
    return this.acknowledged;
  }

  /** Records received and not yet pulled by the consumer (bounded by about `highWaterMark` plus the frames in flight). */
  get bufferedRecords(): number {
    return this.queue.size;
  }

  /** Connection state: `idle` before iteration, then `connecting` .. `streaming`, `closed` at the end. */
  get connectionState(): AlpacaConnectionState {
    return this.state;
  }

  /** Adds symbols; sent at once when streaming, else with the next (re)connect. */
  subscribe(subscription: AlpacaSubscription): void {
    this.addToDesired(subscription);
    if (this.state === 'streaming') this.send({ action: 'subscribe', ...subscription });
  }

  /** Removes symbols; sent at once when streaming, else reflected in the next (re)connect. */
  unsubscribe(subscription: AlpacaSubscription): void {
    for (const channel of ALPACA_CHANNELS) for (const symbol of subscription[channel] ?? []) this.desired.get(channel)?.delete(symbol);
    if (this.state === 'streaming') this.send({ action: 'unsubscribe', ...subscription });
  }

  /** Starts connecting on the first call. @throws Error on a second iteration. */
  [Symbol.asyncIterator](): AsyncIterator<SourceRecord> {
    if (this.iterated) throw new Error('alpaca: a source can be iterated only once');
    this.iterated = true;
    this.loop = this.run();
    return {
      next: () => this.queue.next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** Closes the socket, stops reconnecting and ends the iteration (buffered records are dropped). Idempotent. */
  async close(): Promise<void> {
    if (!this.abort.signal.aborted) this.abort.abort();
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    this.socket?.terminate();
    this.queue.clear();
    await this.loop;
    this.state = 'closed';
  }

  private addToDesired(subscription: AlpacaSubscription): void {
    for (const channel of ALPACA_CHANNELS) for (const symbol of subscription[channel] ?? []) this.desired.get(channel)?.add(symbol);
  }

  private desiredSubscription(): AlpacaSubscription {
    return Object.fromEntries(ALPACA_CHANNELS.flatMap((channel) => {
      const symbols = [...(this.desired.get(channel) ?? [])];
      return symbols.length > 0 ? [[channel, symbols]] : [];
    }));
  }

  /**
   * Sends what `subscribe`/`unsubscribe` changed while the handshake was in flight (the subscribe message
   * sent after auth carried the subscription of that moment): the difference between the desired and the
   * acknowledged subscription.
   */
  private reconcileSubscription(): void {
    const ack = this.acknowledged;
    const add: Partial<Record<AlpacaChannel, string[]>> = {};
    const remove: Partial<Record<AlpacaChannel, string[]>> = {};
    for (const channel of ALPACA_CHANNELS) {
      const desired = this.desired.get(channel) ?? new Set<string>();
      const current = new Set(ack?.[channel] ?? []);
      const missing = [...desired].filter((symbol) => !current.has(symbol));
      const extra = [...current].filter((symbol) => !desired.has(symbol));
      if (missing.length > 0) add[channel] = missing;
      if (extra.length > 0) remove[channel] = extra;
    }
    if (Object.keys(add).length > 0) this.send({ action: 'subscribe', ...add });
    if (Object.keys(remove).length > 0) this.send({ action: 'unsubscribe', ...remove });
  }

  /** Queues what the daily-bar hold releases and arms the timer for its next release. */
  private pushAll(records: readonly SourceRecord[]): void {
    for (const record of records) this.queue.push(record);
    const next = this.dailyBars.nextReleaseAt();
    if (next === this.releaseTimerAt || this.abort.signal.aborted) return;
    clearTimeout(this.releaseTimer);
    this.releaseTimerAt = next;
    this.releaseTimer = undefined;
    if (next === undefined) return;
    // setTimeout holds at most 2^31-1 ms (~24.8 days); a longer wait re-arms when it fires.
    const delayMs = Math.min(Math.max(0, next - this.wallClock()), 2_147_483_647);
    this.releaseTimer = setTimeout(() => {
      this.releaseTimerAt = undefined;
      this.pushAll(this.dailyBars.releaseDue());
    }, delayMs);
  }

  private emit(event: AlpacaSourceEvent): void {
    this.options.onEvent?.(event);
  }

  private send(message: AlpacaClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Session loop: connect, stream until the connection ends, back off, repeat; ends the queue on close or fatal error. */
  private async run(): Promise<void> {
    const policy = this.options.reconnect ?? {};
    const maxAttempts = policy.maxAttempts ?? Number.POSITIVE_INFINITY;
    const stableAfterMs = policy.stableAfterMs ?? 10_000;
    let failures = 0;
    try {
      if (this.options.dailyBarStore) {
        this.dailyBars.restore(await this.options.dailyBarStore.load());
        this.pushAll(this.dailyBars.releaseDue());
      }
      for (;;) {
        this.emit({ type: 'connecting', url: this.options.url, attempt: failures + 1 });
        const end = await this.session();
        if (this.abort.signal.aborted) return;
        this.emit({ type: 'disconnected', reason: end.reason });
        failures = end.streamedForMs >= stableAfterMs ? 1 : failures + 1;
        if (failures > maxAttempts) throw new AlpacaStreamError(undefined, `gave up after ${maxAttempts} reconnect attempts in a row; last: ${end.reason}`);
        const delayMs = createTimeout(failures - 1, {
          minTimeout: policy.minDelayMs ?? 500,
          maxTimeout: policy.maxDelayMs ?? 30_000,
          factor: policy.factor ?? 2,
          randomize: policy.jitter ?? true,
        });
        this.emit({ type: 'reconnecting', attempt: failures, delayMs });
        await this.clock.sleep(delayMs, this.abort.signal);
      }
    } catch (error) {
      // After close() an aborted reconnect sleep (or anything else) just ends the iteration.
      if (this.abort.signal.aborted) return;
      this.queue.fail(error);
    } finally {
      this.state = 'closed';
      clearTimeout(this.releaseTimer); // held daily bars go with the buffered records
      this.queue.end();
    }
  }

  /**
   * One connection from handshake to close. Resolves with how it ended (to reconnect);
   * rejects with an AlpacaStreamError for a fatal server error.
   */
  private session(): Promise<SessionEnd> {
    const { url, credentials } = this.options;
    const origin = `alpaca ${url}`;
    return new Promise<SessionEnd>((resolve, reject) => {
      if (this.abort.signal.aborted) {
        resolve({ reason: 'closed', streamedForMs: 0 });
        return;
      }
      const socket = new WebSocket(url, { handshakeTimeout: this.options.connectTimeoutMs ?? 10_000 });
      this.socket = socket;
      this.state = 'connecting';
      let streamingSince: number | undefined;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;

      const settle = (outcome: { end: string } | { fatal: AlpacaStreamError }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', onAbort);
        socket.removeAllListeners('message');
        if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
        if (this.socket === socket) this.socket = undefined;
        if ('fatal' in outcome) reject(outcome.fatal);
        else resolve({ reason: outcome.end, streamedForMs: streamingSince === undefined ? 0 : this.clock.now() - streamingSince });
      };
      const expectWithin = (ms: number, what: string) => {
        clearTimeout(timer);
        timer = setTimeout(() => settle({ end: `timed out after ${ms} ms waiting for ${what}` }), ms);
      };
      const onAbort = () => settle({ end: 'closed' });
      this.abort.signal.addEventListener('abort', onAbort);
      expectWithin(this.options.connectTimeoutMs ?? 10_000, 'the connected message');

      const startStreaming = () => {
        this.state = 'streaming';
        streamingSince = this.clock.now();
        clearTimeout(timer);
        this.reconcileSubscription();
      };

      const onControl = (message: Readonly<Record<string, unknown>>): void => {
        const type = message['T'];
        if (type === 'success' && message['msg'] === 'connected') {
          this.emit({ type: 'connected' });
          this.state = 'authenticating';
          expectWithin(this.options.authTimeoutMs ?? 10_000, 'authentication');
          this.send({ action: 'auth', key: credentials.keyId, secret: credentials.secretKey });
        } else if (type === 'success' && message['msg'] === 'authenticated') {
          this.emit({ type: 'authenticated' });
          const subscription = this.desiredSubscription();
          if (Object.keys(subscription).length === 0) {
            startStreaming();
            return;
          }
          this.state = 'subscribing';
          expectWithin(this.options.subscribeTimeoutMs ?? 10_000, 'the subscription acknowledgement');
          this.send({ action: 'subscribe', ...subscription });
        } else if (type === 'subscription') {
          this.acknowledged = toAck(message);
          this.emit({ type: 'subscribed', subscription: this.acknowledged });
          if (this.state === 'subscribing') startStreaming();
        } else if (type === 'error') {
          const code = typeof message['code'] === 'number' ? message['code'] : Number.NaN;
          const text = typeof message['msg'] === 'string' ? message['msg'] : (ALPACA_ERRORS[code]?.msg ?? 'unknown error');
          const handling = alpacaErrorHandling(code);
          this.emit({ type: 'server-error', code, message: text, handling });
          if (handling === 'fatal') settle({ fatal: new AlpacaStreamError(code, `Alpaca error ${code}: ${text} (${ALPACA_ERRORS[code]?.why ?? 'fatal'})`) });
          else if (handling === 'reconnect') settle({ end: `server error ${code}: ${text}` });
        }
      };

      socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
        const receipt: AlpacaReceipt = { receivedAt: this.wallClock(), origin };
        const text = isBinary ? '' : data.toString();
        let frame: unknown;
        try {
          frame = JSON.parse(text);
        } catch (error) {
          this.queue.push(rejectedRecord(null, 'MalformedJson', `frame is not valid JSON: ${(error as Error).message}`, { source: ALPACA_SOURCE, raw: isBinary ? '<binary frame>' : text, ...receipt }));
          return;
        }
        if (!Array.isArray(frame)) {
          this.queue.push(rejectedRecord(null, 'SchemaViolation', 'frame must be a JSON array of messages', { source: ALPACA_SOURCE, raw: text, ...receipt }));
          return;
        }
        // Only a frame above the record limit can hold an oversized message: measure messages only then.
        const measure = text.length > MAX_EVENT_RECORD_BYTES;
        for (const message of frame as unknown[]) {
          if (settled) return;
          if (typeof message !== 'object' || message === null || Array.isArray(message)) {
            this.queue.push(rejectedRecord(null, 'SchemaViolation', 'message must be a JSON object with a T field', { source: ALPACA_SOURCE, raw: JSON.stringify(message), ...receipt }));
            continue;
          }
          const fields = message as Readonly<Record<string, unknown>>;
          const type = fields['T'];
          if (measure && alpacaTopicOf(type) !== null) {
            // Mapping would drop the unknown fields that make it big; the contract's record limit applies to what the source sent.
            const raw = JSON.stringify(fields);
            const oversized = oversizedReason(raw);
            if (oversized !== undefined) {
              const symbol = typeof fields['S'] === 'string' ? fields['S'] : undefined;
              this.queue.push(rejectedRecord(alpacaTopicOf(type), 'OversizedRecord', `message ${oversized}`, { source: ALPACA_SOURCE, raw, symbol, ...receipt }));
              continue;
            }
          }
          if ((ALPACA_EVENT_TYPES as readonly unknown[]).includes(type)) this.pushAll(this.dailyBars.accept(fields, receipt));
          else if ((ALPACA_NOTICE_TYPES as readonly unknown[]).includes(type)) this.emit({ type: 'notice', message: fields });
          else if (type === 'success' || type === 'subscription' || type === 'error') onControl(fields);
          else this.queue.push(mapAlpacaDataMessage(fields, receipt)); // unknown type: rejected with the reason
        }
      });
      socket.on('close', (code: number, reason: Buffer) => settle({ end: `connection closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})` }));
      socket.on('error', (error: Error) => settle({ end: `connection error: ${error.message}` }));
      // The queue may still be above its high-water mark from before a reconnect: start paused then.
      socket.once('open', () => {
        if (this.queue.size >= (this.options.highWaterMark ?? 10_000)) socket.pause();
      });
    });
  }
}

function toAck(message: Readonly<Record<string, unknown>>): AlpacaSubscriptionAck {
  const list = (key: string): string[] => (Array.isArray(message[key]) ? (message[key] as unknown[]).filter((s): s is string => typeof s === 'string') : []);
  return {
    trades: list('trades'),
    quotes: list('quotes'),
    bars: list('bars'),
    updatedBars: list('updatedBars'),
    dailyBars: list('dailyBars'),
    statuses: list('statuses'),
    lulds: list('lulds'),
    corrections: list('corrections'),
    cancelErrors: list('cancelErrors'),
  };
}
