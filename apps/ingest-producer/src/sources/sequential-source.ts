import type { MarketDataSource, SourceRecord } from '@tickwire/market-sources';

/**
 * Replays several sources one after the other, each created only when the previous one is exhausted
 * (so its files are not opened early and its pacing anchors on its own first event), optionally
 * stopping after `limit` records in total. Single-use like every MarketDataSource; `close()` closes
 * the source being read, which ends the iteration.
 *
 * Used for `REPLAY_DATASET=all` (LOBSTER 2012-06-21, then the 2020-2021 daily bars: the two datasets
 * are years apart, so a paced replay must not sleep across the gap) and for `REPLAY_LIMIT`.
 */
export class SequentialSource implements MarketDataSource {
  private current: MarketDataSource | undefined;
  private closed = false;
  private iterated = false;

  /**
   * @param factories create the sources in replay order.
   * @param limit stop after this many records (valid and rejected alike); default unlimited.
   * @throws RangeError for an empty factory list or a limit below 1.
   */
  constructor(
    readonly name: string,
    private readonly factories: readonly (() => MarketDataSource)[],
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    if (factories.length === 0) throw new RangeError('SequentialSource needs at least one source');
    if (!(limit >= 1)) throw new RangeError(`limit must be at least 1, got ${limit}`);
  }

  /** @throws Error on a second iteration. */
  [Symbol.asyncIterator](): AsyncGenerator<SourceRecord> {
    if (this.iterated) throw new Error(`${this.name}: a source can be iterated only once`);
    this.iterated = true;
    return this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.current?.close();
  }

  private async *run(): AsyncGenerator<SourceRecord> {
    let emitted = 0;
    try {
      for (const create of this.factories) {
        if (this.closed || emitted >= this.limit) return;
        const source = create();
        this.current = source;
        try {
          for await (const record of source) {
            yield record;
            emitted += 1;
            if (emitted >= this.limit || this.closed) return;
          }
        } finally {
          await source.close();
        }
      }
    } finally {
      this.closed = true;
    }
  }
}
