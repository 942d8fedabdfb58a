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
import { OutboxPump } from '../stream/outbound-socket';
import { streamLimitsOf } from '../stream/stream-server';
import { remoteAddressOf, WebSocketUpgradeRouter } from '../stream/websocket-upgrade-router';
import { negotiateAlpacaCodec } from './alpaca-codec';
import { AlpacaFrameCache } from './alpaca-frame-cache';
import { AlpacaStreamConnection, type AlpacaStreamContext } from './alpaca-stream-connection';

/** Path of the Alpaca-compatible stream (Alpaca's own are `/v2/iex`, `/v2/sip`, ...: the feed is the last segment). */
export const ALPACA_STREAM_PATH = '/v2/tickwire';

/**
 * The `/v2/tickwire` WebSocket server: Alpaca's v2 stock market-data stream protocol on the gateway's
 * HTTP port, one {@link AlpacaStreamConnection} per socket, fed by the same SubscriberHub as
 * `/v1/stream` and GraphQL. Frames above STREAM_MAX_PAYLOAD_BYTES are refused by ws (close 1009).
 */
@Injectable()
export class AlpacaStreamServer implements OnModuleInit, BeforeApplicationShutdown {
  private readonly server: WebSocketServer;
  private readonly connections = new Set<AlpacaStreamConnection>();
  private readonly context: AlpacaStreamContext;
  private readonly pump = new OutboxPump();

  constructor(
    @InjectServiceConfig() config: GatewayConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
    private readonly router: WebSocketUpgradeRouter,
    authenticator: ApiKeyAuthenticator,
    connections: CustomerConnections,
    hub: SubscriberHub,
    metrics: GatewayMetrics,
    authAttempts: AuthAttempts,
  ) {
    this.server = new WebSocketServer({ noServer: true, maxPayload: config.STREAM_MAX_PAYLOAD_BYTES, perMessageDeflate: false });
    this.context = {
      authenticator,
      connections,
      hub,
      pump: this.pump,
      authAttempts,
      metrics,
      logger: logger.child({ component: 'alpaca-stream' }),
      limits: streamLimitsOf(config),
      frames: new AlpacaFrameCache(),
    };
  }

  onModuleInit(): void {
    this.router.register(ALPACA_STREAM_PATH, (request, socket, head, releasePending) => {
      const codec = negotiateAlpacaCodec(request.headers['content-type']);
      this.server.handleUpgrade(request, socket, head, (ws) => {
        const connection = new AlpacaStreamConnection(ws, remoteAddressOf(request), codec, this.context, releasePending);
        this.connections.add(connection);
        ws.once('close', () => this.connections.delete(connection));
        connection.start();
      });
    });
  }

  /** Open `/v2/tickwire` connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Closes every connection (1001 going away), so the HTTP server can close. */
  beforeApplicationShutdown(): void {
    for (const connection of this.connections) connection.shutdown();
    this.connections.clear();
    this.pump.stop();
    this.server.close();
  }
}
