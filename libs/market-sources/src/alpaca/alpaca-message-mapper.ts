import { BAR_1M_INTERVAL_MS, TOPICS, epochNsToEpochMs, sessionCloseEpochMs, tradingStateOf, type TopicName } from '@tickwire/contracts';
import { buildEventRecord, rejectedRecord, type RecordOrigin, type SourceRecord } from '../core/source-record';
import { rfc3339ToEpochNs } from './alpaca-protocol';

/** Envelope `source` of events received from Alpaca. */
export const ALPACA_SOURCE = 'alpaca';

/** Where and when a message was received, for the envelope and for dead letters. */
export interface AlpacaReceipt {
  /** Epoch ms UTC: the envelope `ingestTime`. */
  readonly receivedAt: number;
  /** e.g. `alpaca wss://stream.data.alpaca.markets/v2/iex`. */
  readonly origin: string;
}

type Fields = Readonly<Record<string, unknown>>;

const TOPIC_OF_TYPE: Readonly<Record<string, TopicName>> = {
  t: TOPICS.trades,
  q: TOPICS.quotes,
  b: TOPICS.barsSource1m,
  d: TOPICS.barsDaily,
  c: TOPICS.tradeCorrections,
  x: TOPICS.tradeCancels,
  s: TOPICS.tradingStatus,
};

/** Alpaca cancel/error action `a` -> contract action (Alpaca "Real-time Stock Data", Cancels/Errors: C = cancel, E = error). */
const CANCEL_ACTIONS: Readonly<Record<string, 'cancel' | 'error'>> = { C: 'cancel', E: 'error' };

/** Catalog topic of an Alpaca data message type (`t`, `q`, `b`, `d`, `c`, `x`, `s`), or null for any other `T`. */
export function alpacaTopicOf(type: unknown): TopicName | null {
  return typeof type === 'string' ? (TOPIC_OF_TYPE[type] ?? null) : null;
}

/**
 * Maps one Alpaca data message (`T` = `t`, `q`, `b`, `d`, `c`, `x` or `s`; fields per Alpaca's "Real-time
 * Stock Data" page and alpaca-py `alpaca/data/mappings.py`) to a contract event record, or to a
 * rejected record with the reason (the message re-serialised as `raw`):
 *
 * - trade `t` -> `market.trade.v1`: price `p` USD, size `s` shares, venue `x`, tradeId `String(i)`
 *   (part of the id), conditions `c`, aggressorSide `unknown` (Alpaca does not report it).
 * - quote `q` -> `market.quote.v1`: bid `bp`/`bs`, ask `ap`/`as` (shares), venue when `bx === ax`.
 *   No sequence: two quotes of a symbol in the same nanosecond share an id (the later wins downstream).
 *   Crossed NBBO quotes and zero-price sides are rejected, as the contract requires.
 * - bar `b` -> `market.bar.source.1m.v1` on `market.bars.source.1m.v1` (the SOURCE's bar, never the
 *   enricher's `market.bars.1m.v1`): `t` is the bar START; startTime = t, endTime = eventTime = t + 60 s,
 *   o/h/l/c USD, vwap `vw` USD, volume `v` shares, tradeCount `n`; id `alpaca:<symbol>:<startTime>`.
 * - daily bar `d` -> `market.bar.daily.v1` on `market.bars.daily.v1`, the session's official close for the
 *   enricher: `t` is the start of the day, tradingDate = its America/New_York date, eventTime = 16:00 New
 *   York of that date (the contract's session close), o/h/l/c USD, volume `v`; adjustedClose = close,
 *   dividendAmount 0, splitCoefficient 1 (Alpaca's stream carries no corporate actions: they come from the
 *   reference data). Alpaca sends the day's bar again as it grows during the session, each with the same
 *   id; `AlpacaSource` holds them back to the session close (`DailyBarHold`) and the enricher keeps
 *   the latest per date (see the README, "Sessions").
 * - correction `c` -> `market.trade-correction.v1`: original `oi`/`op`/`os`/`oc`, corrected `ci`/`cp`/`cs`/`cc`
 *   (ids as decimal strings), venue `x`, tape `z`.
 * - cancel/error `x` -> `market.trade-cancel.v1`: trade `i`, `p` USD, `s` shares, action `a` (`C` -> cancel,
 *   `E` -> error; any other value is rejected), venue `x`, tape `z`.
 * - trading status `s` -> `market.trading-status.v1`: `sc`/`sm`/`rc`/`rm`, tape `z`, state derived from `sc`
 *   by `tradingStateOf` (halted / quoting / trading / other).
 *
 * `t` is converted to exact epoch ns ({@link rfc3339ToEpochNs}); `eventTime` is that rounded half up to ms.
 * Never throws.
 */
