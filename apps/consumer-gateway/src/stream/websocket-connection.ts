import type { CustomerEntitlements, CustomerEvent, KeyedTokenBuckets, RoutedMessage } from '@tickwire/subscriptions';
import { TokenBucket } from '@tickwire/subscriptions';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { CustomerConnections } from '../auth/customer-connections';
import type { GatewayMetrics } from '../fan-out/gateway-metrics';
import type { FeedSubscriber, SubscriberHub } from '../fan-out/subscriber-hub';
import { conflatedNotice, type OutboundFrame, type OutboundLimits, OutboundSocket, type OutboxPump } from './outbound-socket';

/** After a closing error, how long the client gets to read it before the socket is cut. */
const CLOSE_GRACE_MS = 1_000;

/** What every WebSocket stream connection needs from the gateway (one shared instance of each). */
export interface WebSocketConnectionContext {
  connections: CustomerConnections;
  hub: SubscriberHub;
  pump: OutboxPump;
  authAttempts: KeyedTokenBuckets;
  metrics: GatewayMetrics;
  logger: Logger;
  limits: OutboundLimits & {
    authTimeoutMs: number;
    subscribeBurst: number;
    subscribePerSecond: number;
    /** Refused frames per connection (burst, per second) before it is closed. */
    errorBurst: number;
    errorsPerSecond: number;
  };
}

/** Where a connection is: connected -> authenticating -> authenticated, and closed from any of them. */
export type ConnectionState = 'connected' | 'authenticating' | 'authenticated' | 'closed';

/**
 * The life of one authenticated stream connection, whatever its protocol (`/v1/stream`, `/v2/tickwire`):
 * the auth timer, the customer's connection slot, the bounded outbound buffer, the subscribe and error
 * budgets, and a close that leaves nothing behind (hub routes, slots, timers). The protocol is the
 * subclass's: its greeting, frames, errors and deliveries.
 */
export abstract class WebSocketConnection implements FeedSubscriber {
  protected state: ConnectionState = 'connected';
  protected entitlements: CustomerEntitlements | null = null;
  protected readonly outbound: OutboundSocket;
  protected readonly subscribeBucket: TokenBucket;
  protected readonly errorBucket: TokenBucket;
  private authTimer: NodeJS.Timeout | null = null;

  /**
   * @param protocol the `protocol` label of `tickwire_gateway_connections`.
   * @param notice the frame sent before a conflated data frame, or null when the protocol has none.
   * @param releasePending frees this connection's unauthenticated slot of its address (PendingConnections).
   */
  constructor(
    protected readonly socket: WebSocket,
    protected readonly remoteAddress: string,
    protected readonly context: WebSocketConnectionContext,
    private readonly protocol: string,
    notice: ((key: string, skipped: number) => OutboundFrame) | null = conflatedNotice,
    private readonly releasePending: () => void = () => undefined,
  ) {
    this.outbound = new OutboundSocket(socket, context.limits, context.pump, () => this.onSlowClient(), () => context.metrics.messagesConflated.inc(), notice);
    this.subscribeBucket = new TokenBucket(context.limits.subscribeBurst, context.limits.subscribePerSecond);
    this.errorBucket = new TokenBucket(context.limits.errorBurst, context.limits.errorsPerSecond);
  }

  /** Greets the client, starts the auth timer and listens. */
  start(): void {
    this.context.metrics.connections.inc({ protocol: this.protocol });
    this.socket.on('message', (data, isBinary) => {
      if (!this.isClosed()) this.onFrame(bufferOf(data), isBinary);
    });
    this.socket.on('close', () => this.cleanUp());
    this.socket.on('error', (error) => {
      // A protocol violation (e.g. a frame above maxPayload) ends up here; ws then closes the socket.
      this.context.logger.debug({ err: error, remoteAddress: this.remoteAddress, protocol: this.protocol }, 'Stream socket error');
    });
    this.authTimer = setTimeout(() => {
      if (this.state === 'connected' || this.state === 'authenticating') this.onAuthTimeout();
    }, this.context.limits.authTimeoutMs);
    this.greet();
  }

  /** Closes the connection because the server stops. */
  abstract shutdown(): void;

  abstract deliver(message: RoutedMessage, frameText: () => string, event: CustomerEvent): void;

  /** Sends the protocol's first frame. */
  protected abstract greet(): void;
  /** Handles one client frame (never called once closed). */
  protected abstract onFrame(data: Buffer, isBinary: boolean): void;
  /** No successful auth within the auth timeout: the protocol's closing error. */
  protected abstract onAuthTimeout(): void;
  /** The outbound buffer overflowed even conflated: the protocol's closing error. */
  protected abstract onSlowClient(): void;

  /**
   * Takes a connection slot of the customer and makes the connection authenticated.
   * @returns false when the customer already has maxConnections (nothing changed; the caller closes).
   */
  protected admit(entitlements: CustomerEntitlements): boolean {
    if (!this.context.connections.tryAcquire(entitlements.customerId, entitlements.maxConnections)) return false;
    this.entitlements = entitlements;
    this.state = 'authenticated';
    this.releasePending();
    if (this.authTimer) clearTimeout(this.authTimer);
    return true;
  }

  /**
   * Closes the socket with `code` and `reason` after what was sent, counting the disconnect under
   * `metric`; a client that does not complete the closing handshake is cut after a grace period.
   */
  protected closeSocket(code: number, reason: string, metric: string): void {
    if (this.isClosed()) return;
    this.context.metrics.disconnects.inc({ reason: metric });
    this.cleanUp();
    this.socket.close(code, reason);
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Whether the connection closed (also read after an await, where the compiler would narrow `state`). */
  protected isClosed(): boolean {
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
    this.context.metrics.connections.dec({ protocol: this.protocol });
  }
}

/** The bytes of a ws message (a Buffer, fragments, or an ArrayBuffer). */
function bufferOf(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return data;
}
