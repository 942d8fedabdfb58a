import { AbortableSource } from './abortable-source';
import type { SourceRecord } from './source-record';

/**
 * Adapts any (async) iterable of {@link SourceRecord}s to a {@link MarketDataSource}, e.g. records
 * prepared in memory for a test or a recorded session. `close()` stops it before the next record.
 */
export class IterableSource extends AbortableSource {
  constructor(
    private readonly records: Iterable<SourceRecord> | AsyncIterable<SourceRecord>,
    readonly name = 'iterable',
  ) {
    super();
  }

  protected async *generateBatches(): AsyncGenerator<readonly SourceRecord[]> {
    for await (const record of this.records) yield [record];
  }
}
