import { Injectable } from '@nestjs/common';
import type { EnrichedV1Event, HaltV1Event } from '@tickwire/contracts';
import { LastValueCache, type SymbolSnapshot } from '@tickwire/subscriptions';
import { SymbolStateReader } from './symbol-state-reader';

/**
 * Every snapshot the gateway serves: its own last-value cache, fed by the market.enriched.v1 records
 * (prices, quotes) and market.halts.v1 records (`halted`) its consumer fans out (see {@link LastValueCache}), warmed at start from DynamoDB `symbol-state`.
 *
 * - `/v1/stream` takes {@link current} on the turn it registers the subscriber for deltas, so the
 *   snapshot is the state after the last event fanned out and every later event is a delta.
 * - `GET /v1/snapshots/:symbol` and GraphQL's `snapshot` query use {@link latest}: the same cache, and
 *   DynamoDB for a symbol the cache has no state for (e.g. one whose only events came before this
 *   instance started and after its warm-up read the table). A one-off answer has no deltas to line
 *   up with, so the stored copy is the best one there; the stream never falls back to it.
 */
@Injectable()
export class SymbolSnapshots {
  private readonly cache = new LastValueCache();

  constructor(private readonly store: SymbolStateReader) {}

  /** Applies a consumed enriched event; call it on the same turn as the event's fan-out. */
  apply(event: EnrichedV1Event): void {
    this.cache.apply(event);
  }

  /** Applies a consumed customer trading status (its `halted` flag); call it on the same turn as its fan-out. */
  applyHalt(event: HaltV1Event): void {
    this.cache.applyHalt(event);
  }

  /** The cached state of `symbol` now, or null when this instance has none (synchronous: no I/O). */
  current(symbol: string): SymbolSnapshot | null {
    return this.cache.get(symbol);
  }

  /**
   * The cached state of `symbol`, else DynamoDB's, else null.
   * @throws the DynamoDB error when the cache has no state and DynamoDB fails.
   */
  async latest(symbol: string): Promise<SymbolSnapshot | null> {
    return this.cache.get(symbol) ?? (await this.store.get(symbol));
  }

  /**
   * Seeds the cache with every `symbol-state` item of a symbol it has no state for. Run it before
   * the consumer resolves its start offsets: an item only reflects events the enricher had
   * committed before it was read, so all of them lie before the consumer's first position and none
   * comes again as a delta.
   * @returns the number of symbols seeded.
   * @throws the DynamoDB error (after the SDK's retries).
   */
  async warm(): Promise<number> {
    let warmed = 0;
    for await (const snapshot of this.store.scan()) if (this.cache.warm(snapshot)) warmed += 1;
    return warmed;
  }

  /** Number of symbols with cached state. */
  get size(): number {
    return this.cache.size;
  }
}
