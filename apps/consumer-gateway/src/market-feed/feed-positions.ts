/** A position of the gateway's consumer: the next offset to read in one topic partition. */
export interface FeedPosition {
  topic: string;
  partition: number;
  /** Offset of the next record to hand out (decimal string, as kafkajs takes it). */
  offset: string;
}

/**
 * The gateway consumer's own position in each topic partition: the offset after the last record it
 * handed to its subscribers. The gateway commits no offsets (see MarketFeedConsumer), so this is the
 * only record of how far it got, and what keeps the stream its subscribers see free of gaps and
 * repeats when kafkajs reads a partition again:
 * - a batch kafkajs hands over a second time (after `eachBatch` threw) is not fanned out twice:
 *   {@link advance} refuses records below the position;
 * - after a rejoin of the group (a rebalance, a consumer restart after a crash), kafkajs starts a
 *   partition that has no committed offset at the log end, which would skip what was produced
 *   meanwhile: seeking to {@link positionsOf} continues where the gateway left off.
 */
export class FeedPositions {
  private readonly next = new Map<string, Map<number, bigint>>();

  /**
   * Moves the position of `topic`/`partition` past `offset`.
   * @returns true when the record at `offset` was not handed out before (it is at or after the position).
   */
  advance(topic: string, partition: number, offset: string): boolean {
    let partitions = this.next.get(topic);
    if (!partitions) this.next.set(topic, (partitions = new Map()));
    const at = BigInt(offset);
    const position = partitions.get(partition);
    if (position !== undefined && at < position) return false;
    partitions.set(partition, at + 1n);
    return true;
  }

  /**
   * Sets the position of `topic`/`partition` to `offset` unless it has one: where the consumer starts
   * reading it (sought to at the group join, see {@link positionsOf}) instead of kafkajs' default.
   */
  startAt(topic: string, partition: number, offset: string): void {
    let partitions = this.next.get(topic);
    if (!partitions) this.next.set(topic, (partitions = new Map()));
    if (!partitions.has(partition)) partitions.set(partition, BigInt(offset));
  }

  /** Every known position, keyed `topic:partition` (decimal offsets): partitions read from at least once. */
  all(): Map<string, string> {
    const positions = new Map<string, string>();
    for (const [topic, partitions] of this.next)
      for (const [partition, offset] of partitions) positions.set(`${topic}:${partition}`, offset.toString());
    return positions;
  }

  /** The known positions of the partitions in `assignment` (`{ topic: [partition, ...] }`, a group join's). */
  positionsOf(assignment: Readonly<Record<string, readonly number[]>>): FeedPosition[] {
    const positions: FeedPosition[] = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const offset = this.next.get(topic)?.get(partition);
        if (offset !== undefined) positions.push({ topic, partition, offset: offset.toString() });
      }
    }
    return positions;
  }
}
