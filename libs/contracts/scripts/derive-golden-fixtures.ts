/**
 * Derives the golden fixtures of @tickwire/contracts from the real market data and writes them to
 * `libs/contracts/src/market/<event>/fixtures/*.json`. Run after changing a fixture's derivation:
 *
 *   npx tsx libs/contracts/scripts/derive-golden-fixtures.ts [dataDir]
 *
 * dataDir defaults to $TICKWIRE_MARKET_DATA or /work/shared/data/market (layout in its README.md).
 * Ids are computed with the documented recipes directly on `hashEventId`, so the contract tests that
 * recompute them through the v1 id helpers check the helpers against the recipe.
 * Conversions (README "Time conversion" / "Deriving the streams"): epoch_ms = 1340251200000 +
 * round(time * 1000); price = integer / 10000; aggressor = -direction; GOOG 2012 = GOOGL in daily/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashEventId } from '../src/common/event-id';
import { epochNsToEpochMs, sessionCloseEpochMs } from '../src/common/event-time';

const dataDir = process.argv[2] ?? process.env['TICKWIRE_MARKET_DATA'] ?? '/work/shared/data/market';
const outDir = join(__dirname, '..', 'src', 'market');
/** Fixed replay time stamped as ingestTime, so fixtures are reproducible: 2026-11-21T18:00:00Z. */
const INGEST_TIME = Date.UTC(2026, 10, 21, 18, 0, 0);
const PROCESSING_DELAY_MS = 3;
const MIDNIGHT_ET_S = 1340251200n; // 2012-06-21T04:00:00Z
const LOBSTER_DATE = '2012-06-21';

type Row = string[];
const lobsterFile = (symbol: string, kind: 'message' | 'orderbook') =>
  `${symbol}_${LOBSTER_DATE}_34200000_57600000_${kind}_1.csv`;

function readCsv(path: string): Row[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => line.trim().split(','));
}

/** LOBSTER seconds-after-midnight string -> exact epoch ns string (split at '.', pad to 9 digits). */
function lobsterTimeToNs(time: string): string {
  const [seconds, fraction = ''] = time.split('.');
  return (((MIDNIGHT_ET_S + BigInt(seconds as string)) * 1_000_000_000n) + BigInt(fraction.padEnd(9, '0'))).toString();
}

const usd = (scaled: string) => Number(scaled) / 10_000;

function write(event: string, name: string, origin: string, value: object): void {
  const path = join(outDir, event, 'fixtures', `${name}.json`);
  writeFileSync(path, `${JSON.stringify({ name, origin, event: value }, null, 2)}\n`);
  console.log(`wrote ${path}`);
}

interface Lobster {
  symbol: string;
  messages: Row[];
  book: Row[];
}
const lobster = (symbol: string): Lobster => ({
  symbol,
  messages: readCsv(join(dataDir, 'lobster', lobsterFile(symbol, 'message'))),
  book: readCsv(join(dataDir, 'lobster', lobsterFile(symbol, 'orderbook'))),
});
const isTrade = (row: Row) => row[1] === '4' || row[1] === '5';

/** Trade event from message row `line` (1-based). */
function tradeEvent(data: Lobster, line: number) {
  const [time, , , size, price, direction] = data.messages[line - 1] as Row;
  const eventTimeNs = lobsterTimeToNs(time as string);
  const eventTime = epochNsToEpochMs(eventTimeNs);
  const payload = {
    symbol: data.symbol,
    price: usd(price as string),
    size: Number(size),
    aggressorSide: direction === '-1' ? 'buy' : 'sell',
    venue: 'XNAS',
    sequence: line,
  };
  const id = hashEventId(['market.trade.v1', 'lobster', data.symbol, eventTimeNs, line]);
  return { schema: 'market.trade.v1', id, eventTime, eventTimeNs, ingestTime: INGEST_TIME, source: 'lobster', payload };
}

