import { buildEvent, sessionCloseEpochMs, tradingStateOf } from '@tickwire/contracts';
import type { MarketEvent } from '@tickwire/market-sources';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../service-processes';
import type { RawDailyRow, ReferenceBar } from './raw-market-data';

/**
 * The scripted market of the multi-session end-to-end test (multi-session.e2e-spec.ts), and the values a
 * customer must receive for it, computed here from the script, the reference daily rows and the
 * exchange calendar's data file alone (never from the enricher's code or state).
 *
 * AAPL over five real XNYS sessions: 2020-08-28 (Friday), 2020-08-31 (ex-date of the 4-for-1 split, so
 * the previous close is divided by 4 at the open), 2020-11-25 (the reference rows are newer than the
 * feed's last close, so they seed it), 2020-11-27 (13:00 early close, the day after the Thanksgiving
 * holiday 2020-11-26) and 2020-11-30. Each session ends with the source's daily bar (Alpaca `d`), whose
 * close, deliberately a cent or more away from the last trade, is the next session's previous close.
 * A correction restates a published bar (11-25), a cancel restates another (11-27), a correction of a
 * trade in a minute still open changes the bar before its only publication (11-27), and a halt, its
 * quotation resumption and its trading resumption (11-30) bracket the move that alerts, and a LULD pause
 * after the last trade leaves the symbol halted. Prices USD,
 * sizes shares, times epoch ms UTC.
 */

export const SCENARIO_SYMBOL = 'AAPL';
/** The enricher's default price-change band, percent (ALERT_CHANGE_THRESHOLD_PERCENT). */
export const THRESHOLD_PERCENT = 5;

/** One scripted source message, in feed order (event-time order). */
export type ScriptStep =
  | { readonly kind: 'trade'; readonly time: number; readonly tradeId: number; readonly price: number; readonly size: number }
  | { readonly kind: 'correction'; readonly time: number; readonly tradeId: number; readonly correctedTradeId: number; readonly price: number; readonly size: number }
  | { readonly kind: 'cancel'; readonly time: number; readonly tradeId: number }
  | { readonly kind: 'status'; readonly time: number; readonly statusCode: string; readonly statusMessage: string; readonly reasonCode: string }
  | { readonly kind: 'daily'; readonly date: string; readonly open: number; readonly high: number; readonly low: number; readonly close: number; readonly volume: number };

/** Epoch ms of `clock` (`HH:MM:SS`) America/New_York on `date`: the 16:00 close minus the time to it. */
export function newYorkTime(date: string, clock: string): number {
  const [h = 0, m = 0, s = 0] = clock.split(':').map(Number);
  return sessionCloseEpochMs(date) - ((16 - h) * 3600 - m * 60 - s) * 1000;
}

/** The five sessions of the script, in order. */
export const SESSIONS = ['2020-08-28', '2020-08-31', '2020-11-25', '2020-11-27', '2020-11-30'] as const;

let nextId = 1001;
const trade = (date: string, clock: string, price: number, size: number): ScriptStep & { kind: 'trade' } => ({
  kind: 'trade',
  time: newYorkTime(date, clock),
  tradeId: nextId++,
  price,
  size,
});

const s1 = [trade('2020-08-28', '09:30:05', 500, 100), trade('2020-08-28', '09:30:40', 501, 50), trade('2020-08-28', '09:31:10', 502.5, 200), trade('2020-08-28', '09:32:30', 499, 100)];
const s2 = [trade('2020-08-31', '09:30:10', 126, 400), trade('2020-08-31', '09:31:05', 127.5, 300), trade('2020-08-31', '09:31:50', 131.5, 100), trade('2020-08-31', '09:32:20', 129, 200)];
const s3 = [
  trade('2020-11-25', '09:30:02', 115.5, 100),
  trade('2020-11-25', '09:30:30', 116, 200),
  trade('2020-11-25', '09:31:15', 116.2, 100), // corrected at 09:33:30 to 116.10 x 150
  trade('2020-11-25', '09:31:45', 116.4, 300),
  trade('2020-11-25', '09:32:10', 121, 100),
  trade('2020-11-25', '09:32:40', 120, 100),
  trade('2020-11-25', '09:33:20', 121.5, 50),
];
const s4 = [
  trade('2020-11-27', '12:57:10', 116.5, 100),
  trade('2020-11-27', '12:57:40', 116.8, 300), // cancelled at 12:59:40
  trade('2020-11-27', '12:58:05', 116.55, 200),
  trade('2020-11-27', '12:59:30', 116.7, 100), // corrected at 12:59:50, its minute still open
];
const s5 = [trade('2020-11-30', '09:30:05', 116.9, 100), trade('2020-11-30', '09:45:10', 110.5, 500), trade('2020-11-30', '09:45:40', 110, 200), trade('2020-11-30', '09:46:20', 111, 100)];

