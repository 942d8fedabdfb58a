import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { SymbolSnapshots } from '../snapshots/symbol-snapshots';
import { StreamConnection, type StreamConnectionContext } from './stream-connection';
import { StreamServerDependencies, WebSocketStreamServer } from './websocket-stream-server';

/** Path of the JSON WebSocket protocol. */
export const STREAM_PATH = '/v1/stream';

/**
 * The `/v1/stream` WebSocket server: one {@link StreamConnection} per socket; on shutdown every client
 * is told the server stops (413).
 */
@Injectable()
export class StreamServer extends WebSocketStreamServer<StreamConnection> {
  private readonly context: StreamConnectionContext;

  constructor(dependencies: StreamServerDependencies, authenticator: ApiKeyAuthenticator, snapshots: SymbolSnapshots) {
    super(STREAM_PATH, 'stream', dependencies);
    this.context = { ...this.shared, authenticator, snapshotOf: (symbol) => snapshots.current(symbol) };
  }

  protected connectionOf(socket: WebSocket, request: IncomingMessage, releasePending: () => void): StreamConnection {
    return new StreamConnection(socket, this.clientOf(request), this.context, releasePending);
  }
}
