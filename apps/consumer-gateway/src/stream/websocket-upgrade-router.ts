import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectServiceConfig } from '@tickwire/service-kit';
import { ClientAddresses } from '../auth/client-addresses';
import { PendingConnections, type ReleasePending } from '../auth/pending-connections';
import type { GatewayConfig } from '../config/gateway-config';

/** An upgrade of a registered path; `releasePending` must be called once the connection authenticated (closing releases it too). */
type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer, releasePending: ReleasePending) => void;

/**
 * Routes HTTP upgrade requests of Nest's HTTP server by path to the WebSocket servers of the gateway
 * (`/v1/stream`, `/v1/graphql`), so both protocols share HTTP_PORT with the REST API. An upgrade to
 * any other path is refused with 404. An address already holding WS_MAX_PENDING_PER_ADDRESS
 * unauthenticated connections is refused with 429 and `Retry-After` (seconds: the auth timeout, by
 * when one of them has authenticated or been closed).
 */
@Injectable()
export class WebSocketUpgradeRouter implements OnApplicationBootstrap {
  private readonly routes = new Map<string, UpgradeHandler>();

  private readonly retryAfterSeconds: number;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly pending: PendingConnections,
    private readonly clients: ClientAddresses,
    @InjectServiceConfig() config: Pick<GatewayConfig, 'STREAM_AUTH_TIMEOUT_MS'>,
  ) {
    this.retryAfterSeconds = Math.max(1, Math.ceil(config.STREAM_AUTH_TIMEOUT_MS / 1000));
  }

  /** Sends upgrades of `path` to `handler`. */
  register(path: string, handler: UpgradeHandler): void {
    this.routes.set(path, handler);
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(request.url ?? '/', 'http://gateway').pathname;
      const handler = this.routes.get(path);
      if (!handler) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const release = this.pending.admit(this.clients.of(request));
      if (!release) {
        const body = 'too many unauthenticated connections from this address';
        socket.end(
          `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${this.retryAfterSeconds}\r\nConnection: close\r\n` +
            `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        return;
      }
      socket.once('close', release);
      handler(request, socket, head, release);
    });
  }
}