/** The whole feed, in event-time order. */
export const SCRIPT: readonly ScriptStep[] = [
  ...s1,
  { kind: 'daily', date: '2020-08-28', open: 500, high: 502.5, low: 499, close: 499.5, volume: 450 },
  ...s2,
  { kind: 'daily', date: '2020-08-31', open: 126, high: 131.5, low: 126, close: 129.04, volume: 1_000 },
  ...s3,
  { kind: 'correction', time: newYorkTime('2020-11-25', '09:33:30'), tradeId: s3[2]!.tradeId, correctedTradeId: 9001, price: 116.1, size: 150 },
  { kind: 'daily', date: '2020-11-25', open: 115.5, high: 121.5, low: 115.5, close: 116.03, volume: 1_000 },
  ...s4,
  { kind: 'cancel', time: newYorkTime('2020-11-27', '12:59:40'), tradeId: s4[1]!.tradeId },
  { kind: 'correction', time: newYorkTime('2020-11-27', '12:59:50'), tradeId: s4[3]!.tradeId, correctedTradeId: 9002, price: 116.58, size: 100 },
  { kind: 'daily', date: '2020-11-27', open: 116.5, high: 116.8, low: 116.5, close: 116.59, volume: 700 },
  s5[0]!,
  { kind: 'status', time: newYorkTime('2020-11-30', '09:30:20'), statusCode: 'H', statusMessage: 'Trading Halt', reasonCode: 'T12' },
  { kind: 'status', time: newYorkTime('2020-11-30', '09:44:00'), statusCode: 'Q', statusMessage: 'Quotation Resumption', reasonCode: 'T12' },
  { kind: 'status', time: newYorkTime('2020-11-30', '09:45:00'), statusCode: 'T', statusMessage: 'Trading Resumption', reasonCode: 'T12' },
  ...s5.slice(1),
  // A LULD pause after the last trade, never lifted: the symbol ends the script halted.
  { kind: 'status', time: newYorkTime('2020-11-30', '09:47:00'), statusCode: 'P', statusMessage: 'Volatility Trading Pause', reasonCode: 'LUDP' },
  { kind: 'daily', date: '2020-11-30', open: 116.9, high: 116.9, low: 110, close: 110.5, volume: 900 },
];

/**
 * The script as contract events for the Alpaca protocol test server (which sends each as its Alpaca
 * message: `t`, `c`, `x`, `s`, `d`).
 *
 * @param ingestTime epoch ms stamped on the events (the server does not send it; the client stamps its own)
 * @throws EventContractError when a step is not a valid event (a broken script)
 */
