import { basename, join } from 'node:path';
import { BAR_DAILY_V1_SCHEMA, TOPICS, sessionCloseEpochMs } from '@tickwire/contracts';
import { AbortableSource } from '../core/abortable-source';
import { systemWallClock, type WallClock } from '../core/clock';
import { decimalField, integerField } from '../core/csv-fields';
import { csvRowText, readGzipCsv, type CsvRow } from '../core/gzip-csv-reader';
import { defaultMarketDataDir } from '../core/market-data-dir';
import { mergeSorted } from '../core/merge-sorted';
import { buildEventRecord, rejectedRecord, type RecordOrigin, type SourceRecord } from '../core/source-record';
import { DAILY_BARS_FILES, DAILY_CSV_HEADER, listSymbolGroups, type DailyBarsFile } from './daily-bars-files';

/** Envelope `source` of the daily bars (AlphaVantage TIME_SERIES_DAILY_ADJUSTED data). */
export const DAILY_BARS_SOURCE = 'alphavantage-daily';

/** Options of {@link DailyBarsReplaySource}; every field is optional. */
export interface DailyBarsReplayOptions {
  /** Market data directory holding `daily/`. Default {@link defaultMarketDataDir}. */
  readonly dataDir?: string;
  /** Files to replay (paths relative to `dataDir`), merged in date order. Default `[DAILY_BARS_FILES.sp500]`. */
  readonly files?: readonly DailyBarsFile[];
  /** Only these symbols (exact, upper case). Default all. */
  readonly symbols?: readonly string[];
  /** Clock for `ingestTime` (epoch ms). Default `Date.now`. */
  readonly wallClock?: WallClock;
}

/** Sort key of a daily record: trading date, then symbol. */
function dailyKey(record: SourceRecord): string {
  if (record.kind === 'rejected') return '';
  const payload = record.event.payload as { tradingDate: string; symbol: string };
  return `${payload.tradingDate} ${payload.symbol}`;
}

/** Order of daily records: by (tradingDate, symbol); rejected records first, so they leave as soon as they are read. */
export function compareDailyRecords(a: SourceRecord, b: SourceRecord): number {
  const keyA = dailyKey(a);
  const keyB = dailyKey(b);
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}

/**
 * Replays daily OHLCV files (data/market/daily/) as `market.bar.daily.v1` events (source
 * `alphavantage-daily`) in (tradingDate, symbol) order. Mapping: the CSV columns one to one
 * (`date` -> `tradingDate`, `adjusted_close` -> `adjustedClose`, ...; prices as traded, unadjusted),
 * `eventTime` = 16:00 America/New_York of the date (`sessionCloseEpochMs`), id by the contract's recipe.
 *
 * `by-date` files are streamed as they are; a `by-symbol` file is read once to list its symbol groups,
 * then once per group, and the groups are k-way merged by date, so memory stays bounded (cost: one
 * decompression per group, fine for the 6-symbol history file). Several files are merged the same way;
 * a bar present in two files (same id, same values: the S&P 500 file and the history file overlap on
 * 2020-2021 for AAPL, AMZN, GOOGL, GOOG, MSFT, INTC) is emitted once, a conflicting duplicate is rejected.
 *
 * Rows that break the contract or arrive out of order become {@link RejectedRecord}s (`SchemaViolation`,
 * or `LateEvent` for a row behind its file's order) with the line verbatim.
 * Count for the S&P 500 file: 164,982 bars (data/market/README.md).
 * @throws Error from iteration if a file's header is not {@link DAILY_CSV_HEADER}, a `by-symbol` file is
 *   not grouped, or a file cannot be read.
 */
export class DailyBarsReplaySource extends AbortableSource {
  readonly name = 'daily-bars-replay';
  private readonly dataDir: string;
  private readonly files: readonly DailyBarsFile[];
  private readonly symbols: ReadonlySet<string> | undefined;
  private readonly wallClock: WallClock;

  constructor(options: DailyBarsReplayOptions = {}) {
    super();
    this.dataDir = options.dataDir ?? defaultMarketDataDir();
    this.files = options.files ?? [DAILY_BARS_FILES.sp500];
    this.symbols = options.symbols ? new Set(options.symbols) : undefined;
    this.wallClock = options.wallClock ?? systemWallClock;
  }