/** Quote event from orderbook row `line` at the time of message row `line`. */
function quoteEvent(data: Lobster, line: number) {
  const [askPrice, askSize, bidPrice, bidSize] = data.book[line - 1] as Row;
  const eventTimeNs = lobsterTimeToNs((data.messages[line - 1] as Row)[0] as string);
  const payload = {
    symbol: data.symbol,
    bidPrice: usd(bidPrice as string),
    bidSize: Number(bidSize),
    askPrice: usd(askPrice as string),
    askSize: Number(askSize),
    venue: 'XNAS',
    sequence: line,
  };
  const id = hashEventId(['market.quote.v1', 'lobster', data.symbol, eventTimeNs, line]);
  return { schema: 'market.quote.v1', id, eventTime: epochNsToEpochMs(eventTimeNs), eventTimeNs, ingestTime: INGEST_TIME, source: 'lobster', payload };
}

interface Bar {
  startTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  notional: number;
  tradeCount: number;
  firstLine: number;
  lastLine: number;
}

/** 1-minute bars over trades (types 4 and 5), windows [t, t + 60 s) by event time. */
function minuteBars(data: Lobster): Bar[] {
  const bars = new Map<number, Bar>();
  data.messages.forEach((row, index) => {
    if (!isTrade(row)) return;
    const price = usd(row[4] as string);
    const size = Number(row[3]);
    const startTime = Math.floor(epochNsToEpochMs(lobsterTimeToNs(row[0] as string)) / 60_000) * 60_000;
    const bar = bars.get(startTime) ?? { startTime, open: price, high: price, low: price, close: price, volume: 0, notional: 0, tradeCount: 0, firstLine: index + 1, lastLine: index + 1 };
    bar.high = Math.max(bar.high, price);
    bar.low = Math.min(bar.low, price);
    bar.close = price;
    bar.volume += size;
    bar.notional += price * size;
    bar.tradeCount += 1;
    bar.lastLine = index + 1;
    bars.set(startTime, bar);
  });
  return [...bars.values()].sort((a, b) => a.startTime - b.startTime);
}

function barEvent(symbol: string, bar: Bar) {
  return {
    schema: 'market.bar.1m.v1',
    id: `${symbol}:${bar.startTime}`,
    eventTime: bar.startTime + 60_000,
    ingestTime: INGEST_TIME,
    source: 'lobster',
    payload: {
      symbol,
      startTime: bar.startTime,
      endTime: bar.startTime + 60_000,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      vwap: bar.notional / bar.volume,
      volume: bar.volume,
      tradeCount: bar.tradeCount,
    },
  };
}

const sma = (closes: number[], period: number) =>
  closes.length < period ? null : closes.slice(-period).reduce((sum, c) => sum + c, 0) / period;
/** EMA seeded with the SMA of the first `period` closes, alpha = 2 / (period + 1). */
function ema(closes: number[], period: number): number | null {
  if (closes.length < period) return null;
  const alpha = 2 / (period + 1);
  let value = closes.slice(0, period).reduce((sum, c) => sum + c, 0) / period;
  for (const close of closes.slice(period)) value = alpha * close + (1 - alpha) * value;
  return value;
}
const hhmm = (epochMs: number) => new Date(epochMs - 4 * 3_600_000).toISOString().slice(11, 16); // EDT on 2012-06-21

const aapl = lobster('AAPL');
const amzn = lobster('AMZN');
const goog = lobster('GOOG');
const firstTradeLine = (data: Lobster) => data.messages.findIndex(isTrade) + 1;
const aaplLastTradeLine = aapl.messages.length - [...aapl.messages].reverse().findIndex(isTrade);
const msgRef = (data: Lobster, line: number) => `lobster/${lobsterFile(data.symbol, 'message')} line ${line} "${(data.messages[line - 1] as Row).join(',')}"`;
const bookRef = (data: Lobster, line: number) => `lobster/${lobsterFile(data.symbol, 'orderbook')} line ${line} "${(data.book[line - 1] as Row).join(',')}"`;

