/**
 * Test-only readers of the committed real market data in `data/market/` (gzip CSV, read as streams;
 * see data/market/README.md for provenance, schema and reference values). Not exported from the
 * library's index: the indicators stay free of I/O, and the ingest-producer has its own readers.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';

import type { DailyBarRow, TradeInput } from '../market-types';

/** Absolute path of `data/market/` in the repository. */
export const MARKET_DATA_DIR = join(__dirname, '..', '..', '..', '..', 'data', 'market');

/** The three LOBSTER sample symbols (2012-06-21, level 1). */
export const LOBSTER_SYMBOLS = ['AAPL', 'AMZN', 'GOOG'] as const;
export type LobsterSymbol = (typeof LOBSTER_SYMBOLS)[number];

/** The LOBSTER session date and its midnight in New York (EDT, UTC-4), epoch ms. */
export const LOBSTER_DATE = '2012-06-21';
export const LOBSTER_MIDNIGHT_MS = 1_340_251_200_000;

/** A LOBSTER execution (message type 4 = visible, 5 = hidden) as a trade. */
export interface LobsterTrade extends TradeInput {
  /** Original time column: seconds after midnight ET, up to 9 decimals. */
  readonly timeSeconds: string;
  readonly messageType: 4 | 5;
  /** Aggressor side: 1 = buyer-initiated, -1 = seller-initiated (= -direction of the resting order). */
  readonly aggressorSide: 1 | -1;
}

/** Daily CSV row with every column of `data/market/daily/*.csv` (`date` is named `tradingDate`, as in the contract). */
export interface DailyCsvRow extends DailyBarRow {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly adjustedClose: number;
  readonly volume: number;
  readonly dividendAmount: number;
  readonly splitCoefficient: number;
}

/** Daily data files (see data/market/README.md section 2). */
export const DAILY_FILES = {
  /** All 504 S&P 500 symbols, 2020-01-02..2021-04-21, sorted by date then symbol. */
  sp500: 'daily/sp500_daily_2020-01-02_2021-04-21.csv.gz',
  /** AAPL, AMZN, GOOGL, GOOG (class C), MSFT, INTC full histories 1999-11-01..2021-04-21. */
  lobsterSymbols: 'daily/lobster_symbols_daily_1999-11-01_2021-04-21.csv.gz',
} as const;

/** Every `split_coefficient != 1` row of all 504 full histories, 1999-11-01..2021-04-21. */
export const SPLITS_FILE = 'daily/splits_1999-11-01_2021-04-21.csv.gz';

/** A row of the splits list. */
export interface SplitRow {
  readonly symbol: string;
  /** Ex-date `YYYY-MM-DD`. */
  readonly tradingDate: string;
  readonly splitCoefficient: number;
}

/**
 * Epoch ms UTC of a LOBSTER time string, truncated (not rounded) to the millisecond, so that a trade
 * at 34259.9999 s stays in the 09:30 minute as it does with the nanosecond original. Exact: the string
 * is split at the decimal point, no floating-point parsing of the fraction.
 */
export function lobsterEventTime(timeSeconds: string): number {
  const [whole = '', fraction = ''] = timeSeconds.split('.');
  const millis = Number((fraction + '000').slice(0, 3));
  return LOBSTER_MIDNIGHT_MS + Number(whole) * 1000 + millis;
}

function open(relativePath: string) {
  return createReadStream(join(MARKET_DATA_DIR, relativePath)).pipe(createGunzip());
}

/** Every execution of one LOBSTER symbol in file order (which is event-time order). */
export async function readLobsterTrades(symbol: LobsterSymbol): Promise<LobsterTrade[]> {
  const trades: LobsterTrade[] = [];
  const rows = open(`lobster/${symbol}_${LOBSTER_DATE}_34200000_57600000_message_1.csv.gz`).pipe(parse());
  for await (const row of rows as AsyncIterable<string[]>) {
    const [time, type, , size, price, direction] = row;
    if (type !== '4' && type !== '5') continue;
    trades.push({
      symbol,
      // LOBSTER prices are integer USD x 10,000; one division gives the nearest double of the decimal.
      price: Number(price) / 10_000,
      size: Number(size),
      eventTime: lobsterEventTime(time as string),
      timeSeconds: time as string,
      messageType: type === '4' ? 4 : 5,
      aggressorSide: direction === '-1' ? 1 : -1,
    });
  }
  return trades;
}

/** Every row of a daily file, numbers parsed, in file order. */
export async function readDailyRows(file: keyof typeof DAILY_FILES): Promise<DailyCsvRow[]> {
  const out: DailyCsvRow[] = [];
  const rows = open(DAILY_FILES[file]).pipe(parse({ columns: true }));
  for await (const r of rows as AsyncIterable<Record<string, string>>) {
    out.push({
      symbol: r['symbol'] as string,
      tradingDate: r['date'] as string,
      open: Number(r['open']),
      high: Number(r['high']),
      low: Number(r['low']),
      close: Number(r['close']),
      adjustedClose: Number(r['adjusted_close']),
      volume: Number(r['volume']),
      dividendAmount: Number(r['dividend_amount']),
      splitCoefficient: Number(r['split_coefficient']),
    });
  }
  return out;
}

/** Every row of the splits list, in file order (by date). */
export async function readSplitRows(): Promise<SplitRow[]> {
  const out: SplitRow[] = [];
  const rows = open(SPLITS_FILE).pipe(parse({ columns: true }));
  for await (const r of rows as AsyncIterable<Record<string, string>>) {
    out.push({
      symbol: r['symbol'] as string,
      tradingDate: r['date'] as string,
      splitCoefficient: Number(r['split_coefficient']),
    });
  }
  return out;
}

/**
 * Jest hook timeout for loading real data: parsing the 11 MB S&P 500 file takes about 1 s alone, and
 * several suites run in parallel on a 2-core machine.
 */
export const REAL_DATA_TIMEOUT_MS = 60_000;
