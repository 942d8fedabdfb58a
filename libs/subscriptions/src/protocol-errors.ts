/**
 * Error codes of the `/v1/stream` WebSocket protocol, numbered like Alpaca's market-data stream
 * (https://docs.alpaca.markets/docs/streaming-market-data#errors, 400-411) so a customer's existing
 * handling maps one to one; 412-413 are Tickwire's own. Every error frame is
 * `{"type":"error","code":<code>,"msg":"<message>"}`.
 *
 * Which errors close the connection is part of the protocol: see {@link PROTOCOL_ERRORS}.`closes`.
 */
export const PROTOCOL_ERRORS = {
  /** The frame is not JSON, or not a known action with the right fields. Connection stays open. */
  invalidSyntax: { code: 400, msg: 'invalid syntax', closes: false },
  /** A subscribe/unsubscribe before a successful auth. Connection stays open. */
  notAuthenticated: { code: 401, msg: 'not authenticated', closes: false },
  /** Unknown or revoked API key. Closes after the third failure (Alpaca closes at once; a typo deserves a retry). */
  authFailed: { code: 402, msg: 'auth failed', closes: false },
  /** A second auth on an authenticated connection. Connection stays open. */
  alreadyAuthenticated: { code: 403, msg: 'already authenticated', closes: false },
  /**
   * No successful auth within the auth timeout after connect. Closes with 4408, the code graphql-ws
   * closes with for the same meaning (ConnectionInitialisationTimeout), so it has one code on both protocols.
   */
  authTimeout: { code: 404, msg: 'auth timeout', closes: true, closeCode: 4408 },
  /** The subscription would exceed the customer's symbol limit; nothing of the request is applied. */
  symbolLimitExceeded: { code: 405, msg: 'symbol limit exceeded', closes: false },
  /**
   * The customer already has its maximum number of connections. Closes with 4006, not 4406: graphql-ws
   * closes with 4406 for "Subprotocol not acceptable", and a close code has one meaning on every protocol.
   */
  connectionLimitExceeded: { code: 406, msg: 'connection limit exceeded', closes: true, closeCode: 4006 },
  /** The client did not read fast enough: its outbound buffer overflowed even conflated. Closes. */
  slowClient: { code: 407, msg: 'slow client', closes: true },
  /**
   * Too many subscribe/unsubscribe/auth frames (token bucket empty); the frame is ignored. When the
   * connection's budget of refused frames is spent it closes with 4008 (4408 is the auth timeout).
   */
  rateLimited: { code: 408, msg: 'rate limit exceeded', closes: false, closeCode: 4008 },
  /** A channel or symbol the customer's key is not entitled to; nothing of the request is applied. */
  notEntitled: { code: 409, msg: 'not entitled', closes: false },
  /** A frame larger than the maximum payload. Closes (the ws library refuses it with close code 1009). */
  frameTooLarge: { code: 410, msg: 'frame too large', closes: true },
  /** Unexpected server-side failure (e.g. key store unreachable). Connection stays open; retry. */
  internalError: { code: 411, msg: 'internal error', closes: false },
  /** Too many auth attempts from this address or on this connection. Closes. */
  tooManyAuthAttempts: { code: 412, msg: 'too many auth attempts', closes: true },
  /** The server is shutting down. Closes; reconnect to another instance. */
  serverShutdown: { code: 413, msg: 'server shutting down', closes: true },
} as const;

export type ProtocolErrorName = keyof typeof PROTOCOL_ERRORS;

/** An error frame as sent to the client. */
export interface ErrorFrame {
  type: 'error';
  code: number;
  msg: string;
  /** Optional detail, e.g. the offending symbols or the validation problem. */
  detail?: string;
}

/** Builds the error frame of `name`, with an optional detail (kept short: it goes on the wire). */
export function errorFrame(name: ProtocolErrorName, detail?: string): ErrorFrame {
  const { code, msg } = PROTOCOL_ERRORS[name];
  return detail === undefined ? { type: 'error', code, msg } : { type: 'error', code, msg, detail: detail.slice(0, 300) };
}

/**
 * WebSocket close code used when an error closes the connection: 4000 + the protocol code (the
 * 4000-4999 range is reserved for applications by RFC 6455 section 7.4.2), e.g. 4407 for slow client,
 * except where graphql-ws (CloseCode 4400-4504, on `/v1/graphql`) gives that code another meaning or
 * has its own code for the same one, so that one close code has one meaning on every protocol: the
 * connection limit closes with 4006 (graphql-ws 4406 is "Subprotocol not acceptable"), a spent budget of
 * refused frames with 4008, the auth timeout with graphql-ws's 4408 (ConnectionInitialisationTimeout).
 */
export function closeCodeOf(name: ProtocolErrorName): number {
  const error: { code: number; closeCode?: number } = PROTOCOL_ERRORS[name];
  return error.closeCode ?? 4000 + error.code;
}