// ---- trades ----
const aaplFirst = tradeEvent(aapl, firstTradeLine(aapl));
write('trade', 'aapl-first-trade', `${msgRef(aapl, 8)}: first AAPL execution (README reference: 34200.275016159 @ 585.74); aggressor = -direction = buy`, aaplFirst);
write('trade', 'aapl-sweep-second-fill', `${msgRef(aapl, 9)}: second fill of the same sweep, same nanosecond as line 8, so only sequence tells them apart`, tradeEvent(aapl, 9));
const aaplLast = tradeEvent(aapl, aaplLastTradeLine);
write('trade', 'aapl-last-trade-hidden', `${msgRef(aapl, aaplLastTradeLine)}: last AAPL execution, hidden (type 5) @ 577.635 (README reference)`, aaplLast);
write('trade', 'amzn-first-trade', `${msgRef(amzn, firstTradeLine(amzn))}: first AMZN execution, hidden (type 5) @ 223.82 (README reference)`, tradeEvent(amzn, firstTradeLine(amzn)));
write('trade', 'goog-first-trade', `${msgRef(goog, firstTradeLine(goog))}: first GOOG execution @ 579.40, seller-initiated (direction +1) (README reference)`, tradeEvent(goog, firstTradeLine(goog)));

// ---- quotes ----
write('quote', 'aapl-first-quote', `${bookRef(aapl, 1)} at the time of ${msgRef(aapl, 1)}`, quoteEvent(aapl, 1));
const aaplQuote9 = quoteEvent(aapl, 9);
write('quote', 'aapl-quote-after-sweep', `${bookRef(aapl, 9)} at the time of ${msgRef(aapl, 9)}: book after the opening sweep`, aaplQuote9);
write('quote', 'amzn-first-quote', `${bookRef(amzn, 1)} at the time of ${msgRef(amzn, 1)}`, quoteEvent(amzn, 1));
write('quote', 'goog-first-quote', `${bookRef(goog, 1)} at the time of ${msgRef(goog, 1)}`, quoteEvent(goog, 1));

// ---- daily bars ----
const dailyFiles = {
  lobster: 'daily/lobster_symbols_daily_1999-11-01_2021-04-21.csv',
  sp500: 'daily/sp500_daily_2020-01-02_2021-04-21.csv',
};
function dailyEvent(file: string, symbol: string, date: string, name: string, note: string): void {
  const rows = readCsv(join(dataDir, file));
  const index = rows.findIndex((row) => row[0] === symbol && row[1] === date);
  const row = rows[index] as Row;
  const [, tradingDate, open, high, low, close, adjustedClose, volume, dividendAmount, splitCoefficient] = row;
  const event = {
    schema: 'market.bar.daily.v1',
    id: hashEventId(['market.bar.daily.v1', 'alphavantage-daily', symbol, tradingDate]),
    eventTime: sessionCloseEpochMs(tradingDate as string),
    ingestTime: INGEST_TIME,
    source: 'alphavantage-daily',
    payload: {
      symbol,
      tradingDate,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      adjustedClose: Number(adjustedClose),
      volume: Number(volume),
      dividendAmount: Number(dividendAmount),
      splitCoefficient: Number(splitCoefficient),
    },
  };
  write('bar-daily', name, `${file} line ${index + 1} "${row.join(',')}"${note ? `: ${note}` : ''}`, event);
}
dailyEvent(dailyFiles.lobster, 'AAPL', '2012-06-20', 'aapl-2012-06-20', 'previous close 585.741 of the LOBSTER day');
dailyEvent(dailyFiles.lobster, 'AAPL', '2012-06-21', 'aapl-2012-06-21', 'official close 577.67 of the LOBSTER day');
dailyEvent(dailyFiles.lobster, 'AMZN', '2012-06-20', 'amzn-2012-06-20', 'previous close 223.02 of the LOBSTER day');
dailyEvent(dailyFiles.lobster, 'GOOGL', '2012-06-20', 'googl-2012-06-20', 'previous close 577.51 of LOBSTER "GOOG" (2012 GOOG = today\'s GOOGL)');
dailyEvent(dailyFiles.lobster, 'AAPL', '2014-06-09', 'aapl-2014-06-09-split-7-noisy', '7-for-1 split ex-date, coefficient carries float noise (7.00000700001)');
dailyEvent(dailyFiles.lobster, 'AAPL', '2020-08-31', 'aapl-2020-08-31-split-4', '4-for-1 split ex-date (previous close 499.23 / 4 = 124.8075)');
dailyEvent(dailyFiles.sp500, 'VAR', '2021-04-16', 'var-2021-04-16-no-volume', 'Varian after the acquisition: volume 0, O=H=L=C');

