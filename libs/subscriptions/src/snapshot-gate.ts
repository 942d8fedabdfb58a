/** What to do with a live delta, per {@link SnapshotGate.offer}. */
export type GateDecision = 'deliver' | 'buffered' | 'drop';

/**
 * Orders one connection's snapshot and live deltas per symbol: after a subscribe, the client gets
 * the symbol's snapshot (latest state, `lastEventTime`) first, then only deltas newer than it.
 *
 * - {@link begin} when the snapshot starts loading: deltas of that symbol are buffered (bounded).
 * - {@link complete} with the snapshot's `lastEventTime`: returns the buffered deltas newer than it,
 *   in arrival order, to send right after the snapshot; from then on deltas at or before
 *   `lastEventTime` are dropped (the snapshot already reflects them: the state is written in event
 *   order per symbol, so every event of that millisecond is in it).
 * - {@link forget} on unsubscribe.
 *
 * `T` is the delta's payload; its event time is passed alongside (epoch ms UTC).
 */
export class SnapshotGate<T> {
  private readonly loading = new Map<string, { eventTime: number; delta: T }[]>();
  private readonly watermarks = new Map<string, number>();

  /** @param maxBuffered deltas buffered per symbol while its snapshot loads; beyond, the oldest are dropped. */
  constructor(private readonly maxBuffered = 10_000) {}

  /** Starts buffering `symbol` (no-op while it is already loading). */
  begin(symbol: string): void {
    if (!this.loading.has(symbol)) this.loading.set(symbol, []);
  }

  /** True while `symbol`'s snapshot loads. */
  isLoading(symbol: string): boolean {
    return this.loading.has(symbol);
  }

  /** Decides a live delta of `symbol` with event time `eventTime` (epoch ms). */
  offer(symbol: string, eventTime: number, delta: T): GateDecision {
    const buffer = this.loading.get(symbol);
    if (buffer) {
      buffer.push({ eventTime, delta });
      // A snapshot load is a single GetItem (milliseconds); this bound only guards memory against a stuck one.
      if (buffer.length > this.maxBuffered) buffer.shift();
      return 'buffered';
    }
    const watermark = this.watermarks.get(symbol);
    return watermark !== undefined && eventTime <= watermark ? 'drop' : 'deliver';
  }

  /**
   * Ends `symbol`'s loading.
   * @param lastEventTime the snapshot's lastEventTime (epoch ms), or null when there is no state yet.
   * @returns the buffered deltas to deliver after the snapshot, oldest first.
   */
  complete(symbol: string, lastEventTime: number | null): T[] {
    const buffer = this.loading.get(symbol) ?? [];
    this.loading.delete(symbol);
    if (lastEventTime === null) return buffer.map((entry) => entry.delta);
    this.watermarks.set(symbol, Math.max(lastEventTime, this.watermarks.get(symbol) ?? Number.NEGATIVE_INFINITY));
    return buffer.filter((entry) => entry.eventTime > lastEventTime).map((entry) => entry.delta);
  }

  /** Forgets `symbol` (unsubscribed): no buffering, no watermark. */
  forget(symbol: string): void {
    this.loading.delete(symbol);
    this.watermarks.delete(symbol);
  }
}
