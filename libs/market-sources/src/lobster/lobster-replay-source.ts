import { AbortableSource } from '../core/abortable-source';
import { systemWallClock, type WallClock } from '../core/clock';
import { defaultMarketDataDir } from '../core/market-data-dir';
import { mergeSortedBatches } from '../core/merge-sorted';
import { compareEpochNs, eventTimeNsOf, type SourceRecord } from '../core/source-record';
import { LOBSTER_SAMPLE_SYMBOLS, type LobsterFileWindow } from './lobster-files';
import { readLobsterSymbolBatches, type LobsterQuoteMode } from './lobster-symbol-reader';
import { LOBSTER_SAMPLE_DATE } from './lobster-time';

/** Options of {@link LobsterReplaySource}; every field is optional. */
export interface LobsterReplayOptions {
  /** Market data directory holding `lobster/`. Default {@link defaultMarketDataDir}. */
  readonly dataDir?: string;
  /** Symbols to replay, merged in event-time order. Default AAPL, AMZN, GOOG. */
  readonly symbols?: readonly string[];
  /** Trading date of the files, `YYYY-MM-DD`. Default `2012-06-21`. */
  readonly date?: string;
  /** Time window / level in the file names. Default 34200000-57600000, level 1. */
  readonly window?: LobsterFileWindow;
  /** Emit trades (message types 4 and 5). Default true. */
  readonly trades?: boolean;
  /** `all` (one quote per orderbook row, default), `changes` (drop rows equal to the previous one), `none`. */
  readonly quotes?: LobsterQuoteMode;
  /** Payload `venue`. Default `XNAS` (ISO 10383 MIC of Nasdaq, the venue of the LOBSTER data). */
  readonly venue?: string;
  /** Clock for `ingestTime` (epoch ms). Default `Date.now`. */
  readonly wallClock?: WallClock;
}

/**
 * Order of LOBSTER records across symbols: by exact event time (ns), ties by symbol, then by sequence
 * (row number). Rejected records sort first, so they leave as soon as they are read.
 * Within one symbol and row, the trade precedes the quote (its input order; the merge is stable).
 */
export function compareLobsterRecords(a: SourceRecord, b: SourceRecord): number {
  if (a.kind === 'rejected' || b.kind === 'rejected') return (a.kind === 'rejected' ? 0 : 1) - (b.kind === 'rejected' ? 0 : 1);
  const byTime = compareEpochNs(eventTimeNsOf(a.event), eventTimeNsOf(b.event));
  if (byTime !== 0) return byTime;
  const symbolA = a.event.payload.symbol;
  const symbolB = b.event.payload.symbol;
  if (symbolA !== symbolB) return symbolA < symbolB ? -1 : 1;
  return sequenceOf(a) - sequenceOf(b);
}

function sequenceOf(record: SourceRecord): number {
  return record.kind === 'event' && 'sequence' in record.event.payload ? (record.event.payload.sequence ?? 0) : 0;
}

/**
 * Replays LOBSTER tick files (data/market/lobster/) as `market.trade.v1` and `market.quote.v1` events,
 * the symbols merged in event-time order by {@link compareLobsterRecords} (k-way merge of the
 * per-symbol streams; see {@link readLobsterSymbol} for the mapping). Streams the gzip files: memory
 * stays at a few chunks per file whatever the day's size. Unpaced: wrap it in {@link PacedSource} for
 * `realtime` or `x10` replay.
 *
 * Counts for the 2012-06-21 samples (data/market/README.md): trades AAPL 34,990 / AMZN 11,419 /
 * GOOG 11,678; quotes (`quotes: 'all'`) = message rows 118,497 / 57,515 / 49,482.
 * @example for await (const record of new LobsterReplaySource({ symbols: ['AAPL'] })) publish(record);
 */
export class LobsterReplaySource extends AbortableSource {
  readonly name = 'lobster-replay';
  private readonly options: Required<Omit<LobsterReplayOptions, 'window'>> & { window: LobsterFileWindow };

  constructor(options: LobsterReplayOptions = {}) {
    super();
    this.options = {
      dataDir: options.dataDir ?? defaultMarketDataDir(),
      symbols: options.symbols ?? LOBSTER_SAMPLE_SYMBOLS,
      date: options.date ?? LOBSTER_SAMPLE_DATE,
      window: options.window ?? {},
      trades: options.trades ?? true,
      quotes: options.quotes ?? 'all',
      venue: options.venue ?? 'XNAS',
      wallClock: options.wallClock ?? systemWallClock,
    };
  }

  protected generateBatches(signal: AbortSignal): AsyncGenerator<SourceRecord[]> {
    const { symbols, ...common } = this.options;
    const inputs = symbols.map((symbol) => readLobsterSymbolBatches({ ...common, symbol, signal }));
    return inputs.length === 1 ? (inputs[0] as AsyncGenerator<SourceRecord[]>) : mergeSortedBatches(inputs, compareLobsterRecords);
  }
}
