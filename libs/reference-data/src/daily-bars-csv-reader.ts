import { DAILY_CSV_HEADER, readGzipCsv } from '@tickwire/market-sources';

/**
 * One reference daily bar, as stored (grouped per symbol and year) in DynamoDB table `reference-daily-bars` (pk `symbol`, sk
 * `year`). Prices USD as traded (unadjusted), `adjustedClose` the vendor's back-adjusted close,
 * `volume` shares, `dividendAmount` USD per share going ex on the date (0 if none), `splitCoefficient`
 * new shares per old share going ex on the date (1 if none).
 */
export interface ReferenceDailyBar {
  readonly symbol: string;
  /** `YYYY-MM-DD`, America/New_York. */
  readonly tradingDate: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly adjustedClose: number;
  readonly volume: number;
  readonly dividendAmount: number;
  readonly splitCoefficient: number;
}

/** A row of a daily file that is not a valid bar, with its 1-based line number and the reason. */
export interface RejectedDailyRow {
  readonly line: number;
  readonly reason: string;
  readonly text: string;
}

/** What {@link readDailyBarsCsv} yields: a bar, or a rejected row (kept, so callers can count and report it). */
export type DailyBarsCsvItem =
  | { readonly kind: 'bar'; readonly bar: ReferenceDailyBar }
  | ({ readonly kind: 'rejected' } & RejectedDailyRow);

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SYMBOL = /^[A-Z][A-Z0-9.-]{0,9}$/;

/**
 * Streams a gzip-compressed daily bars CSV (header DAILY_CSV_HEADER of @tickwire/market-sources, which
 * owns the file format) row by row with market-sources' gzip CSV reader, so memory stays flat whatever
 * the file size. Rows with a wrong field count, a non-numeric or non-positive price, a bad date or
 * symbol come out as `rejected` (the S&P 500 file has 328 such AT&T rows, see data/market/README.md)
 * instead of failing the whole file.
 *
 * @param path path of a `.csv.gz` file
 * @throws Error if the header differs from DAILY_CSV_HEADER, or the file cannot be read or decompressed
 */
export async function* readDailyBarsCsv(path: string): AsyncGenerator<DailyBarsCsvItem> {
  let headerChecked = false;
  for await (const { fields, line } of readGzipCsv(path)) {
    if (!headerChecked) {
      if (fields.join(',') !== DAILY_CSV_HEADER.join(',')) {
        throw new Error(`${path}: header "${fields.join(',')}" is not "${DAILY_CSV_HEADER.join(',')}"`);
      }
      headerChecked = true;
      continue;
    }
    // An empty line is one empty field: skipped, as blank lines carry no row.
    if (fields.length === 1 && fields[0] === '') continue;
    yield toItem(fields, line);
  }
}

function toItem(fields: string[], line: number): DailyBarsCsvItem {
  const reject = (reason: string): DailyBarsCsvItem => ({
    kind: 'rejected',
    line,
    reason,
    text: fields.join(','),
  });
  if (fields.length !== DAILY_CSV_HEADER.length) {
    return reject(`row has ${fields.length} fields, expected ${DAILY_CSV_HEADER.length}`);
  }
  const [symbol, tradingDate, ...numeric] = fields as [string, string, ...string[]];
  if (!SYMBOL.test(symbol)) return reject(`symbol "${symbol}" is not a ticker`);
  if (!DATE.test(tradingDate)) return reject(`date "${tradingDate}" is not YYYY-MM-DD`);
  const [open, high, low, close, adjustedClose, volume, dividendAmount, splitCoefficient] = numeric.map(
    Number,
  ) as number[] as [number, number, number, number, number, number, number, number];
  for (const [name, value] of Object.entries({ open, high, low, close, splitCoefficient })) {
    if (!Number.isFinite(value) || value <= 0)
      return reject(`${name} must be a finite number > 0, got "${String(value)}"`);
  }
  if (!Number.isFinite(adjustedClose)) return reject('adjusted_close is not a number');
  if (!Number.isSafeInteger(volume) || volume < 0)
    return reject(`volume must be a non-negative integer, got "${String(volume)}"`);
  if (!Number.isFinite(dividendAmount) || dividendAmount < 0)
    return reject(`dividend_amount must be >= 0, got "${String(dividendAmount)}"`);
  return {
    kind: 'bar',
    bar: {
      symbol,
      tradingDate,
      open,
      high,
      low,
      close,
      adjustedClose,
      volume,
      dividendAmount,
      splitCoefficient,
    },
  };
}