// ---- 1-minute bars ----
const aaplBars = minuteBars(aapl);
const barOrigin = (data: Lobster, bar: Bar) =>
  `${data.symbol} trades (types 4 and 5) in lobster/${lobsterFile(data.symbol, 'message')} lines ${bar.firstLine}..${bar.lastLine} with eventTime in [${bar.startTime}, ${bar.startTime + 60_000}) = ${hhmm(bar.startTime)} ET`;
write('bar-1m', 'aapl-0930', `${barOrigin(aapl, aaplBars[0] as Bar)}; README reference O/H/L/C/V 585.74/585.93/585.30/585.63/16,390`, barEvent('AAPL', aaplBars[0] as Bar));
const amznBar = minuteBars(amzn)[0] as Bar;
write('bar-1m', 'amzn-0930', `${barOrigin(amzn, amznBar)}; README reference 223.82/224.45/223.75/224.33/10,821`, barEvent('AMZN', amznBar));
const googBar = minuteBars(goog)[0] as Bar;
write('bar-1m', 'goog-0930', `${barOrigin(goog, googBar)}; README reference 579.40/579.73/577.28/578.06/8,519`, barEvent('GOOG', googBar));

// ---- alerts (AAPL): first occurrence of each rule ----
const PREVIOUS_CLOSE = 585.741; // AAPL 2012-06-20 close, daily/ line above
const alertEnvelope = (eventTime: number, { alertType, ...rest }: Record<string, unknown> & { alertType: string }, rule: (string | number)[], extra: object = {}) => ({
  schema: 'market.alert.v1',
  id: hashEventId(['market.alert.v1', 'lobster', 'AAPL', alertType, eventTime, ...rule]),
  eventTime,
  ...extra,
  ingestTime: INGEST_TIME,
  source: 'lobster',
  // Key order as in the schema, so serialize(parse(fixture)) reproduces the file byte for byte.
  payload: { alertType, symbol: 'AAPL', ...rest },
});

const THRESHOLD_PERCENT = 1;
const thresholdLine = aapl.messages.findIndex((row) => isTrade(row) && ((usd(row[4] as string) - PREVIOUS_CLOSE) / PREVIOUS_CLOSE) * 100 <= -THRESHOLD_PERCENT) + 1;
const thresholdTrade = tradeEvent(aapl, thresholdLine);
write(
  'alert',
  'aapl-price-change-down-1pct',
  `first AAPL trade at or below -1 % vs previous close 585.741 (daily AAPL 2012-06-20): ${msgRef(aapl, thresholdLine)}`,
  alertEnvelope(
    thresholdTrade.eventTime,
    {
      alertType: 'price-change-threshold',
      sourceEventId: thresholdTrade.id,
      direction: 'down',
      thresholdPercent: THRESHOLD_PERCENT,
      changePercent: ((thresholdTrade.payload.price - PREVIOUS_CLOSE) / PREVIOUS_CLOSE) * 100,
      price: thresholdTrade.payload.price,
      previousClose: PREVIOUS_CLOSE,
    },
    ['down', String(THRESHOLD_PERCENT)],
    { eventTimeNs: thresholdTrade.eventTimeNs },
  ),
);