export function scriptEvents(ingestTime: number): MarketEvent[] {
  const symbol = SCENARIO_SYMBOL;
  const common = { ingestTime, source: 'alpaca' };
  return SCRIPT.map((step): MarketEvent => {
    switch (step.kind) {
      case 'trade':
        return buildEvent('market.trade.v1', {
          ...common,
          eventTime: step.time,
          payload: { symbol, price: step.price, size: step.size, aggressorSide: 'unknown', venue: 'D', tradeId: String(step.tradeId), conditions: ['@'] },
        });
      case 'correction': {
        const original = tradeById(step.tradeId);
        return buildEvent('market.trade-correction.v1', {
          ...common,
          eventTime: step.time,
          payload: {
            symbol,
            originalTradeId: String(step.tradeId),
            originalPrice: original.price,
            originalSize: original.size,
            correctedTradeId: String(step.correctedTradeId),
            correctedPrice: step.price,
            correctedSize: step.size,
            venue: 'D',
            tape: 'C',
          },
        });
      }
      case 'cancel': {
        const original = tradeById(step.tradeId);
        return buildEvent('market.trade-cancel.v1', {
          ...common,
          eventTime: step.time,
          payload: { symbol, tradeId: String(step.tradeId), price: original.price, size: original.size, action: 'cancel', venue: 'D', tape: 'C' },
        });
      }
      case 'status':
        return buildEvent('market.trading-status.v1', {
          ...common,
          eventTime: step.time,
          payload: { symbol, statusCode: step.statusCode, statusMessage: step.statusMessage, reasonCode: step.reasonCode, state: tradingStateOf(step.statusCode), tape: 'C' },
        });
      case 'daily':
        return buildEvent('market.bar.daily.v1', {
          ...common,
          eventTime: sessionCloseEpochMs(step.date),
          payload: {
            symbol,
            tradingDate: step.date,
            open: step.open,
            high: step.high,
            low: step.low,
            close: step.close,
            adjustedClose: step.close,
            volume: step.volume,
            dividendAmount: 0,
            splitCoefficient: 1,
          },
        });
    }
  });
}

function tradeById(tradeId: number): ScriptStep & { kind: 'trade' } {
  const found = SCRIPT.find((s): s is ScriptStep & { kind: 'trade' } => s.kind === 'trade' && s.tradeId === tradeId);
  if (!found) throw new Error(`no scripted trade ${tradeId}`);
  return found;
}

/** Records each raw topic must receive from the script. */
export function expectedRawCounts(): Record<string, number> {
  const count = (kind: ScriptStep['kind']) => SCRIPT.filter((s) => s.kind === kind).length;
  return {
    'market.trades.v1': count('trade'),
    'market.trade-corrections.v1': count('correction'),
    'market.trade-cancels.v1': count('cancel'),
    'market.trading-status.v1': count('status'),
    'market.bars.daily.v1': count('daily'),
  };
}

/** The exchange calendar's data file (exchange_calendars XNYS), read as data. */
interface CalendarFile {
  readonly closedWeekdays: readonly string[];
  readonly irregularSessions: readonly { date: string; open: string; close: string }[];
}

/** libs/indicators/src/sessions/xnys-calendar.json. */
export function readCalendarFile(): CalendarFile {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'libs/indicators/src/sessions/xnys-calendar.json'), 'utf8')) as CalendarFile;
}

/** The session before `date` by the calendar file: the latest earlier weekday that is not closed. */
export function previousSessionOf(date: string, calendar: CalendarFile): string {
  const closed = new Set(calendar.closedWeekdays);
  const day = new Date(`${date}T12:00:00Z`);
  for (;;) {
    day.setUTCDate(day.getUTCDate() - 1);
    const iso = day.toISOString().slice(0, 10);
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6 && !closed.has(iso)) return iso;
  }
}

/** A session's previous close as the feed must report it. */
export interface ExpectedPreviousClose {
  readonly previousClose: number;
  readonly previousCloseDate: string;
  readonly previousCloseStale: boolean;
}

/** An enriched trade as the feed must report it. */
export interface ExpectedEnrichedTrade extends ExpectedPreviousClose {
  readonly eventTime: number;
  readonly tradeId: string;
  readonly lastPrice: number;
  readonly changePercent: number;
}

/** A `price-change-threshold` alert as the feed must report it. */
export interface ExpectedAlert {
  readonly eventTime: number;
  readonly direction: 'up' | 'down';
  readonly price: number;
  readonly previousClose: number;
  readonly changePercent: number;
}

/** A publication of a 1-minute bar on market.bars.1m.v1. */
export interface ExpectedBar extends Omit<ReferenceBar, 'symbol'> {
  readonly id: string;
  /** Absent on the first publication. */
  readonly revision?: number;
}

/** A correction or cancel as the feed must report it (market.correction.v1). */
export interface ExpectedCorrection {
  readonly eventTime: number;
  readonly kind: 'correction' | 'cancel';
  readonly tradeId: string;
  readonly outcome: 'restated' | 'pending';
  readonly barId: string;
  readonly barRevision?: number;
}

/** A trading status as the feed must report it (market.halt.v1). */
export interface ExpectedStatus {
  readonly eventTime: number;
  readonly statusCode: string;
  readonly halted: boolean;
}

