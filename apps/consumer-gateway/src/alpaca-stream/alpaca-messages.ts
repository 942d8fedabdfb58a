import type { CorrectionV1Event, HaltV1Event } from '@tickwire/contracts';
import {
  type AlpacaBarMessage,
  type AlpacaCancelErrorMessage,
  type AlpacaCorrectionMessage,
  type AlpacaQuoteMessage,
  type AlpacaStatusMessage,
  type AlpacaStockChannel,
  type AlpacaTradeMessage,
  type AlpacaUpdatedBarMessage,
  epochNsToRfc3339,
} from '@tickwire/market-sources';
import type { CustomerEvent } from '@tickwire/subscriptions';

/** A correction whose original or corrected trade id is not a decimal number carries no `oi` / `ci`. */
export type AlpacaOutgoingCorrection = Omit<AlpacaCorrectionMessage, 'oi' | 'ci'> & { readonly oi?: number; readonly ci?: number };
/** A cancel/error whose trade id is not a decimal number carries no `i`. */
export type AlpacaOutgoingCancelError = Omit<AlpacaCancelErrorMessage, 'i'> & { readonly i?: number };

/** Every data message `/v2/tickwire` sends. */
export type AlpacaDataMessage =
  | AlpacaTradeMessage
  | AlpacaQuoteMessage
  | AlpacaBarMessage
  | AlpacaUpdatedBarMessage
  | AlpacaOutgoingCorrection
  | AlpacaOutgoingCancelError
  | AlpacaStatusMessage;

/**
 * ISO 10383 MIC -> the one-letter exchange code Alpaca writes in `x`, `bx`, `ax` (the CTA/UTP
 * participant ids of Alpaca's "Stock Exchanges" list, e.g. Q = Nasdaq, N = NYSE, V = IEX). A venue not
 * listed here (e.g. a code an Alpaca source already wrote) is passed through unchanged.
 */
const ALPACA_EXCHANGE_OF_MIC: Readonly<Record<string, string>> = {
  XASE: 'A',
  XBOS: 'B',
  XCIS: 'C',
  EPRL: 'H',
  EDGA: 'J',
  EDGX: 'K',
  LTSE: 'L',
  XCHI: 'M',
  XNYS: 'N',
  ARCX: 'P',
  XNAS: 'Q',
  MEMX: 'U',
  IEXG: 'V',
  XPHL: 'X',
  BATY: 'Y',
  BATS: 'Z',
};

/** Alpaca's exchange code of a contract `venue`, or undefined when there is none. */
export function alpacaExchangeOf(venue: string | undefined): string | undefined {
  return venue === undefined ? undefined : (ALPACA_EXCHANGE_OF_MIC[venue] ?? venue);
}

