import { readGzipCsv } from '../core/gzip-csv-reader';

/** Header of the daily CSV files in data/market/daily/ (AlphaVantage TIME_SERIES_DAILY_ADJUSTED, long format). */
export const DAILY_CSV_HEADER = [
  'symbol',
  'date',
  'open',
  'high',
  'low',
  'close',
  'adjusted_close',
  'volume',
  'dividend_amount',
  'split_coefficient',
] as const;

/**
 * Row order of a daily file: `by-date` (sorted by date, then symbol) or `by-symbol` (one contiguous group
 * per symbol, dates ascending inside a group).
 */
export type DailyFileLayout = 'by-date' | 'by-symbol';

/** A daily bars file: path relative to the market data directory, and its row order. */
export interface DailyBarsFile {
  readonly path: string;
  readonly layout: DailyFileLayout;
}

/** The daily files of data/market/daily/ (see its README.md section 2). */
export const DAILY_BARS_FILES = {
  /** All 504 S&P 500 symbols, 2020-01-02..2021-04-21, 164,982 rows, sorted by date then symbol. */
  sp500: { path: 'daily/sp500_daily_2020-01-02_2021-04-21.csv.gz', layout: 'by-date' },
  /** AAPL, AMZN, GOOGL, GOOG (class C), MSFT, INTC full histories 1999-11-01..2021-04-21, 27,585 rows, grouped by symbol. */
  lobsterSymbols: { path: 'daily/lobster_symbols_daily_1999-11-01_2021-04-21.csv.gz', layout: 'by-symbol' },
} as const satisfies Record<string, DailyBarsFile>;

/**
 * Symbols of a `by-symbol` file in the order of their groups (one streaming pass over the first column).
 * @throws Error if a symbol's rows are not contiguous (the file is not grouped by symbol), or the read error.
 */
export async function listSymbolGroups(path: string, signal?: AbortSignal): Promise<string[]> {
  const groups: string[] = [];
  const seen = new Set<string>();
  let current: string | undefined;
  for await (const row of readGzipCsv(path, { fromLine: 2, signal })) {
    const symbol = row.fields[0] ?? '';
    if (symbol === current) continue;
    if (seen.has(symbol)) throw new Error(`${path} line ${row.line}: rows of ${symbol} are not contiguous, the file is not grouped by symbol`);
    seen.add(symbol);
    groups.push(symbol);
    current = symbol;
  }
  return groups;
}
