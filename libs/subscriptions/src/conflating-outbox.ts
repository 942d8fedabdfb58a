/** Outcome of {@link ConflatingOutbox.push}. */
export type OutboxPush =
  /** Appended to the FIFO queue: every message will be delivered. */
  | 'queued'
  /** The FIFO queue is full: kept as the latest message of its key, replacing an older undelivered one. */
  | 'conflated'
  /** Even conflated the outbox holds more than its limit of keys: the client is too slow, disconnect it. */
  | 'overflow';

export interface ConflatingOutboxLimits {
  /** Messages queued in order before conflation starts, >= 0. */
  maxQueued: number;
  /** Distinct conflation keys held while conflating before the outbox overflows, >= 1. */
  maxConflated: number;
}

/** A message taken from a {@link ConflatingOutbox}. */
export interface OutboxEntry<T> {
  /** The conflation key it was pushed under. */
  key: string;
  message: T;
  /** Messages of the same key it replaced while waiting (0 unless conflated): the client never got them. */
  skipped: number;
}

/**
 * A connection's bounded outbound buffer for messages the socket could not take yet.
 *
 * Stage 1, a FIFO of up to `maxQueued` messages: a briefly slow client loses nothing. Stage 2, once
 * the FIFO is full: conflation, i.e. only the latest message per key (by convention
 * `<channel>:<symbol>`; messages that must not be merged, such as alerts and control frames, get a
 * unique key) is kept, as market-data vendors do for slow consumers (e.g. Refinitiv's "conflated"
 * delivery), and each kept message counts the ones it replaced ({@link OutboxEntry.skipped}) so the
 * client can be told, as Lightstreamer tells its clients of lost updates. Stage 3, more than
 * `maxConflated` keys pending: {@link push} reports `overflow` and the caller disconnects the client
 * with "slow client". Memory per connection is therefore bounded by `maxQueued + maxConflated`
 * messages.
 *
 * Order: the FIFO drains before the conflated messages, and while any conflated message is pending
 * new messages are conflated too, so a key's messages never overtake each other. A replacing message
 * takes the place at the end of the conflated messages (it is the newest), so it never overtakes a
 * message pushed after the one it replaced, e.g. the snapshot of a symbol subscribed again meanwhile.
 */
export class ConflatingOutbox<T> {
  private readonly queue: OutboxEntry<T>[] = [];
  private queueHead = 0;
  private readonly conflated = new Map<string, OutboxEntry<T>>();
  private conflatedTotal = 0;

  /** @throws RangeError on limits out of range. */
  constructor(private readonly limits: ConflatingOutboxLimits) {
    if (!(limits.maxQueued >= 0)) throw new RangeError(`maxQueued must be >= 0, got ${limits.maxQueued}`);
    if (!(limits.maxConflated >= 1)) throw new RangeError(`maxConflated must be >= 1, got ${limits.maxConflated}`);
  }

  /** Adds `message` under conflation `key`; see {@link OutboxPush}. */
  push(key: string, message: T): OutboxPush {
    if (this.conflated.size === 0 && this.queue.length - this.queueHead < this.limits.maxQueued) {
      this.queue.push({ key, message, skipped: 0 });
      return 'queued';
    }
    const replaced = this.conflated.get(key);
    if (!replaced && this.conflated.size >= this.limits.maxConflated) return 'overflow';
    // Deleted first, so that the replacing message goes to the end (see the class doc on order).
    if (replaced) this.conflated.delete(key);
    this.conflated.set(key, { key, message, skipped: replaced ? replaced.skipped + 1 : 0 });
    this.conflatedTotal += 1;
    return 'conflated';
  }

  /** The next message to send, or undefined when empty. */
  shift(): OutboxEntry<T> | undefined {
    if (this.queueHead < this.queue.length) {
      const entry = this.queue[this.queueHead] as OutboxEntry<T>;
      this.queueHead += 1;
      if (this.queueHead === this.queue.length) {
        this.queue.length = 0;
        this.queueHead = 0;
      } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        // Compact now and then so a long-lived queue does not keep its consumed prefix alive.
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      return entry;
    }
    const next = this.conflated.values().next();
    if (next.done) return undefined;
    this.conflated.delete(next.value.key);
    return next.value;
  }

  /** Messages waiting (queued + conflated keys). */
  get size(): number {
    return this.queue.length - this.queueHead + this.conflated.size;
  }

  /** True while messages are being conflated. */
  get isConflating(): boolean {
    return this.conflated.size > 0;
  }

  /** How many messages went to the conflation stage so far (replaced ones included), for metrics. */
  get conflatedCount(): number {
    return this.conflatedTotal;
  }

  /** Drops everything (on disconnect). */
  clear(): void {
    this.queue.length = 0;
    this.queueHead = 0;
    this.conflated.clear();
  }
}
