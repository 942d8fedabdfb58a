import {
  type Channel,
  type ChannelSymbols,
  channelSymbolsOf,
  checkSubscribe,
  closeCodeOf,
  type CustomerEntitlements,
  errorFrame,
  type KeyedTokenBuckets,
  parseClientMessage,
  PROTOCOL_ERRORS,
  type ProtocolErrorName,
  type RoutedMessage,
  SubscriptionSet,
  type SymbolSnapshot,
  TokenBucket,
  WILDCARD,
} from '@tickwire/subscriptions';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import type { CustomerConnections } from '../auth/customer-connections';
import type { GatewayMetrics } from '../fan-out/gateway-metrics';
import type { FeedSubscriber, SubscriberHub } from '../fan-out/subscriber-hub';
import { type OutboundLimits, OutboundSocket, type OutboxPump } from './outbound-socket';

/** Channels whose messages the symbol snapshot covers (they derive from market.enriched.v1). */
const SNAPSHOT_CHANNELS: readonly Channel[] = ['trades', 'quotes', 'enriched'];
/** Failed auths on one connection before it is closed. */
const MAX_AUTH_FAILURES = 3;
/** After a closing error, how long the client gets to read it before the socket is cut. */
const CLOSE_GRACE_MS = 1_000;

/** What a connection needs from the gateway (one shared instance of each). */
export interface StreamConnectionContext {
  authenticator: Pick<ApiKeyAuthenticator, 'authenticate'>;
  connections: CustomerConnections;
  /**
   * The state of `symbol` after the last event the hub published, or null when there is none
   * (SymbolSnapshots.current). Synchronous: it must answer on the turn the subscriber is registered.
   */
  snapshotOf: (symbol: string) => SymbolSnapshot | null;
  hub: SubscriberHub;
  pump: OutboxPump;
  authAttempts: KeyedTokenBuckets;
  metrics: GatewayMetrics;
  logger: Logger;
  limits: OutboundLimits & {
    authTimeoutMs: number;
    subscribeBurst: number;
    subscribePerSecond: number;
    /** Refused frames per connection (burst, per second) before it is closed with 4008. */
    errorBurst: number;
    errorsPerSecond: number;
  };
}

/** Refusals a client causes (as opposed to the server's own internalError): they draw on its error budget. */
const CLIENT_FAULTS: ReadonlySet<ProtocolErrorName> = new Set([
  'invalidSyntax',
  'notAuthenticated',
  'alreadyAuthenticated',
  'symbolLimitExceeded',
  'rateLimited',
  'notEntitled',
  'authFailed',
]);

/**
 * One `/v1/stream` connection: the protocol state machine (connected -> authenticated -> closed),
 * its subscription, snapshot-then-deltas ordering and bounded outbound buffer. See the app README for
 * the protocol; see @tickwire/subscriptions for the pure parts.
 *
 * Snapshot then deltas: a subscribe takes each snapshot and registers the connection with the hub
 * on one turn of the event loop, and the market feed updates the snapshot cache and publishes each
 * event on one turn too, so the snapshot is the state after some event of the stream and the deltas
 * are exactly the events published after it, in order. No event time is compared.
 */