const FAST = 5;
const SLOW = 20;
const closes = aaplBars.map((bar) => bar.close);
const crossName = { golden: 'aapl-sma-5-20-golden-cross', death: 'aapl-sma-5-20-death-cross' } as const;
const seen = new Set<string>();
for (let i = SLOW; i < aaplBars.length && seen.size < 2; i++) {
  const previousFastValue = sma(closes.slice(0, i), FAST) as number;
  const previousSlowValue = sma(closes.slice(0, i), SLOW) as number;
  const fastValue = sma(closes.slice(0, i + 1), FAST) as number;
  const slowValue = sma(closes.slice(0, i + 1), SLOW) as number;
  const cross =
    previousFastValue <= previousSlowValue && fastValue > slowValue ? 'golden' : previousFastValue >= previousSlowValue && fastValue < slowValue ? 'death' : null;
  if (!cross || seen.has(cross)) continue;
  seen.add(cross);
  const bar = aaplBars[i] as Bar;
  write(
    'alert',
    crossName[cross],
    `first SMA(${FAST}) / SMA(${SLOW}) ${cross} cross of AAPL 1-minute closes (bars from lobster/${lobsterFile('AAPL', 'message')}), completed by the ${hhmm(bar.startTime)} ET bar`,
    alertEnvelope(
      bar.startTime + 60_000,
      {
        alertType: 'ma-cross',
        sourceEventId: `AAPL:${bar.startTime}`,
        cross,
        movingAverage: 'sma',
        fastPeriod: FAST,
        slowPeriod: SLOW,
        fastValue,
        slowValue,
        previousFastValue,
        previousSlowValue,
        barStartTime: bar.startTime,
      },
      [cross, 'sma', FAST, SLOW],
    ),
  );
}

const LOOKBACK = 20;
const MULTIPLIER = 3;
const spikeIndex = aaplBars.findIndex((bar, i) => i >= LOOKBACK && bar.volume > MULTIPLIER * (aaplBars.slice(i - LOOKBACK, i).reduce((s, b) => s + b.volume, 0) / LOOKBACK));
const spikeBar = aaplBars[spikeIndex] as Bar;
const meanVolume = aaplBars.slice(spikeIndex - LOOKBACK, spikeIndex).reduce((s, b) => s + b.volume, 0) / LOOKBACK;
write('bar-1m', 'aapl-1000-volume-spike', `${barOrigin(aapl, spikeBar)}; the bar of the volume-spike alert fixture`, barEvent('AAPL', spikeBar));
write(
  'alert',
  'aapl-volume-spike-20x3',
  `first AAPL 1-minute bar with volume > ${MULTIPLIER} x mean of the previous ${LOOKBACK} bars: the ${hhmm(spikeBar.startTime)} ET bar (fixture bar-1m/aapl-1000-volume-spike)`,
  alertEnvelope(
    spikeBar.startTime + 60_000,
    { alertType: 'volume-spike', sourceEventId: `AAPL:${spikeBar.startTime}`, volume: spikeBar.volume, meanVolume, multiplier: MULTIPLIER, lookbackBars: LOOKBACK, barStartTime: spikeBar.startTime },
    [LOOKBACK, String(MULTIPLIER)],
  ),
);

