import type { IncomingMessage } from 'node:http';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectServiceConfig, ROOT_LOGGER } from '@tickwire/service-kit';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { AuthAttempts } from '../auth/auth-attempts';
import { ClientAddresses } from '../auth/client-addresses';
import { CustomerConnections } from '../auth/customer-connections';
import type { GatewayConfig } from '../config/gateway-config';
import { GatewayMetrics } from '../fan-out/gateway-metrics';
import { SubscriberHub } from '../fan-out/subscriber-hub';
import { OutboxPump } from './outbound-socket';
import type { WebSocketConnection, WebSocketConnectionContext } from './websocket-connection';
import { WebSocketUpgradeRouter } from './websocket-upgrade-router';

/** Per-connection limits of the WebSocket stream protocols (`/v1/stream`, `/v2/tickwire`), from the config. */
export function streamLimitsOf(config: GatewayConfig): WebSocketConnectionContext['limits'] {
  return {
    authTimeoutMs: config.STREAM_AUTH_TIMEOUT_MS,
    highWaterBytes: config.STREAM_HIGH_WATER_BYTES,
    maxQueued: config.STREAM_MAX_QUEUED,
    maxConflated: config.STREAM_MAX_CONFLATED,
    slowClientTimeoutMs: config.STREAM_SLOW_CLIENT_TIMEOUT_MS,
    subscribeBurst: config.STREAM_SUBSCRIBE_BURST,
    subscribePerSecond: config.STREAM_SUBSCRIBE_PER_SECOND,
    errorBurst: config.STREAM_ERROR_BURST,
    errorsPerSecond: config.STREAM_ERRORS_PER_SECOND,
  };
}

/** The gateway parts every stream server shares (one instance of each), injected as one. */
@Injectable()
export class StreamServerDependencies {
  constructor(
    @InjectServiceConfig() readonly config: GatewayConfig,
    @Inject(ROOT_LOGGER) readonly logger: Logger,
    readonly router: WebSocketUpgradeRouter,
    readonly connections: CustomerConnections,
    readonly hub: SubscriberHub,
    readonly metrics: GatewayMetrics,
    readonly authAttempts: AuthAttempts,
    readonly clients: ClientAddresses,
  ) {}
}

/**
 * A WebSocket stream protocol on Nest's HTTP server (the `ws` package, upgrades routed by path): one
 * connection per socket, made by the subclass, all of them closed when the application shuts down.
 * Frames above STREAM_MAX_PAYLOAD_BYTES are refused by ws itself (close 1009) before they are buffered whole.
 */
export abstract class WebSocketStreamServer<Connection extends WebSocketConnection> implements OnModuleInit, BeforeApplicationShutdown {
  /** What the subclass's connections share: the customer slots, hub, outbox pump, auth budget, metrics and limits. */
  protected readonly shared: WebSocketConnectionContext;
  private readonly server: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly pump = new OutboxPump();
  private readonly router: WebSocketUpgradeRouter;
  private readonly clients: ClientAddresses;

  /**
   * @param path the upgrade path, e.g. `/v1/stream`.
   * @param component the logger's `component` field.
   */
  protected constructor(
    private readonly path: string,
    component: string,
    dependencies: StreamServerDependencies,
  ) {
    const { config, logger, router, connections, hub, metrics, authAttempts, clients } = dependencies;
    this.router = router;
    this.clients = clients;
    this.server = new WebSocketServer({ noServer: true, maxPayload: config.STREAM_MAX_PAYLOAD_BYTES, perMessageDeflate: false });
    this.shared = { connections, hub, pump: this.pump, authAttempts, metrics, logger: logger.child({ component }), limits: streamLimitsOf(config) };
  }

  /** The client address of an upgrade request, for the per-address limits (see {@link ClientAddresses}). */
  protected clientOf(request: IncomingMessage): string {
    return this.clients.of(request);
  }

  /** The connection of a socket just upgraded. */
  protected abstract connectionOf(socket: WebSocket, request: IncomingMessage, releasePending: () => void): Connection;

  onModuleInit(): void {
    this.router.register(this.path, (request, socket, head, releasePending) => {
      this.server.handleUpgrade(request, socket, head, (ws) => {
        const connection = this.connectionOf(ws, request, releasePending);
        this.connections.add(connection);
        ws.once('close', () => this.connections.delete(connection));
        connection.start();
      });
    });
  }

  /** Open connections of this protocol. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Tells every client the server stops, so the HTTP server can close. */
  beforeApplicationShutdown(): void {
    for (const connection of this.connections) connection.shutdown();
    this.connections.clear();
    this.pump.stop();
    this.server.close();
  }
}

