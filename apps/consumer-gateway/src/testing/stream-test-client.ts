import { WebSocket } from 'ws';

/** A frame received from `/v1/stream` (control or data), as parsed JSON. */
export type ReceivedFrame = { type: string; [field: string]: unknown };

/**
 * A `/v1/stream` client for integration tests (the real `ws` client): records every frame and lets a
 * test wait for the next frame matching a predicate.
 */
export class StreamTestClient {
  readonly frames: ReceivedFrame[] = [];
  closeCode: number | null = null;
  /** Frames before this index were already returned by {@link next} (or skipped by it). */
  private cursor = 0;
  private readonly waiters: { predicate: (frame: ReceivedFrame) => boolean; resolve: (frame: ReceivedFrame) => void }[] = [];
  private readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ReceivedFrame;
      this.frames.push(frame);
      const waiter = this.waiters[0];
      if (waiter?.predicate(frame)) {
        this.waiters.shift();
        this.cursor = this.frames.length;
        waiter.resolve(frame);
      }
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  /** Connects to `url` (ws://.../v1/stream) and waits for the `connected` greeting. */
  static async connect(url: string): Promise<StreamTestClient> {
    const socket = new WebSocket(url);
    const client = new StreamTestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await client.next((frame) => frame.type === 'success' && frame['msg'] === 'connected');
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Authenticates with `key` and waits for the answer (success or error frame). */
  async auth(key: string): Promise<ReceivedFrame> {
    this.send({ action: 'auth', key });
    return this.next((frame) => (frame.type === 'success' && frame['msg'] === 'authenticated') || frame.type === 'error');
  }

  /** Sends a subscribe and waits for its ack or error. */
  async subscribe(channels: Record<string, string[]>): Promise<ReceivedFrame> {
    this.send({ action: 'subscribe', ...channels });
    return this.next((frame) => frame.type === 'subscription' || frame.type === 'error');
  }

  /**
   * The first frame after the previously returned one that matches `predicate` (frames in between
   * are skipped). One waiter at a time. @throws on timeout.
   */
  next(predicate: (frame: ReceivedFrame) => boolean, timeoutMs = 10_000): Promise<ReceivedFrame> {
    for (let index = this.cursor; index < this.frames.length; index++) {
      const frame = this.frames[index]!;
      if (predicate(frame)) {
        this.cursor = index + 1;
        return Promise.resolve(frame);
      }
    }
    this.cursor = this.frames.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`)), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  /** Data frames (trade, quote, enriched, bar, alert, correction, status) received so far. */
  dataFrames(type?: string): ReceivedFrame[] {
    return this.frames.filter(
      (frame) => ['trade', 'quote', 'enriched', 'bar', 'alert', 'correction', 'status'].includes(frame.type) && (type === undefined || frame.type === type),
    );
  }

  /** Waits until `count` data frames of `type` arrived. @throws on timeout. */
  async waitForData(type: string, count: number, timeoutMs = 15_000): Promise<ReceivedFrame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.dataFrames(type).length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.dataFrames(type).length}/${count} ${type} frames within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.dataFrames(type);
  }

  /** Resolves with the close code once the server closed the connection. */
  whenClosed(): Promise<number> {
    return this.closed;
  }

  close(): void {
    this.socket.terminate();
  }
}
