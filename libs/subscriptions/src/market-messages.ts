import type { AlertV1Event, Bar1mV1Event, CorrectionV1Event, EnrichedV1Event, HaltV1Event } from '@tickwire/contracts';
import type { Channel } from './channels';
import type { FilterFieldTypes, FilterValue } from './filter-expression';

/** A customer-facing data frame of `/v1/stream`. `data` is the contract payload (or the raw trade/quote). */
export interface DataFrame {
  /** `trade`, `quote`, `enriched`, `bar` (a restatement carries `data.revision`), `alert`, `correction` or `status`. */
  type: 'trade' | 'quote' | 'enriched' | 'bar' | 'alert' | 'correction' | 'status';
  symbol: string;
  /** Event time, epoch ms UTC (bars: the end of the minute). */
  eventTime: number;
  /**
   * When Tickwire first received the raw record behind it, epoch ms UTC (the envelope's `ingestTime`;
   * bars and bar alerts: that of the trade or clock advance that closed the bar). Receive time minus
   * ingestTime is the feed's end-to-end latency.
   */
  ingestTime: number;
  /** The event's id (deterministic; a client can de-duplicate on it). */
  id: string;
  data: unknown;
}

/** One event routed to one channel: the frame plus what fan-out, conflation and filters need. */
export interface RoutedMessage {
  channel: Channel;
  symbol: string;
  eventTime: number;
  /** Conflation key: `<channel>:<symbol>`, or unique per alert (alerts are never merged). */
  conflationKey: string;
  frame: DataFrame;
}

/** The customer events the gateway fans out. */
export type CustomerEvent = EnrichedV1Event | Bar1mV1Event | AlertV1Event | CorrectionV1Event | HaltV1Event;

/**
 * Routes a validated customer event to its channels: an enriched trade to `enriched` and `trades`,
 * an enriched quote to `enriched` and `quotes`, a 1-minute bar to `bars`, an alert to `alerts`, a
 * correction or cancel to `corrections`, a trading status to `statuses`. Alerts, corrections,
 * statuses and restated bars are never conflated (each has its own key): a slow client must not lose
 * a restatement to the next minute's bar.
 */
export function routeEvent(event: CustomerEvent): RoutedMessage[] {
  const { eventTime, ingestTime, id } = event;
  const symbol = event.payload.symbol;
  const message = (channel: Channel, type: DataFrame['type'], data: unknown, conflationKey = `${channel}:${symbol}`): RoutedMessage => ({
    channel,
    symbol,
    eventTime,
    conflationKey,
    frame: { type, symbol, eventTime, ingestTime, id, data },
  });
  switch (event.schema) {
    case 'market.enriched.v1': {
      const payload = event.payload;
      const raw = payload.kind === 'trade' ? message('trades', 'trade', payload.trade) : message('quotes', 'quote', payload.quote);
      return [message('enriched', 'enriched', payload), raw];
    }
    case 'market.bar.1m.v1':
      return [
        event.payload.revision === undefined
          ? message('bars', 'bar', event.payload)
          : message('bars', 'bar', event.payload, `bars:${id}:${event.payload.revision}`),
      ];
    case 'market.alert.v1':
      return [message('alerts', 'alert', event.payload, `alerts:${id}`)];
    case 'market.correction.v1':
      return [message('corrections', 'correction', event.payload, `corrections:${id}`)];
    case 'market.halt.v1':
      return [message('statuses', 'status', event.payload, `statuses:${id}`)];
  }
}

/** Filterable fields of enriched events (`price` = lastPrice, as in AppSync examples). */
export const ENRICHED_FILTER_FIELDS: FilterFieldTypes = {
  symbol: 'symbol',
  kind: 'string',
  price: 'number',
  lastPrice: 'number',
  changePercent: 'number',
  bidPrice: 'number',
  askPrice: 'number',
  previousClose: 'number',
  eventTime: 'number',
};
/** Filterable fields of 1-minute bars (`price` = close). */
export const BAR_FILTER_FIELDS: FilterFieldTypes = {
  symbol: 'symbol',
  price: 'number',
  open: 'number',
  high: 'number',
  low: 'number',
  close: 'number',
  vwap: 'number',
  volume: 'number',
  tradeCount: 'number',
  eventTime: 'number',
};
/** Filterable fields of alerts (`price` and `changePercent` exist on price-change-threshold alerts only). */
export const ALERT_FILTER_FIELDS: FilterFieldTypes = {
  symbol: 'symbol',
  alertType: 'string',
  direction: 'string',
  cross: 'string',
  price: 'number',
  changePercent: 'number',
  eventTime: 'number',
};

/** Filterable fields of corrections (`price` = correctedPrice, else originalPrice). */
export const CORRECTION_FILTER_FIELDS: FilterFieldTypes = {
  symbol: 'symbol',
  kind: 'string',
  outcome: 'string',
  price: 'number',
  eventTime: 'number',
};
/** Filterable fields of trading statuses. */
export const STATUS_FILTER_FIELDS: FilterFieldTypes = {
  symbol: 'symbol',
  state: 'string',
  statusCode: 'string',
  reasonCode: 'string',
  eventTime: 'number',
};

/** The flat record filters evaluate for an event (see the *_FILTER_FIELDS for the names). */
export function filterFieldsOf(event: CustomerEvent): Record<string, FilterValue> {
  const base = { symbol: event.payload.symbol, eventTime: event.eventTime };
  switch (event.schema) {
    case 'market.enriched.v1': {
      const p = event.payload;
      return {
        ...base,
        kind: p.kind,
        price: p.lastPrice,
        lastPrice: p.lastPrice,
        changePercent: p.changePercent,
        bidPrice: p.bidPrice,
        askPrice: p.askPrice,
        previousClose: p.previousClose,
      };
    }
    case 'market.bar.1m.v1': {
      const p = event.payload;
      return { ...base, price: p.close, open: p.open, high: p.high, low: p.low, close: p.close, vwap: p.vwap, volume: p.volume, tradeCount: p.tradeCount };
    }
    case 'market.alert.v1': {
      const p = event.payload;
      return {
        ...base,
        alertType: p.alertType,
        direction: p.alertType === 'price-change-threshold' ? p.direction : undefined,
        cross: p.alertType === 'ma-cross' ? p.cross : undefined,
        price: p.alertType === 'price-change-threshold' ? p.price : undefined,
        changePercent: p.alertType === 'price-change-threshold' ? p.changePercent : undefined,
      };
    }
    case 'market.correction.v1': {
      const p = event.payload;
      return { ...base, kind: p.kind, outcome: p.outcome, price: p.correctedPrice ?? p.originalPrice };
    }
    case 'market.halt.v1': {
      const p = event.payload;
      return { ...base, state: p.state, statusCode: p.statusCode, reasonCode: p.reasonCode };
    }
  }
}
