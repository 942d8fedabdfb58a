import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Routes HTTP upgrade requests of Nest's HTTP server by path to the WebSocket servers of the gateway
 * (`/v1/stream`, `/v1/graphql`), so both protocols share HTTP_PORT with the REST API. An upgrade to
 * any other path is refused with 404.
 */
@Injectable()
export class WebSocketUpgradeRouter implements OnApplicationBootstrap {
  private readonly routes = new Map<string, UpgradeHandler>();

  constructor(private readonly adapterHost: HttpAdapterHost) {}

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
      handler(request, socket, head);
    });
  }
}
