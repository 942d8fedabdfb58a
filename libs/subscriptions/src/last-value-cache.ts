import { computeChangePercent, type EnrichedV1Event, type HaltV1Event } from '@tickwire/contracts';
import { SYMBOL_STATE_ATTRIBUTES } from '@tickwire/resources';

/**
 * The state of one symbol that a snapshot shows: the shape of DynamoDB `symbol-state` (the enricher's
 * symbol-state view). Prices USD, sizes shares, times epoch ms UTC; fields not known yet are absent.
 */
export interface SymbolSnapshot {
  symbol: string;
  /** Latest event time reflected, epoch ms UTC (the greatest eventTime applied, not the last one's). */
  lastEventTime: number;
  /** Price of the trade with the latest eventTime (ties: the later in the stream). */
  lastPrice?: number;
  /** Previous session's close as of the latest event that carried one. */
  previousClose?: number;
  /** Trading date of `previousClose`, YYYY-MM-DD America/New_York. */
  previousCloseDate?: string;
  /** `(lastPrice - previousClose) / previousClose * 100`, percent; absent while either is unknown. */
  changePercent?: number;
  /** Best bid/offer of the quote with the latest eventTime (ties: the later in the stream). */
  bidPrice?: number;
  askPrice?: number;
  bidSize?: number;
  askSize?: number;
  /**
   * Whether trading in the symbol is halted after its latest trading status (`market.halt.v1`); false
   * before any. Absent only on a stored state written before the enricher kept the flag.
   */
  halted?: boolean;
}

/** The fields of a {@link SymbolSnapshot}, in their documented order (anything else on an item is dropped). */
const SNAPSHOT_FIELDS = [
  'symbol',
  ...SYMBOL_STATE_ATTRIBUTES,
] as const satisfies readonly (keyof SymbolSnapshot)[];

/**
 * A {@link SymbolSnapshot} made of exactly its fields, from anything that has them (a DynamoDB item
 * carries more, e.g. `updatedAt`); null and undefined fields are left out.
 */
export function toSymbolSnapshot(item: SymbolSnapshot): SymbolSnapshot {
  const snapshot: Record<string, unknown> = {};
  for (const field of SNAPSHOT_FIELDS) {
    const value = (item as unknown as Record<string, unknown>)[field];
    if (value !== undefined && value !== null) snapshot[field] = value;
  }
  return snapshot as unknown as SymbolSnapshot;
}

interface Entry {
  state: SymbolSnapshot;
  /** eventTime of the trade behind `lastPrice`; null when none was applied (or the entry was warmed). */
  tradeTime: number | null;
  /** eventTime of the quote behind bid/ask; null when none was applied (or the entry was warmed). */
  quoteTime: number | null;
}

/**
 * The gateway's last-value cache: per symbol, the state after the last enriched event it consumed,
 * so that a snapshot and the deltas that follow it share one position of the stream (as the
 * Lightstreamer Kafka connector serves an item's snapshot from the state the same stream feeds).
 *
 * The state follows the enricher's symbol-state rules, so the cache and DynamoDB `symbol-state`
 * agree on the same prefix of the stream: a trade sets `lastPrice` unless a trade with a later
 * eventTime was applied before (equal eventTimes: the later in the stream wins), a quote sets the bid
 * and ask likewise, `lastEventTime` is the greatest eventTime applied, `previousClose` and
 * `previousCloseDate` are those of the last event that carried one, `changePercent` is computed
 * from `lastPrice` and `previousClose`, and `halted` is the flag of the last `market.halt.v1` applied
 * (false before any; a halt of a symbol without state is kept for its first enriched event, as the
 * enricher writes no `symbol-state` item before one). The state is therefore a function of the stream's prefix
 * alone, whatever order the eventTimes come in.
 *
 * Synchronous and single-threaded on purpose: {@link apply} and the fan-out of the same event run on
 * one turn of the event loop, and a subscriber takes its snapshot with {@link get} on the turn it
 * registers for deltas, so it gets the state after one event and every later event as a delta.
 *
 * A {@link warm} entry (DynamoDB's item, before the gateway consumed anything of the symbol) has no
 * trade or quote times: the first trade (quote) consumed afterwards replaces its `lastPrice`
 * (bid/ask), being later in the stream, even when its eventTime is older than the item's
 * `lastEventTime`. Entries are never evicted (one small object per symbol served).
 */
