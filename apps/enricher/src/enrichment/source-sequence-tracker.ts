import type { SourceSequence } from '@tickwire/contracts';

/** What the tracker needs of a merge entry: its symbol (the record key) and its source sequence. */
export interface SequencedInput {
  readonly symbol?: string | undefined;
  readonly source?: SourceSequence | undefined;
}

/** Per symbol: the session tracked and how far its sequence is known to be gap-free. */
interface SymbolSequence {
  readonly session: string;
  /** Every sequence from the base up to `through` was added (or `through` was taken without it). */
  through: number;
  /** Sequences added above a gap (`> through + 1`), waiting for it to fill. */
  readonly pending: Set<number>;
}

/**
 * Which records of one enricher task need no wait in the merge (PartitionGroup `isComplete`), from
 * the raw records' sequence headers (@tickwire/contracts SEQUENCE_HEADERS: per session and symbol a
 * contiguous counter over all raw topics). A consumer reads each input partition in offset order, so
 * a record whose predecessors of its (session, symbol) have all been added to the task's merge has
 * nothing earlier of its symbol left to fetch from any input: it may go as soon as it is the smallest
 * head, even while another input is empty.
 *
 * A record is complete when its sequence is 1, or when every sequence of its (session, symbol) from
 * the base up to `sequence - 1` has been {@link added} since the last {@link clear}; the base is the
 * session's start (1) or the last record {@link taken} without being complete (after the merge's
 * usual wait), so a predecessor lost for good costs one wait, not one per later record. The first
 * record seen of a (session, symbol), other than 1, is not complete: its predecessor may still sit
 * unfetched in another input. Records without sequence headers are never complete (they wait as
 * before). Memory: one entry per symbol, for the latest session added (a new session replaces it),
 * plus the sequences added above a gap (at most the records buffered).
 *
 * Clear it whenever its merge is cleared (a new group generation: records are fetched again); a
 * rewind keeps it (the records stay in the merge).
 */
export class SourceSequenceTracker {
  private readonly symbols = new Map<string, SymbolSequence>();

  /** Notes the records of one batch as they are added to the merge (any order; repeats are harmless). */
  added(inputs: Iterable<SequencedInput>): void {
    for (const { symbol, source } of inputs) {
      if (symbol === undefined || source === undefined) continue;
      let entry = this.symbols.get(symbol);
      if (entry === undefined || entry.session !== source.session) {
        entry = { session: source.session, through: 0, pending: new Set() };
        this.symbols.set(symbol, entry);
      }
      if (source.sequence > entry.through) entry.pending.add(source.sequence);
      advance(entry);
    }
  }

  /** True when nothing earlier of the record's (session, symbol) can still be missing from the merge. */
  isComplete({ symbol, source }: SequencedInput): boolean {
    if (symbol === undefined || source === undefined) return false;
    if (source.sequence === 1) return true;
    const entry = this.symbols.get(symbol);
    return entry !== undefined && entry.session === source.session && source.sequence <= entry.through + 1;
  }

  /**
   * Notes a record the merge took: when it was not complete (it went after the wait), its sequence
   * becomes the base of its (session, symbol); a complete one changes nothing.
   */
  taken({ symbol, source }: SequencedInput): void {
    if (symbol === undefined || source === undefined) return;
    const entry = this.symbols.get(symbol);
    // A record of an older session than the one tracked: its base no longer matters.
    if (entry === undefined || entry.session !== source.session || source.sequence <= entry.through) return;
    entry.through = source.sequence;
    for (const sequence of entry.pending) if (sequence <= entry.through) entry.pending.delete(sequence);
    advance(entry);
  }

  /** Forgets everything (its merge was cleared). */
  clear(): void {
    this.symbols.clear();
  }

  /** Symbols tracked (one session each). */
  get size(): number {
    return this.symbols.size;
  }

  /** Sequences waiting above a gap, all symbols together. */
  get pendingTotal(): number {
    let total = 0;
    for (const entry of this.symbols.values()) total += entry.pending.size;
    return total;
  }
}

function advance(entry: SymbolSequence): void {
  while (entry.pending.delete(entry.through + 1)) entry.through += 1;
}