export function mapAlpacaDataMessage(message: Fields, receipt: AlpacaReceipt): SourceRecord {
  const type = String(message['T']);
  const topic = TOPIC_OF_TYPE[type] ?? null;
  const symbol = typeof message['S'] === 'string' ? message['S'] : undefined;
  const origin = (): RecordOrigin => ({ source: ALPACA_SOURCE, raw: JSON.stringify(message), origin: receipt.origin, symbol, receivedAt: receipt.receivedAt });
  if (topic === null) return rejectedRecord(null, 'SchemaViolation', `unsupported Alpaca message type T=${JSON.stringify(message['T'])}`, origin());
  if (typeof message['t'] !== 'string') return rejectedRecord(topic, 'SchemaViolation', `t (timestamp) must be an RFC 3339 string, got ${describe(message['t'])}`, origin());
  let eventTimeNs: string;
  try {
    eventTimeNs = rfc3339ToEpochNs(message['t']);
  } catch (error) {
    return rejectedRecord(topic, 'SchemaViolation', `t: ${(error as Error).message}`, origin());
  }
  const eventTime = epochNsToEpochMs(eventTimeNs);
  const common = { ingestTime: receipt.receivedAt, source: ALPACA_SOURCE };

  if (type === 't') {
    const id = message['i'];
    if (id !== undefined && typeof id !== 'number' && typeof id !== 'string') {
      return rejectedRecord(topic, 'SchemaViolation', `i (trade id) must be a number or string, got ${describe(id)}`, origin());
    }
    return buildEventRecord(
      'market.trade.v1',
      {
        ...common,
        eventTime,
        eventTimeNs,
        payload: {
          symbol: symbol as string,
          price: message['p'] as number,
          size: message['s'] as number,
          aggressorSide: 'unknown',
          ...definedOnly({ venue: optionalString(message['x']), tradeId: id === undefined ? undefined : String(id), conditions: message['c'] as string[] | undefined }),
        },
      },
      origin,
    );
  }

  if (type === 'q') {
    const bidVenue = optionalString(message['bx']);
    return buildEventRecord(
      'market.quote.v1',
      {
        ...common,
        eventTime,
        eventTimeNs,
        payload: {
          symbol: symbol as string,
          bidPrice: message['bp'] as number,
          bidSize: message['bs'] as number,
          askPrice: message['ap'] as number,
          askSize: message['as'] as number,
          ...definedOnly({ venue: bidVenue !== undefined && bidVenue === message['ax'] ? bidVenue : undefined }),
        },
      },
      origin,
    );
  }

  if (type === 'c') {
    for (const key of ['oi', 'ci'] as const) {
      if (typeof message[key] !== 'number' && typeof message[key] !== 'string') {
        return rejectedRecord(topic, 'SchemaViolation', `${key} (trade id) must be a number or string, got ${describe(message[key])}`, origin());
      }
    }
    return buildEventRecord(
      'market.trade-correction.v1',
      {
        ...common,
        eventTime,
        eventTimeNs,
        payload: {
          symbol: symbol as string,
          originalTradeId: String(message['oi']),
          originalPrice: message['op'] as number,
          originalSize: message['os'] as number,
          correctedTradeId: String(message['ci']),
          correctedPrice: message['cp'] as number,
          correctedSize: message['cs'] as number,
          ...definedOnly({
            venue: optionalString(message['x']),
            tape: optionalString(message['z']),
            originalConditions: message['oc'] as string[] | undefined,
            correctedConditions: message['cc'] as string[] | undefined,
          }),
        },
      },
      origin,
    );
  }

  if (type === 'x') {
    const id = message['i'];
    if (typeof id !== 'number' && typeof id !== 'string') return rejectedRecord(topic, 'SchemaViolation', `i (trade id) must be a number or string, got ${describe(id)}`, origin());
    const action = typeof message['a'] === 'string' ? CANCEL_ACTIONS[message['a']] : undefined;
    if (action === undefined) return rejectedRecord(topic, 'SchemaViolation', `a (action) must be "C" (cancel) or "E" (error), got ${describe(message['a'])}`, origin());
    return buildEventRecord(
      'market.trade-cancel.v1',
      {
        ...common,
        eventTime,
        eventTimeNs,
        payload: {
          symbol: symbol as string,
          tradeId: String(id),
          price: message['p'] as number,
          size: message['s'] as number,
          action,
          ...definedOnly({ venue: optionalString(message['x']), tape: optionalString(message['z']) }),
        },
      },
      origin,
    );
  }

  if (type === 's') {
    const statusCode = message['sc'];
    if (typeof statusCode !== 'string' || statusCode.length === 0) return rejectedRecord(topic, 'SchemaViolation', `sc (status code) must be a non-empty string, got ${describe(statusCode)}`, origin());
    return buildEventRecord(
      'market.trading-status.v1',
      {
        ...common,
        eventTime,
        eventTimeNs,
        payload: {
          symbol: symbol as string,
          statusCode,
          state: tradingStateOf(statusCode),
          ...definedOnly({
            statusMessage: optionalString(message['sm']),
            reasonCode: optionalString(message['rc']),
            reasonMessage: optionalString(message['rm']),
            tape: optionalString(message['z']),
          }),
        },
      },
      origin,
    );
  }

  if (type === 'd') {
    const tradingDate = NEW_YORK_DATE.format(eventTime);
    return buildEventRecord(
      'market.bar.daily.v1',
      {
        ...common,
        eventTime: sessionCloseEpochMs(tradingDate),
        payload: {
          symbol: symbol as string,
          tradingDate,
          ...ohlcOf(message),
          adjustedClose: message['c'] as number,
          volume: message['v'] as number,
          dividendAmount: 0,
          splitCoefficient: 1,
        },
      },
      origin,
    );
  }

  // Bars: Alpaca stamps the start of the minute; the contract's eventTime is the end.
  const startTime = eventTime;
  if (startTime % BAR_1M_INTERVAL_MS !== 0) {
    return rejectedRecord(topic, 'SchemaViolation', `t of a minute bar must be minute-aligned, got ${String(message['t'])}`, origin());
  }
  return buildEventRecord(
    'market.bar.source.1m.v1',
    {
      ...common,
      eventTime: startTime + BAR_1M_INTERVAL_MS,
      payload: {
        symbol: symbol as string,
        startTime,
        endTime: startTime + BAR_1M_INTERVAL_MS,
        ...ohlcOf(message),
        vwap: message['vw'] as number,
        volume: message['v'] as number,
        tradeCount: message['n'] as number,
      },
    },
    origin,
  );
}

/**
 * The trading date (`YYYY-MM-DD`, America/New_York) of an Alpaca daily bar message `d` (its `t` is the start
 * of the day), or undefined when `t` is not a valid RFC 3339 timestamp (mapping then rejects the message).
 */
export function alpacaDailyBarDateOf(message: Fields): string | undefined {
  if (typeof message['t'] !== 'string') return undefined;
  try {
    return NEW_YORK_DATE.format(epochNsToEpochMs(rfc3339ToEpochNs(message['t'])));
  } catch {
    return undefined;
  }
}

/** A bar message's `o`/`h`/`l`/`c` (USD) as contract fields, unchecked (the contract validates them). */
function ohlcOf(message: Fields): { open: number; high: number; low: number; close: number } {
  return { open: message['o'] as number, high: message['h'] as number, low: message['l'] as number, close: message['c'] as number };
}

/** `YYYY-MM-DD` in America/New_York (en-CA formats dates as ISO). */
const NEW_YORK_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Drops undefined optional fields, so events carry no `key: undefined` (they compare equal to their JSON round trip). */
function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value) ?? typeof value;
}
