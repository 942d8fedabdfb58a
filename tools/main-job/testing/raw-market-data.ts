import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { REPO_ROOT } from '../service-processes';

/**
 * Independent readers of the committed raw data for the end-to-end tests. They share no code with the
 * pipeline (no @tickwire/market-sources, no @tickwire/indicators), so the tests compare the pipeline
 * against a second, plain implementation of the data README's rules.
 */

export const LOBSTER_SYMBOLS = ['AAPL', 'AMZN', 'GOOG'] as const;
/** 2012-06-21T00:00:00 America/New_York (EDT) in epoch ms: 2012-06-21T04:00:00Z (data README). */
const LOBSTER_MIDNIGHT_MS = 1_340_251_200_000;

/** One LOBSTER execution (message type 4 or 5). Prices USD, sizes shares, times epoch ms UTC. */
export interface RawTrade {
  readonly symbol: string;
  /** 1-based row number in the message file. */
  readonly row: number;
  readonly eventTimeMs: number;
  readonly price: number;
  readonly size: number;
}

async function* gzLines(file: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) if (line.length) yield line;
}

/** Every trade of `symbol` on 2012-06-21, in file order. */
export async function readLobsterTrades(symbol: string): Promise<RawTrade[]> {
  const file = join(REPO_ROOT, 'data/market/lobster', `${symbol}_2012-06-21_34200000_57600000_message_1.csv.gz`);
  const trades: RawTrade[] = [];
  let row = 0;
  for await (const line of gzLines(file)) {
    row += 1;
    const [time, type, , size, price] = line.split(',');
    if (type !== '4' && type !== '5') continue;
    // Milliseconds by truncation of the nanosecond time; only the minute matters for the bars.
    const [secs, frac = ''] = (time ?? '').split('.');
    const ms = Number(secs) * 1000 + Number(frac.padEnd(9, '0').slice(0, 3));
    trades.push({ symbol, row, eventTimeMs: LOBSTER_MIDNIGHT_MS + ms, price: Number(price) / 10_000, size: Number(size) });
  }
  return trades;
}

/** A 1-minute OHLCV bar on [startTime, startTime + 60 s). */
export interface ReferenceBar {
  readonly symbol: string;
  readonly startTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly vwap: number;
  readonly tradeCount: number;
}

/** Bars of `trades` (one symbol, file order = event-time order), keyed `<symbol>:<startTime>`. */
export function referenceBars(trades: readonly RawTrade[]): Map<string, ReferenceBar> {
  const bars = new Map<string, ReferenceBar & { notional: number }>();
  for (const t of trades) {
    const startTime = Math.floor(t.eventTimeMs / 60_000) * 60_000;
    const key = `${t.symbol}:${startTime}`;
    const bar = bars.get(key);
    if (!bar) {
      bars.set(key, { symbol: t.symbol, startTime, open: t.price, high: t.price, low: t.price, close: t.price, volume: t.size, notional: t.price * t.size, vwap: t.price, tradeCount: 1 });
    } else {
      bars.set(key, {
        ...bar,
        high: Math.max(bar.high, t.price),
        low: Math.min(bar.low, t.price),
        close: t.price,
        volume: bar.volume + t.size,
        notional: bar.notional + t.price * t.size,
        tradeCount: bar.tradeCount + 1,
      });
    }
  }
  return new Map([...bars].map(([key, { notional, ...bar }]) => [key, { ...bar, vwap: notional / bar.volume }]));
}

/** One row of the S&P 500 daily file. Prices USD as traded. */
export interface RawDailyRow {
  readonly symbol: string;
  readonly date: string;
  readonly close: number;
  readonly dividend: number;
  readonly split: number;
}

/** Rows of the S&P 500 daily file with a ticker-like symbol (the file's 328 malformed rows are left out). */
export async function readSp500Daily(): Promise<RawDailyRow[]> {
  const rows: RawDailyRow[] = [];
  let header = true;
  for await (const line of gzLines(join(REPO_ROOT, 'data/market/daily/sp500_daily_2020-01-02_2021-04-21.csv.gz'))) {
    if (header) {
      header = false;
      continue;
    }
    const [symbol = '', date = '', , , , close, , , dividend, split] = line.split(',');
    if (!/^[A-Z][A-Z0-9.-]{0,9}$/.test(symbol)) continue;
    rows.push({ symbol, date, close: Number(close), dividend: Number(dividend), split: Number(split) });
  }
  return rows;
}

/** Rows of `symbol`'s LOBSTER message file: one quote each (the replay publishes every row as a quote). */
export async function countLobsterMessages(symbol: string): Promise<number> {
  let rows = 0;
  for await (const line of gzLines(join(REPO_ROOT, 'data/market/lobster', `${symbol}_2012-06-21_34200000_57600000_message_1.csv.gz`))) {
    if (line) rows += 1;
  }
  return rows;
}
