import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectServiceConfig, ROOT_LOGGER } from '@tickwire/service-kit';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { AuthAttempts } from '../auth/auth-attempts';
import { CustomerConnections } from '../auth/customer-connections';
import type { GatewayConfig } from '../config/gateway-config';
import { GatewayMetrics } from '../fan-out/gateway-metrics';
import { SubscriberHub } from '../fan-out/subscriber-hub';
import { SymbolSnapshots } from '../snapshots/symbol-snapshots';
import { OutboxPump } from './outbound-socket';
import { StreamConnection, type StreamConnectionContext } from './stream-connection';
import { ClientAddresses } from '../auth/client-addresses';
import { WebSocketUpgradeRouter } from './websocket-upgrade-router';

/** Path of the JSON WebSocket protocol. */
export const STREAM_PATH = '/v1/stream';

/**
 * The `/v1/stream` WebSocket server (the `ws` package, on Nest's HTTP server): one
 * {@link StreamConnection} per socket. Frames above STREAM_MAX_PAYLOAD_BYTES are refused by ws itself
 * (close 1009) before they are buffered whole.
 */
@Injectable()
export class StreamServer implements OnModuleInit, BeforeApplicationShutdown {
  private readonly server: WebSocketServer;
  private readonly connections = new Set<StreamConnection>();
  private readonly context: StreamConnectionContext;
  private readonly pump = new OutboxPump();

  constructor(
    @InjectServiceConfig() config: GatewayConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
    private readonly router: WebSocketUpgradeRouter,
    authenticator: ApiKeyAuthenticator,
    connections: CustomerConnections,
    snapshots: SymbolSnapshots,
    hub: SubscriberHub,
    metrics: GatewayMetrics,
    authAttempts: AuthAttempts,
    private readonly clients: ClientAddresses,
  ) {
    this.server = new WebSocketServer({ noServer: true, maxPayload: config.STREAM_MAX_PAYLOAD_BYTES, perMessageDeflate: false });
    this.context = {
      authenticator,
      connections,
      snapshotOf: (symbol) => snapshots.current(symbol),
      hub,
      pump: this.pump,
      authAttempts,
      metrics,
      logger: logger.child({ component: 'stream' }),
      limits: {
        authTimeoutMs: config.STREAM_AUTH_TIMEOUT_MS,
        highWaterBytes: config.STREAM_HIGH_WATER_BYTES,
        maxQueued: config.STREAM_MAX_QUEUED,
        maxConflated: config.STREAM_MAX_CONFLATED,
        slowClientTimeoutMs: config.STREAM_SLOW_CLIENT_TIMEOUT_MS,
        subscribeBurst: config.STREAM_SUBSCRIBE_BURST,
        subscribePerSecond: config.STREAM_SUBSCRIBE_PER_SECOND,
        errorBurst: config.STREAM_ERROR_BURST,
        errorsPerSecond: config.STREAM_ERRORS_PER_SECOND,
      },
    };
  }

  onModuleInit(): void {
    this.router.register(STREAM_PATH, (request, socket, head, releasePending) => {
      this.server.handleUpgrade(request, socket, head, (ws) => {
        const connection = new StreamConnection(ws, this.clients.of(request), this.context, releasePending);
        this.connections.add(connection);
        ws.once('close', () => this.connections.delete(connection));
        connection.start();
      });
    });
  }

  /** Open `/v1/stream` connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Tells every client the server stops (413), so the HTTP server can close. */
  beforeApplicationShutdown(): void {
    for (const connection of this.connections) connection.shutdown();
    this.connections.clear();
    this.pump.stop();
    this.server.close();
  }
}
