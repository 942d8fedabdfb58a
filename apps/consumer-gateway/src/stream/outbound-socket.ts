import { ConflatingOutbox, type OutboxEntry } from '@tickwire/subscriptions';
import type { WebSocket } from 'ws';

/** Per-connection backpressure limits (from the gateway config). */
export interface OutboundLimits {
  /** Socket bytes buffered (ws `bufferedAmount`) above which messages wait in the outbox. */
  highWaterBytes: number;
  /** Outbox FIFO length before conflation. */
  maxQueued: number;
  /** Conflated keys before the client is disconnected as slow. */
  maxConflated: number;
  /** Longest time the outbox may stay non-empty before the client is disconnected as slow, ms. */
  slowClientTimeoutMs: number;
}

/**
 * Drains the outboxes of slow sockets. One timer for all connections (not one per connection), ticking
 * only while some outbox holds messages: a socket's `bufferedAmount` is polled because ws exposes no
 * per-message drain event, and 10 ms keeps added latency far below a human's or a trading loop's notice.
 */
export class OutboxPump {
  private readonly pending = new Set<OutboundSocket>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = 10) {}

  /** Drains `socket` on the next ticks until its outbox is empty. */
  schedule(socket: OutboundSocket): void {
    this.pending.add(socket);
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
  }

  /** Stops draining `socket` (closed). */
  cancel(socket: OutboundSocket): void {
    this.pending.delete(socket);
    this.stopWhenIdle();
  }

  /** Stops the timer (shutdown). */
  stop(): void {
    this.pending.clear();
    this.stopWhenIdle();
  }

  private tick(): void {
    for (const socket of this.pending) {
      if (socket.flush()) this.pending.delete(socket);
    }
    this.stopWhenIdle();
  }

  private stopWhenIdle(): void {
    if (this.pending.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

/**
 * The frame that tells a client, right before a conflated data frame, how many earlier frames of the
 * same channel and symbol it replaced (the client never gets those), e.g.
 * `{"type":"conflated","channel":"trades","symbol":"AAPL","skipped":3}`.
 * @param key the conflation key, `<channel>:<symbol>`.
 */
export function conflatedNotice(key: string, skipped: number): string {
  const separator = key.indexOf(':');
  return JSON.stringify({ type: 'conflated', channel: key.slice(0, separator), symbol: key.slice(separator + 1), skipped });
}

/** A frame as handed to ws: JSON text, or binary (msgpack on `/v2/tickwire`). */
export type OutboundFrame = string | Uint8Array;

/**
 * A client socket with a bounded outbound buffer. {@link send} never blocks and never awaits: while
 * the socket takes data (bufferedAmount under the high-water mark) frames go straight to it; otherwise
 * they wait in a {@link ConflatingOutbox} drained by the {@link OutboxPump}, in order; a data frame
 * that replaced older ones while conflated goes out behind the protocol's notice ({@link conflatedNotice}; none on
 * `/v2/tickwire`, Alpaca has no such message). When the outbox
 * overflows even conflated, or stays non-empty longer than `slowClientTimeoutMs`, `onSlow` is called
 * once (the connection then closes with "slow client"). Other clients are never affected: nothing
 * here waits.
 */
export class OutboundSocket {
  private readonly outbox: ConflatingOutbox<OutboundFrame>;
  private pendingSince: number | null = null;
  private slow = false;
  private controlSequence = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: OutboundLimits,
    private readonly pump: OutboxPump,
    private readonly onSlow: () => void,
    private readonly onConflated: () => void = () => undefined,
    /** The frame sent before a conflated data frame, or null for a protocol that has none (Alpaca's). */
    private readonly notice: ((key: string, skipped: number) => OutboundFrame) | null = conflatedNotice,
  ) {
    this.outbox = new ConflatingOutbox({ maxQueued: limits.maxQueued, maxConflated: limits.maxConflated });
  }

  /** Sends a data frame whose conflation key is `key` (`<channel>:<symbol>`). */
  send(key: string, text: OutboundFrame): void {
    if (this.slow || this.socket.readyState !== this.socket.OPEN) return;
    if (this.outbox.size === 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      this.socket.send(text);
      return;
    }
    const outcome = this.outbox.push(key, text);
    if (outcome === 'overflow') {
      this.markSlow();
      return;
    }
    if (outcome === 'conflated') this.onConflated();
    this.pendingSince ??= Date.now();
    this.pump.schedule(this);
  }

  /** Sends a control frame (ack, snapshot, error), in order with the data frames, never conflated. */
  sendControl(frame: object): void {
    this.sendControlFrame(JSON.stringify(frame));
  }

  /** Sends an encoded control frame, in order with the data frames, never conflated. */
  sendControlFrame(data: OutboundFrame): void {
    this.controlSequence += 1;
    this.send(`control:${this.controlSequence}`, data);
  }

  /**
   * Moves outbox messages to the socket while it is under the high-water mark.
   * @returns true when nothing is left to drain (empty, slow or closed).
   */
  flush(): boolean {
    if (this.slow || this.socket.readyState !== this.socket.OPEN) {
      this.outbox.clear();
      return true;
    }
    for (let entry = this.nextToSend(); entry !== undefined; entry = this.nextToSend()) {
      if (entry.skipped > 0 && this.notice) this.socket.send(this.notice(entry.key, entry.skipped));
      this.socket.send(entry.message);
    }
    if (this.outbox.size === 0) {
      this.pendingSince = null;
      return true;
    }
    if (this.pendingSince !== null && Date.now() - this.pendingSince > this.limits.slowClientTimeoutMs) {
      this.markSlow();
      return true;
    }
    return false;
  }

  /** Messages waiting in the outbox. */
  get backlog(): number {
    return this.outbox.size;
  }

  /** Drops the outbox and stops draining (connection closed). */
  dispose(): void {
    this.outbox.clear();
    this.pump.cancel(this);
  }

  private nextToSend(): OutboxEntry<OutboundFrame> | undefined {
    return this.socket.bufferedAmount < this.limits.highWaterBytes ? this.outbox.shift() : undefined;
  }

  private markSlow(): void {
    if (this.slow) return;
    this.slow = true;
    this.outbox.clear();
    this.pump.cancel(this);
    this.onSlow();
  }
}