export class LastValueCache {
  private readonly entries = new Map<string, Entry>();
  /** Halted flags of symbols that have no entry yet. */
  private readonly pendingHalted = new Map<string, boolean>();

  /** Applies an enriched event (validated by @tickwire/contracts) to its symbol's state. */
  apply(event: EnrichedV1Event): void {
    const payload = event.payload;
    const eventTime = event.eventTime;
    let entry = this.entries.get(payload.symbol);
    if (!entry) {
      entry = { state: { symbol: payload.symbol, lastEventTime: eventTime, halted: this.pendingHalted.get(payload.symbol) ?? false }, tradeTime: null, quoteTime: null };
      this.entries.set(payload.symbol, entry);
      this.pendingHalted.delete(payload.symbol);
    }
    const state = entry.state;
    if (payload.kind === 'trade') {
      if (entry.tradeTime === null || eventTime >= entry.tradeTime) {
        state.lastPrice = payload.trade.price;
        entry.tradeTime = eventTime;
      }
    } else if (entry.quoteTime === null || eventTime >= entry.quoteTime) {
      const { bidPrice, askPrice, bidSize, askSize } = payload.quote;
      Object.assign(state, { bidPrice, askPrice, bidSize, askSize });
      entry.quoteTime = eventTime;
    }
    if (eventTime > state.lastEventTime) state.lastEventTime = eventTime;
    if (payload.previousClose !== null) {
      state.previousClose = payload.previousClose;
      if (payload.previousCloseDate) state.previousCloseDate = payload.previousCloseDate;
      else delete state.previousCloseDate;
    }
    const changePercent = computeChangePercent(state.lastPrice ?? null, state.previousClose ?? null);
    if (changePercent === null) delete state.changePercent;
    else state.changePercent = changePercent;
  }

  /**
   * Applies a customer trading status (`market.halt.v1`, validated by @tickwire/contracts): the symbol's
   * `halted` flag becomes the one after it. Halts come in stream order per symbol (one partition), so
   * the last applied is the latest. `lastEventTime` is not moved (it reflects enriched events, as in
   * `symbol-state`).
   */
  applyHalt(event: HaltV1Event): void {
    const { symbol, halted } = event.payload;
    const entry = this.entries.get(symbol);
    if (entry) entry.state.halted = halted;
    else this.pendingHalted.set(symbol, halted);
  }

  /**
   * Seeds `snapshot.symbol` with a stored state (DynamoDB `symbol-state`) unless the cache already
   * has the symbol: what was consumed is never replaced by a copy of unknown position.
   * @returns true when the entry was created.
   */
  warm(snapshot: SymbolSnapshot): boolean {
    if (this.entries.has(snapshot.symbol)) return false;
    const state = toSymbolSnapshot(snapshot);
    const halted = this.pendingHalted.get(snapshot.symbol);
    if (halted !== undefined) state.halted = halted;
    this.pendingHalted.delete(snapshot.symbol);
    this.entries.set(snapshot.symbol, { state, tradeTime: null, quoteTime: null });
    return true;
  }

  /** The current state of `symbol` (a copy, fields in their documented order), or null when the cache has none. */
  get(symbol: string): SymbolSnapshot | null {
    const entry = this.entries.get(symbol);
    return entry ? toSymbolSnapshot(entry.state) : null;
  }

  /** Number of symbols with state. */
  get size(): number {
    return this.entries.size;
  }
}
