import WebSocket from 'ws';
import type { CustomerEventKey } from './invariant-checks';

/** The frame types a {@link StreamCustomer} subscribes to (channels enriched, bars, alerts). */
const TYPES = new Set(['enriched', 'bar', 'alert']);

/**
 * A customer of the gateway's `/v1/stream` for the chaos run: authenticates with an API key,
 * subscribes `symbols` on the enriched, bars and alerts channels, and keeps every event frame it
 * receives (type, id, bar revision) in arrival order, for `checkCustomerStream`. Frames other than
 * events (success, subscription, snapshot) are not kept; an error frame or a close is recorded in
 * {@link problems}.
 */
export class StreamCustomer {
  readonly received: CustomerEventKey[] = [];
  readonly problems: string[] = [];

  private constructor(private readonly socket: WebSocket) {}

  /**
   * Connects to `url` (ws://host:port/v1/stream), authenticates with `key` and subscribes.
   * @throws Error when the gateway refuses (error frame) or the socket fails before the subscription
   *   is acknowledged, or after `timeoutMs` (default 15 s)
   */
  static async connect(url: string, key: string, symbols: readonly string[], timeoutMs = 15_000): Promise<StreamCustomer> {
    const socket = new WebSocket(url);
    const customer = new StreamCustomer(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no subscription acknowledged within ${timeoutMs} ms`)), timeoutMs);
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as {
          type: string;
          msg?: string;
          id?: string;
          data?: { revision?: number };
        };
        if (frame.type === 'success' && frame.msg === 'connected') socket.send(JSON.stringify({ action: 'auth', key }));
        else if (frame.type === 'success' && frame.msg === 'authenticated')
          socket.send(JSON.stringify({ action: 'subscribe', enriched: symbols, bars: symbols, alerts: symbols }));
        else if (frame.type === 'subscription') {
          clearTimeout(timer);
          resolve();
        } else if (frame.type === 'error') {
          customer.problems.push(`error frame ${JSON.stringify(frame)}`);
          clearTimeout(timer);
          reject(new Error(`gateway error frame ${JSON.stringify(frame)}`));
        } else if (TYPES.has(frame.type) && frame.id !== undefined) {
          const revision = frame.type === 'bar' ? frame.data?.revision : undefined;
          customer.received.push({ type: frame.type, id: frame.id, ...(revision === undefined ? {} : { revision }) });
        }
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('close', (code) => customer.problems.push(`socket closed (code ${code})`));
    });
    return customer;
  }

  /** Resolves once no frame arrived for `quietMs` (or after `timeoutMs`): the feed has drained. */
  async settle(quietMs = 3_000, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    let count = -1;
    while (Date.now() < end && count !== this.received.length) {
      count = this.received.length;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
  }
}
