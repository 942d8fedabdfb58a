import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { StreamServerDependencies, WebSocketStreamServer } from '../stream/websocket-stream-server';
import { negotiateAlpacaCodec } from './alpaca-codec';
import { AlpacaFrameCache } from './alpaca-frame-cache';
import { AlpacaStreamConnection, type AlpacaStreamContext } from './alpaca-stream-connection';

/** Path of the Alpaca-compatible stream (Alpaca's own are `/v2/iex`, `/v2/sip`, ...: the feed is the last segment). */
export const ALPACA_STREAM_PATH = '/v2/tickwire';

/**
 * The `/v2/tickwire` WebSocket server: Alpaca's v2 stock market-data stream protocol on the gateway's
 * HTTP port, one {@link AlpacaStreamConnection} per socket in the codec its upgrade negotiated, fed by
 * the same SubscriberHub, limits and auth budget as `/v1/stream` and GraphQL. On shutdown every
 * connection is closed with 1001 (going away).
 */
@Injectable()
export class AlpacaStreamServer extends WebSocketStreamServer<AlpacaStreamConnection> {
  private readonly context: AlpacaStreamContext;

  constructor(dependencies: StreamServerDependencies, authenticator: ApiKeyAuthenticator) {
    super(ALPACA_STREAM_PATH, 'alpaca-stream', dependencies);
    this.context = { ...this.shared, authenticator, frames: new AlpacaFrameCache() };
  }

  protected connectionOf(socket: WebSocket, request: IncomingMessage, releasePending: () => void): AlpacaStreamConnection {
    return new AlpacaStreamConnection(socket, this.clientOf(request), negotiateAlpacaCodec(request.headers['content-type']), this.context, releasePending);
  }
}
