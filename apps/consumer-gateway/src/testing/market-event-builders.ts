import { randomBytes } from 'node:crypto';
import {
  ALERT_V1_FIXTURES,
  type AlertV1Event,
  BAR_1M_V1_FIXTURES,
  type Bar1mV1Event,
  ENRICHED_V1_FIXTURES,
  type EnrichedV1Event,
  EVENT_CATALOG,
  hashEventId,
  parseEvent,
  TOPICS,
} from '@tickwire/contracts';
import type { OutgoingRecord } from '@tickwire/kafka';
import type { CustomerEvent } from '@tickwire/subscriptions';

/**
 * Builders of contract-valid customer events for integration tests, derived from the golden fixtures
 * with another symbol, price and time (validated with @tickwire/contracts before they are returned).
 */

/** A symbol no other test (or the real data) uses: `T` + 7 random upper-case hex characters. */
export function uniqueSymbol(): string {
  return `T${randomBytes(4).toString('hex').toUpperCase().slice(0, 7)}`;
}

const tradeFixture = ENRICHED_V1_FIXTURES.map((fixture) => fixture.event).find((event) => event.payload.kind === 'trade')!;
const quoteFixture = ENRICHED_V1_FIXTURES.map((fixture) => fixture.event).find((event) => event.payload.kind === 'quote')!;

/**
 * An enriched trade of `symbol` at `price` (USD) and `eventTime` (epoch ms); previous close 100, so
 * changePercent = price - 100.
 */
export function enrichedTrade(symbol: string, price: number, eventTime: number, sequence = 1): EnrichedV1Event {
  const base = structuredClone(tradeFixture) as EnrichedV1Event & { payload: { kind: 'trade' } };
  const sourceEventId = hashEventId(['it-trade', symbol, eventTime, sequence]);
  const event = {
    ...base,
    id: hashEventId(['market.enriched.v1', sourceEventId]),
    eventTime,
    eventTimeNs: undefined,
    payload: {
      ...base.payload,
      symbol,
      trade: { ...base.payload.trade, symbol, price, sequence },
      sourceEventId,
      lastPrice: price,
      bidPrice: Math.round((price - 0.01) * 100) / 100,
      askPrice: Math.round((price + 0.01) * 100) / 100,
      previousClose: 100,
      changePercent: ((price - 100) / 100) * 100,
    },
  };
  return parseEvent(TOPICS.enriched, JSON.stringify(event));
}

/** An enriched quote of `symbol` with bid/ask (USD) at `eventTime`; last price 100 (unchanged). */
export function enrichedQuote(symbol: string, bidPrice: number, askPrice: number, eventTime: number, sequence = 1): EnrichedV1Event {
  const base = structuredClone(quoteFixture) as EnrichedV1Event & { payload: { kind: 'quote' } };
  const sourceEventId = hashEventId(['it-quote', symbol, eventTime, sequence]);
  const event = {
    ...base,
    id: hashEventId(['market.enriched.v1', sourceEventId]),
    eventTime,
    eventTimeNs: undefined,
    payload: {
      ...base.payload,
      symbol,
      quote: { ...base.payload.quote, symbol, bidPrice, askPrice, sequence },
      sourceEventId,
      bidPrice,
      askPrice,
      lastPrice: 100,
      previousClose: 100,
      changePercent: 0,
    },
  };
  return parseEvent(TOPICS.enriched, JSON.stringify(event));
}

/** A 1-minute bar of `symbol` starting at `startTime` (minute-aligned epoch ms), all prices `close`. */
export function bar1m(symbol: string, startTime: number, close: number): Bar1mV1Event {
  const base = structuredClone(BAR_1M_V1_FIXTURES[0]!.event);
  const event = {
    ...base,
    id: `${symbol}:${startTime}`,
    eventTime: startTime + 60_000,
    eventTimeNs: undefined,
    payload: { ...base.payload, symbol, startTime, endTime: startTime + 60_000, open: close, high: close, low: close, close, vwap: close },
  };
  return parseEvent(TOPICS.bars1m, JSON.stringify(event));
}

/** A price-change-threshold alert of `symbol` (down 1 % vs previous close 100) at `eventTime`. */
export function priceAlert(symbol: string, eventTime: number): AlertV1Event {
  const base = structuredClone(ALERT_V1_FIXTURES[0]!.event);
  const event = {
    ...base,
    id: hashEventId(['it-alert', symbol, eventTime]),
    eventTime,
    eventTimeNs: undefined,
    payload: { ...base.payload, symbol, price: 99, previousClose: 100, changePercent: -1, thresholdPercent: 1, direction: 'down' },
  };
  return parseEvent(TOPICS.alerts, JSON.stringify(event));
}

/** The Kafka record of an event: keyed by symbol, on its topic. */
export function recordOf(event: CustomerEvent): OutgoingRecord {
  return { topic: EVENT_CATALOG[event.schema].topic, key: event.payload.symbol, value: JSON.stringify(event) };
}