  protected async *generateBatches(signal: AbortSignal): AsyncGenerator<SourceRecord[]> {
    const inputs: AsyncGenerator<SourceRecord>[] = [];
    for (const file of this.files) {
      const path = join(this.dataDir, file.path);
      await checkHeader(path, signal);
      if (file.layout === 'by-date') {
        inputs.push(this.readRows(path, undefined, signal));
      } else {
        const groups = await listSymbolGroups(path, signal);
        for (const symbol of groups) {
          if (!this.symbols || this.symbols.has(symbol)) inputs.push(this.readRows(path, symbol, signal));
        }
      }
    }
    let previous: SourceRecord | undefined;
    for await (const record of mergeSorted(inputs, compareDailyRecords)) {
      if (record.kind === 'event' && previous?.kind === 'event' && previous.event.id === record.event.id) {
        // Same (symbol, tradingDate) from two files: identical values are one bar; differing values are not silently resolved.
        if (JSON.stringify(previous.event.payload) !== JSON.stringify(record.event.payload)) {
          yield [rejectedRecord(TOPICS.barsDaily, 'SchemaViolation', `conflicting duplicate of bar ${record.event.id}: same symbol and tradingDate, different values`, {
            source: DAILY_BARS_SOURCE,
            raw: JSON.stringify(record.event.payload),
            origin: 'daily bars merge',
            symbol: record.event.payload.symbol,
            receivedAt: this.wallClock(),
          })];
        }
        continue;
      }
      previous = record;
      yield [record];
    }
  }

  /** Rows of one file (or of one symbol group of a `by-symbol` file) as records, checking the file's order. */
  private async *readRows(path: string, onlySymbol: string | undefined, signal: AbortSignal): AsyncGenerator<SourceRecord> {
    const name = `daily/${basename(path)}`;
    const closeTimes = new Map<string, number>();
    let previousKey = '';
    let inGroup = false;
    for await (const row of readGzipCsv(path, { fromLine: 2, signal })) {
      const [symbol = '', date = ''] = row.fields;
      if (onlySymbol !== undefined) {
        if (symbol !== onlySymbol) {
          if (inGroup) return; // the group is contiguous (checked by listSymbolGroups)
          continue;
        }
        inGroup = true;
      } else if (this.symbols && !this.symbols.has(symbol)) {
        continue;
      }
      const origin = (): RecordOrigin => ({ source: DAILY_BARS_SOURCE, raw: csvRowText(row), origin: `${name} line ${row.line}`, symbol, receivedAt: this.wallClock() });
      const key = `${date} ${symbol}`;
      if (key <= previousKey) {
        yield rejectedRecord(TOPICS.barsDaily, 'LateEvent', `row out of order: (${date}, ${symbol}) does not follow (${previousKey.replace(' ', ', ')}) in ${onlySymbol ? 'its symbol group' : 'this by-date file'}`, origin());
        continue;
      }
      previousKey = key;
      yield this.toRecord(row, closeTimes, origin);
    }
  }

  private toRecord(row: CsvRow, closeTimes: Map<string, number>, origin: () => RecordOrigin): SourceRecord {
    if (row.fields.length !== DAILY_CSV_HEADER.length) {
      return rejectedRecord(TOPICS.barsDaily, 'SchemaViolation', `row has ${row.fields.length} fields, expected ${DAILY_CSV_HEADER.length} (${DAILY_CSV_HEADER.join(',')})`, origin());
    }
    const [symbol, tradingDate, open, high, low, close, adjustedClose, volume, dividendAmount, splitCoefficient] = row.fields as string[] as [
      string, string, string, string, string, string, string, string, string, string,
    ];
    let eventTime = closeTimes.get(tradingDate);
    if (eventTime === undefined) {
      try {
        // Intl-based and ~µs per call: cache per date (328 dates for 164,982 rows).
        eventTime = sessionCloseEpochMs(tradingDate);
      } catch (error) {
        return rejectedRecord(TOPICS.barsDaily, 'SchemaViolation', `payload.tradingDate: ${(error as Error).message}`, origin());
      }
      closeTimes.set(tradingDate, eventTime);
    }
    return buildEventRecord(
      BAR_DAILY_V1_SCHEMA,
      {
        eventTime,
        ingestTime: this.wallClock(),
        source: DAILY_BARS_SOURCE,
        payload: {
          symbol,
          tradingDate,
          open: decimalField(open),
          high: decimalField(high),
          low: decimalField(low),
          close: decimalField(close),
          adjustedClose: decimalField(adjustedClose),
          volume: integerField(volume),
          dividendAmount: decimalField(dividendAmount),
          splitCoefficient: decimalField(splitCoefficient),
        },
      },
      origin,
    );
  }
}

/** @throws Error if the first line of `path` is not {@link DAILY_CSV_HEADER}. */
async function checkHeader(path: string, signal: AbortSignal): Promise<void> {
  const rows = readGzipCsv(path, { signal });
  try {
    const first = await rows.next();
    const header = first.done ? [] : first.value.fields;
    if (header.join(',') !== DAILY_CSV_HEADER.join(',')) {
      throw new Error(`${path}: header ${JSON.stringify(header.join(','))} is not ${DAILY_CSV_HEADER.join(',')}`);
    }
  } finally {
    await rows.return(undefined);
  }
}