/** A decimal trade id as Alpaca's integer `i`, or undefined when it is not one (or beyond 2^53). */
function tradeIdNumber(id: string | undefined): number | undefined {
  if (id === undefined || !/^\d{1,16}$/.test(id)) return undefined;
  const value = Number(id);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Epoch ns (decimal string) of an event: the envelope's exact `eventTimeNs`, else `eventTime` (ms) x 10^6. */
function eventTimeNsOf(event: CustomerEvent): string {
  return event.eventTimeNs ?? `${event.eventTime}000000`;
}

/**
 * The Alpaca data message of a customer event on one Alpaca channel, or null when the event is not
 * of that channel (e.g. a restated bar on `bars`, an enriched quote on `trades`). Fields per Alpaca's
 * "Real-time Stock Data" page and alpaca-py `alpaca/data/mappings.py`; `t` is RFC 3339 UTC with 9
 * fractional digits (the codec writes it as a msgpack timestamp where msgpack was negotiated):
 *
 * - `trades` <- enriched trade: `t` `S` `i` (tradeId when decimal, else the source sequence, e.g. the
 *   LOBSTER row) `x` (venue as Alpaca's exchange code, see {@link alpacaExchangeOf}) `p` USD `s` shares `c` conditions.
 * - `quotes` <- enriched quote: `q` `S` `bx`/`ax` (the quote's venue) `bp` `bs` `ap` `as` (USD, shares).
 * - `bars` <- a bar's first publication, `updatedBars` <- its restatements (revision >= 1): `b` / `u`
 *   with `o h l c` USD, `v` shares, `vw` VWAP USD, `n` trade count, `t` the minute's START (as Alpaca).
 * - `corrections` <- a correction: `c` with `oi op os` (original id, USD, shares) and `ci cp cs`.
 * - `cancelErrors` <- a cancel (`a` = `C`) or error (`a` = `E`): `x` with `i p s` of the withdrawn trade.
 * - `statuses` <- a halt/status: `s` with `sc sm rc rm` as the source reported them.
 * - `dailyBars`, `lulds`: no customer topic carries them; alerts have no Alpaca message: always null.
 *
 * Tape `z` is not sent: the contracts do not carry it. Enrichment (previous close, change %, moving
 * averages) has no Alpaca field and stays on `/v1/stream`.
 */
export function alpacaMessageOf(channel: AlpacaStockChannel, event: CustomerEvent): AlpacaDataMessage | null {
  switch (event.schema) {
    case 'market.enriched.v1': {
      const payload = event.payload;
      const t = epochNsToRfc3339(eventTimeNsOf(event));
      if (payload.kind === 'trade' && channel === 'trades') {
        const trade = payload.trade;
        const i = tradeIdNumber(trade.tradeId) ?? trade.sequence;
        const x = alpacaExchangeOf(trade.venue);
        return {
          T: 't',
          S: trade.symbol,
          ...(i === undefined ? {} : { i }),
          ...(x === undefined ? {} : { x }),
          p: trade.price,
          s: trade.size,
          ...(trade.conditions === undefined ? {} : { c: trade.conditions }),
          t,
        };
      }
      if (payload.kind === 'quote' && channel === 'quotes') {
        const quote = payload.quote;
        const exchange = alpacaExchangeOf(quote.venue);
        return {
          T: 'q',
          S: quote.symbol,
          ...(exchange === undefined ? {} : { bx: exchange }),
          bp: quote.bidPrice,
          bs: quote.bidSize,
          ...(exchange === undefined ? {} : { ax: exchange }),
          ap: quote.askPrice,
          as: quote.askSize,
          t,
        };
      }
      return null;
    }
    case 'market.bar.1m.v1': {
      const bar = event.payload;
      const restated = bar.revision !== undefined;
      if ((channel === 'bars' && restated) || (channel === 'updatedBars' && !restated) || (channel !== 'bars' && channel !== 'updatedBars')) return null;
      return {
        T: restated ? 'u' : 'b',
        S: bar.symbol,
        o: bar.open,
        h: bar.high,
        l: bar.low,
        c: bar.close,
        v: bar.volume,
        vw: bar.vwap,
        n: bar.tradeCount,
        t: epochNsToRfc3339(`${bar.startTime}000000`),
      };
    }
    case 'market.correction.v1':
      return correctionMessageOf(channel, event);
    case 'market.halt.v1':
      return channel === 'statuses' ? statusMessageOf(event) : null;
    case 'market.alert.v1':
      return null;
  }
}

function correctionMessageOf(channel: AlpacaStockChannel, event: CorrectionV1Event): AlpacaOutgoingCorrection | AlpacaOutgoingCancelError | null {
  const c = event.payload;
  const t = epochNsToRfc3339(eventTimeNsOf(event));
  const oi = tradeIdNumber(c.tradeId);
  if (c.kind === 'correction') {
    if (channel !== 'corrections' || c.correctedPrice === undefined || c.correctedSize === undefined) return null;
    const ci = tradeIdNumber(c.correctedTradeId);
    return {
      T: 'c',
      S: c.symbol,
      ...(oi === undefined ? {} : { oi }),
      op: c.originalPrice,
      os: c.originalSize,
      ...(ci === undefined ? {} : { ci }),
      cp: c.correctedPrice,
      cs: c.correctedSize,
      t,
    };
  }
  if (channel !== 'cancelErrors') return null;
  return { T: 'x', S: c.symbol, ...(oi === undefined ? {} : { i: oi }), p: c.originalPrice, s: c.originalSize, a: c.kind === 'cancel' ? 'C' : 'E', t };
}

function statusMessageOf(event: HaltV1Event): AlpacaStatusMessage {
  const h = event.payload;
  return {
    T: 's',
    S: h.symbol,
    sc: h.statusCode,
    ...(h.statusMessage === undefined ? {} : { sm: h.statusMessage }),
    ...(h.reasonCode === undefined ? {} : { rc: h.reasonCode }),
    ...(h.reasonMessage === undefined ? {} : { rm: h.reasonMessage }),
    t: epochNsToRfc3339(eventTimeNsOf(event)),
  };
}
