import type { FeedSequence } from '@tickwire/contracts';

/**
 * Drops the enricher's replays on the gateway's uncommitted live path (issue 14). Reading
 * read_uncommitted, the gateway sees the records of a transaction the enricher later aborts, then the
 * same outputs again when the enricher, restored from its changelog, re-emits them with the same
 * `tickwire-feed-seq` numbers (see SEQUENCE_HEADERS in @tickwire/contracts). Per (topic, symbol) it
 * remembers the last forwarded feed sequence and forwards a record when:
 * - it has no feed sequence (a producer that does not stamp it: forwarded as before, unchecked), or
 * - its epoch differs from the last forwarded one (a new enricher state incarnation: start over), or
 * - its number is above the last forwarded one;
 * otherwise it is a replay of something forwarded and is dropped.
 *
 * Pure and synchronous (no Kafka): the caller decides per record, on the turn it fans it out.
 * Memory: one entry per (topic, symbol) forwarded with a feed sequence, never evicted.
 */
export class FeedDeduplicator {
  private readonly last = new Map<string, Map<string, FeedSequence>>();

  /**
   * Whether to forward the record of `symbol` on `topic` carrying `sequence` (undefined: no or a
   * malformed header); a forwarded record with a sequence becomes the last of its (topic, symbol).
   * @returns true to forward, false for a replay (its number at or below the last forwarded, same epoch).
   */
  admit(topic: string, symbol: string, sequence: FeedSequence | undefined): boolean {
    if (sequence === undefined) return true;
    let symbols = this.last.get(topic);
    if (!symbols) this.last.set(topic, (symbols = new Map()));
    const last = symbols.get(symbol);
    if (last !== undefined && last.epoch === sequence.epoch && sequence.sequence <= last.sequence) return false;
    symbols.set(symbol, sequence);
    return true;
  }

  /** Number of (topic, symbol) entries held. */
  get size(): number {
    let size = 0;
    for (const symbols of this.last.values()) size += symbols.size;
    return size;
  }
}