/** Everything the feed must report for the script. */
export interface ExpectedFeed {
  readonly previousCloses: ReadonlyMap<string, ExpectedPreviousClose>;
  readonly enrichedTrades: readonly ExpectedEnrichedTrade[];
  /** Intraday (trade) and daily-close alerts, in event-time order. */
  readonly alerts: readonly ExpectedAlert[];
  /** Every publication (first and restatements), in publication order. */
  readonly barPublications: readonly ExpectedBar[];
  /** The latest publication per bar id. */
  readonly finalBars: ReadonlyMap<string, ExpectedBar>;
  readonly corrections: readonly ExpectedCorrection[];
  readonly statuses: readonly ExpectedStatus[];
  /** Last trade of the script and its change versus its session's previous close. */
  readonly last: { readonly price: number; readonly changePercent: number };
}

/**
 * What the pipeline must deliver for {@link SCRIPT}, computed from the script, `reference` (the symbol's
 * rows of the S&P 500 daily file: seed closes, splits, dividends) and the calendar file, with the
 * rules customers are promised in the README ("Sessions, the official close and corporate actions",
 * "Corrections, cancels and halts"):
 * - previous close of a session = the latest close before it, the feed's daily-bar close when at least
 *   as recent as the latest reference row, else that row; then for every reference row after the close's
 *   date up to the session, oldest first, `(close - dividend) / split`; stale when the close's date is
 *   before the calendar's previous session;
 * - change % = (price - previous close) / previous close * 100; an alert when it reaches +-5 % and the
 *   symbol was not already beyond that band in the session (back inside re-arms; each session and the
 *   daily close start armed);
 * - a 1-minute bar is published when a later trade or the session's daily bar passes its end; a
 *   correction or cancel of a published bar's trade publishes it again as revision n + 1, one of an open
 *   minute changes the bar before its publication (`pending`);
 * - H (halt), Q (quotation resumption) and P (LULD pause) leave the symbol halted, T resumes it.
 *
 * @throws Error when the script needs a reference row that `reference` lacks
 */