export class StreamConnection implements FeedSubscriber {
  private state: 'connected' | 'authenticating' | 'authenticated' | 'closed' = 'connected';
  private entitlements: CustomerEntitlements | null = null;
  private subscription = SubscriptionSet.empty();
  private readonly outbound: OutboundSocket;
  private readonly subscribeBucket: TokenBucket;
  private readonly errorBucket: TokenBucket;
  private authFailures = 0;
  private authTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: WebSocket,
    private readonly remoteAddress: string,
    private readonly context: StreamConnectionContext,
    /** Frees this connection's unauthenticated slot of its address (PendingConnections). */
    private readonly releasePending: () => void = () => undefined,
  ) {
    this.outbound = new OutboundSocket(
      socket,
      context.limits,
      context.pump,
      () => this.fail('slowClient'),
      () => context.metrics.messagesConflated.inc(),
    );
    this.subscribeBucket = new TokenBucket(context.limits.subscribeBurst, context.limits.subscribePerSecond);
    this.errorBucket = new TokenBucket(context.limits.errorBurst, context.limits.errorsPerSecond);
  }

  /** Greets the client, starts the auth timer and listens. */
  start(): void {
    this.context.metrics.connections.inc({ protocol: 'stream' });
    this.socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    this.socket.on('close', () => this.cleanUp());
    this.socket.on('error', (error) => {
      // A protocol violation (e.g. a frame above maxPayload) ends up here; ws then closes the socket.
      this.context.logger.debug({ err: error, remoteAddress: this.remoteAddress }, 'Stream socket error');
    });
    this.authTimer = setTimeout(() => {
      if (this.state === 'connected' || this.state === 'authenticating') this.fail('authTimeout');
    }, this.context.limits.authTimeoutMs);
    this.outbound.sendControl({ type: 'success', msg: 'connected' });
  }

  /** Closes the connection because the server stops. */
  shutdown(): void {
    this.fail('serverShutdown');
  }

  deliver(message: RoutedMessage, frameText: () => string): void {
    if (this.state !== 'authenticated') return;
    this.outbound.send(message.conflationKey, frameText());
    this.context.metrics.messagesSent.inc({ channel: message.channel });
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    if (isBinary) {
      this.error('invalidSyntax', 'binary frames are not supported; send JSON text');
      return;
    }
    const parsed = parseClientMessage(rawText(data));
    if (!parsed.ok) {
      this.error('invalidSyntax', parsed.reason);
      return;
    }
    const { message } = parsed;
    switch (message.action) {
      case 'auth':
        void this.authenticate(message.key);
        return;
      case 'ping':
        this.outbound.sendControl({ type: 'pong' });
        return;
      case 'subscribe':
      case 'unsubscribe':
        if (this.state !== 'authenticated') {
          this.error('notAuthenticated');
          return;
        }
        if (!this.subscribeBucket.tryTake()) {
          this.error('rateLimited', `at most ${this.context.limits.subscribePerSecond} subscription changes per second`);
          return;
        }
        if (message.action === 'subscribe') this.subscribe(channelSymbolsOf(message));
        else this.unsubscribe(channelSymbolsOf(message));
        return;
    }
  }

  private async authenticate(key: string): Promise<void> {
    if (this.state === 'authenticated') {
      this.error('alreadyAuthenticated');
      return;
    }
    if (this.state === 'authenticating') {
      this.error('invalidSyntax', 'an auth is already in progress');
      return;
    }
    if (!this.context.authAttempts.tryTake(this.remoteAddress)) {
      this.fail('tooManyAuthAttempts');
      return;
    }
    this.state = 'authenticating';
    let entitlements: CustomerEntitlements | null;
    try {
      entitlements = await this.context.authenticator.authenticate(key);
    } catch (error) {
      this.context.logger.error({ err: error }, 'API key lookup failed');
      if (this.isClosed()) return;
      this.state = 'connected';
      this.error('internalError', 'key store unavailable; retry');
      return;
    }
    if (this.isClosed()) return;
    if (!entitlements) {
      this.state = 'connected';
      this.authFailures += 1;
      if (this.authFailures >= MAX_AUTH_FAILURES) this.fail('tooManyAuthAttempts');
      else this.error('authFailed');
      return;
    }
    if (!this.context.connections.tryAcquire(entitlements.customerId, entitlements.maxConnections)) {
      this.fail('connectionLimitExceeded', `limit ${entitlements.maxConnections}`);
      return;
    }
    this.entitlements = entitlements;
    this.state = 'authenticated';
    this.releasePending();
    if (this.authTimer) clearTimeout(this.authTimer);
    this.outbound.sendControl({ type: 'success', msg: 'authenticated', customerId: entitlements.customerId });
  }

  private subscribe(request: ChannelSymbols): void {
    const entitlements = this.entitlements as CustomerEntitlements;
    const next = this.subscription.with(request);
    const refusal = checkSubscribe(entitlements, request, next);
    if (refusal) {
      this.error(refusal.error, refusal.detail);
      return;
    }
    const previous = this.subscription;
    this.subscription = next;
    // Each symbol newly subscribed on a snapshot channel gets a snapshot; that channel's deltas start
    // right after it. All on this turn: no event is published between the snapshot and the hub routes.
    const snapshotSymbols = new Set<string>();
    for (const { channel, symbol } of next.addedSince(previous)) {
      if (symbol !== WILDCARD && SNAPSHOT_CHANNELS.includes(channel)) snapshotSymbols.add(symbol);
      this.context.hub.add(this, channel, symbol);
    }
    this.outbound.sendControl(next.toFrame());
    for (const symbol of snapshotSymbols) {
      const snapshot = this.context.snapshotOf(symbol);
      this.outbound.sendControl({ type: 'snapshot', symbol, eventTime: snapshot?.lastEventTime ?? null, data: snapshot });
    }
  }

  private unsubscribe(request: ChannelSymbols): void {
    const previous = this.subscription;
    const next = previous.without(request);
    this.subscription = next;
    for (const { channel, symbol } of previous.addedSince(next)) this.context.hub.remove(this, channel, symbol);
    this.outbound.sendControl(next.toFrame());
  }

  private error(name: ProtocolErrorName, detail?: string): void {
    if (CLIENT_FAULTS.has(name) && !PROTOCOL_ERRORS[name].closes && !this.errorBucket.tryTake()) {
      // A flood of refused frames: one closing error instead of an error frame per frame.
      this.fail('rateLimited', `more than ${this.context.limits.errorBurst} refused frames; connection closed`);
      return;
    }
    this.context.metrics.protocolErrors.inc({ error: name });
    this.outbound.sendControl(errorFrame(name, detail));
    if (PROTOCOL_ERRORS[name].closes) this.close(name);
  }

  /** Sends a closing error, bypassing the outbox when the client is slow (its buffer is full anyway). */
  private fail(name: ProtocolErrorName, detail?: string): void {
    if (this.isClosed()) return;
    this.context.metrics.protocolErrors.inc({ error: name });
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(errorFrame(name, detail)));
    this.close(name);
  }

  private close(name: ProtocolErrorName): void {
    if (this.isClosed()) return;
    this.context.metrics.disconnects.inc({ reason: name });
    this.cleanUp();
    this.socket.close(closeCodeOf(name), PROTOCOL_ERRORS[name].msg);
    // A client that does not read may never complete the closing handshake.
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

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
    this.context.metrics.connections.dec({ protocol: 'stream' });
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