// ---- enriched (AAPL) ----
function enriched(kind: 'trade' | 'quote', raw: ReturnType<typeof tradeEvent> | ReturnType<typeof quoteEvent>, fields: Record<string, unknown>) {
  return {
    schema: 'market.enriched.v1',
    id: hashEventId(['market.enriched.v1', raw.id]),
    eventTime: raw.eventTime,
    eventTimeNs: raw.eventTimeNs,
    ingestTime: raw.ingestTime,
    source: raw.source,
    payload: {
      kind,
      [kind]: raw.payload,
      symbol: raw.payload.symbol,
      sourceEventId: raw.id,
      previousClose: PREVIOUS_CLOSE,
      previousCloseDate: '2012-06-20',
      previousCloseStale: false,
      ...fields,
      processingTime: INGEST_TIME + PROCESSING_DELAY_MS,
    },
  };
}
const bookBefore = (line: number) => {
  const [askPrice, askSize, bidPrice, bidSize] = aapl.book[line - 2] as Row;
  return { bidPrice: usd(bidPrice as string), askPrice: usd(askPrice as string), bidSize: Number(bidSize), askSize: Number(askSize) };
};
const indicatorsBefore = (eventTime: number) => {
  const done = aaplBars.filter((bar) => bar.startTime + 60_000 <= eventTime).map((bar) => bar.close);
  return { smaFast: sma(done, FAST), smaSlow: sma(done, SLOW), emaFast: ema(done, FAST), emaSlow: ema(done, SLOW), fastPeriod: FAST, slowPeriod: SLOW };
};
const changeOf = (price: number) => ((price - PREVIOUS_CLOSE) / PREVIOUS_CLOSE) * 100;
write(
  'enriched',
  'aapl-first-trade-enriched',
  `trade fixture aapl-first-trade (${msgRef(aapl, 8)}) + best bid/ask before it (${bookRef(aapl, 7)}) + previous close 585.741 (daily AAPL 2012-06-20); no completed bar yet, so indicators are null`,
  enriched('trade', aaplFirst, { changePercent: changeOf(aaplFirst.payload.price), lastPrice: aaplFirst.payload.price, ...bookBefore(8), ...indicatorsBefore(aaplFirst.eventTime) }),
);
write(
  'enriched',
  'aapl-last-trade-enriched',
  `trade fixture aapl-last-trade-hidden (${msgRef(aapl, aaplLastTradeLine)}) + best bid/ask before it (${bookRef(aapl, aaplLastTradeLine - 1)}) + previous close 585.741: change -1.3839 % (README reference); SMA/EMA(${FAST}, ${SLOW}) over the 389 completed 1-minute closes (EMA seeded with the SMA of the first n closes, alpha 2/(n+1))`,
  enriched('trade', aaplLast, { changePercent: changeOf(aaplLast.payload.price), lastPrice: aaplLast.payload.price, ...bookBefore(aaplLastTradeLine), ...indicatorsBefore(aaplLast.eventTime) }),
);
// As if the feed had lost AAPL's 2012-06-20 close: the 2012-06-19 close (587.41, daily/ line above the
// 2012-06-20 row) is the latest known, older than the previous session, so it is flagged stale.
const STALE_PREVIOUS_CLOSE = 587.41;
write(
  'enriched',
  'aapl-first-trade-stale-close-enriched',
  `trade fixture aapl-first-trade (${msgRef(aapl, 8)}) + best bid/ask before it (${bookRef(aapl, 7)}) measured against a stale previous close: AAPL 2012-06-19 587.41 (as if the 2012-06-20 close were missing), so previousCloseStale is true and no price-change alert may be raised`,
  enriched('trade', aaplFirst, {
    previousClose: STALE_PREVIOUS_CLOSE,
    previousCloseDate: '2012-06-19',
    previousCloseStale: true,
    changePercent: ((aaplFirst.payload.price - STALE_PREVIOUS_CLOSE) / STALE_PREVIOUS_CLOSE) * 100,
    lastPrice: aaplFirst.payload.price,
    ...bookBefore(8),
    ...indicatorsBefore(aaplFirst.eventTime),
  }),
);
const lastTradePriceThroughLine9 = usd((aapl.messages[8] as Row)[4] as string);
write(
  'enriched',
  'aapl-quote-after-sweep-enriched',
  `quote fixture aapl-quote-after-sweep (${bookRef(aapl, 9)}) + last trade 585.75 (${msgRef(aapl, 9)}) + previous close 585.741; no completed bar yet`,
  enriched('quote', aaplQuote9, {
    changePercent: changeOf(lastTradePriceThroughLine9),
    lastPrice: lastTradePriceThroughLine9,
    bidPrice: aaplQuote9.payload.bidPrice,
    askPrice: aaplQuote9.payload.askPrice,
    bidSize: aaplQuote9.payload.bidSize,
    askSize: aaplQuote9.payload.askSize,
    ...indicatorsBefore(aaplQuote9.eventTime),
  }),
);