export function expectedFeed(reference: readonly RawDailyRow[], calendar: CalendarFile): ExpectedFeed {
  const rows = [...reference].sort((a, b) => a.date.localeCompare(b.date));
  const feedCloses: { date: string; close: number }[] = [];
  const previousCloses = new Map<string, ExpectedPreviousClose>();
  const previousCloseOf = (session: string): ExpectedPreviousClose => {
    const known = previousCloses.get(session);
    if (known) return known;
    const feed = feedCloses.filter((c) => c.date < session).at(-1);
    const seed = rows.filter((r) => r.date < session).at(-1);
    if (!feed && !seed) throw new Error(`no close before ${session}`);
    const base = feed && (!seed || feed.date >= seed.date) ? feed : { date: seed!.date, close: seed!.close };
    let close = base.close;
    for (const action of rows.filter((r) => r.date > base.date && r.date <= session)) close = (close - action.dividend) / action.split;
    const result = { previousClose: close, previousCloseDate: base.date, previousCloseStale: base.date < previousSessionOf(session, calendar) };
    previousCloses.set(session, result);
    return result;
  };
  const dateOf = (time: number) => SESSIONS.find((d) => time >= newYorkTime(d, '04:00:00') && time < newYorkTime(d, '20:00:00'))!;
  const percent = (price: number, previousClose: number) => ((price - previousClose) / previousClose) * 100;

  const enrichedTrades: ExpectedEnrichedTrade[] = [];
  const alerts: ExpectedAlert[] = [];
  const zones = new Map<string, 'inside' | 'above' | 'below'>();
  const alertOn = (key: string, time: number, price: number, reference: ExpectedPreviousClose) => {
    const change = percent(price, reference.previousClose);
    const zone = zones.get(key) ?? 'inside';
    const next = change >= THRESHOLD_PERCENT ? 'above' : change <= -THRESHOLD_PERCENT ? 'below' : 'inside';
    zones.set(key, next);
    if (next !== 'inside' && next !== zone && !reference.previousCloseStale) {
      alerts.push({ eventTime: time, direction: next === 'above' ? 'up' : 'down', price, previousClose: reference.previousClose, changePercent: change });
    }
  };

  // Bars: the trades of each minute (by id), published or not, and the publications.
  const minutes = new Map<number, { trades: Map<number, { time: number; price: number; size: number }>; revision: number | undefined }>();
  const barPublications: ExpectedBar[] = [];
  const publish = (startTime: number) => {
    const minute = minutes.get(startTime)!;
    const trades = [...minute.trades.values()].sort((a, b) => a.time - b.time);
    const volume = trades.reduce((sum, t) => sum + t.size, 0);
    barPublications.push({
      id: `${SCENARIO_SYMBOL}:${startTime}`,
      startTime,
      open: trades[0]!.price,
      high: Math.max(...trades.map((t) => t.price)),
      low: Math.min(...trades.map((t) => t.price)),
      close: trades.at(-1)!.price,
      volume,
      vwap: trades.reduce((sum, t) => sum + t.price * t.size, 0) / volume,
      tradeCount: trades.length,
      ...(minute.revision === undefined ? {} : { revision: minute.revision }),
    });
  };
  const published = new Set<number>();
  const closeMinutesBefore = (time: number) => {
    for (const startTime of [...minutes.keys()].sort((a, b) => a - b)) {
      if (!published.has(startTime) && startTime + 60_000 <= time) {
        published.add(startTime);
        publish(startTime);
      }
    }
  };
  const corrections: ExpectedCorrection[] = [];
  const amend = (time: number, kind: 'correction' | 'cancel', tradeId: number, replacement?: { id: number; price: number; size: number }) => {
    const startTime = [...minutes.keys()].find((s) => minutes.get(s)!.trades.has(tradeId))!;
    const minute = minutes.get(startTime)!;
    const original = minute.trades.get(tradeId)!;
    minute.trades.delete(tradeId);
    if (replacement) minute.trades.set(replacement.id, { time: original.time, price: replacement.price, size: replacement.size });
    const barId = `${SCENARIO_SYMBOL}:${startTime}`;
    if (published.has(startTime)) {
      minute.revision = (minute.revision ?? 0) + 1;
      publish(startTime);
      corrections.push({ eventTime: time, kind, tradeId: String(tradeId), outcome: 'restated', barId, barRevision: minute.revision });
    } else {
      corrections.push({ eventTime: time, kind, tradeId: String(tradeId), outcome: 'pending', barId });
    }
  };

  const statuses: ExpectedStatus[] = [];
  let last = { price: 0, changePercent: 0 };
  for (const step of SCRIPT) {
    switch (step.kind) {
      case 'trade': {
        closeMinutesBefore(step.time);
        const session = dateOf(step.time);
        const reference = previousCloseOf(session);
        const changePercent = percent(step.price, reference.previousClose);
        enrichedTrades.push({ eventTime: step.time, tradeId: String(step.tradeId), lastPrice: step.price, changePercent, ...reference });
        alertOn(`trade ${session}`, step.time, step.price, reference);
        const startTime = Math.floor(step.time / 60_000) * 60_000;
        if (!minutes.has(startTime)) minutes.set(startTime, { trades: new Map(), revision: undefined });
        minutes.get(startTime)!.trades.set(step.tradeId, { time: step.time, price: step.price, size: step.size });
        last = { price: step.price, changePercent };
        break;
      }
      case 'correction':
        amend(step.time, 'correction', step.tradeId, { id: step.correctedTradeId, price: step.price, size: step.size });
        break;
      case 'cancel':
        amend(step.time, 'cancel', step.tradeId);
        break;
      case 'status':
        statuses.push({ eventTime: step.time, statusCode: step.statusCode, halted: ['H', 'Q', 'P'].includes(step.statusCode) });
        break;
      case 'daily': {
        const time = sessionCloseEpochMs(step.date);
        closeMinutesBefore(time);
        alertOn(`daily ${step.date}`, time, step.close, previousCloseOf(step.date));
        feedCloses.push({ date: step.date, close: step.close });
        break;
      }
    }
  }
  const finalBars = new Map(barPublications.map((bar) => [bar.id, bar]));
  return { previousCloses, enrichedTrades, alerts, barPublications, finalBars, corrections, statuses, last };
}
