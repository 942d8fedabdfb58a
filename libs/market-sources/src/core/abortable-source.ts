import { isAbortError } from './clock';
import type { MarketDataSource, SourceRecord } from './source-record';

/**
 * Base of the pull-based sources (file replays, synthetic, pacing): one iteration over
 * {@link AbortableSource.generateBatches}, and `close()` aborts the signal the generator reads with, which
 * destroys its streams and ends a pending `next()` as "done" instead of an error.
 */
export abstract class AbortableSource implements MarketDataSource {
  abstract readonly name: string;
  private readonly abort = new AbortController();
  private iterated = false;

  /**
   * The records, in batches (one async hop per batch instead of per record: the replays convert a
   * decompressed chunk synchronously). Must stop promptly (throw an AbortError or return) once `signal` aborts.
   */
  protected abstract generateBatches(signal: AbortSignal): AsyncGenerator<readonly SourceRecord[]>;

  /** Hook run by `close()` after the abort, e.g. to close a wrapped source. */
  protected async onClose(): Promise<void> {
    return undefined;
  }

  /** True after `close()` (or after a consumer stopped the iteration). */
  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /** @throws Error on a second iteration: sources are single-use (a replay restarts by constructing a new one). */
  [Symbol.asyncIterator](): AsyncGenerator<SourceRecord> {
    if (this.iterated) throw new Error(`${this.name}: a source can be iterated only once`);
    this.iterated = true;
    return this.run();
  }

  async close(): Promise<void> {
    if (!this.abort.signal.aborted) this.abort.abort();
    await this.onClose();
  }

  private async *run(): AsyncGenerator<SourceRecord> {
    const signal = this.abort.signal;
    try {
      for await (const batch of this.generateBatches(signal)) {
        for (const record of batch) {
          if (signal.aborted) return;
          yield record;
        }
      }
    } catch (error) {
      if (signal.aborted && isAbortError(error)) return;
      throw error;
    } finally {
      // A consumer that breaks out of `for await` closes the source too.
      if (!signal.aborted) this.abort.abort();
    }
  }
}
