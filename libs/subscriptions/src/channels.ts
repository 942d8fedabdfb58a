import { SYMBOL_PATTERN } from '@tickwire/contracts';

/**
 * The channels a customer subscribes to, in the style of Alpaca's and Polygon's stock feeds:
 *
 * | channel    | Kafka source          | what a message carries                                   |
 * | ---------- | --------------------- | -------------------------------------------------------- |
 * | `trades`   | market.enriched.v1    | the raw trade of an enriched trade event                 |
 * | `quotes`   | market.enriched.v1    | the raw level-1 quote of an enriched quote event         |
 * | `enriched` | market.enriched.v1    | the whole enriched payload (previousClose, changePercent, indicators) |
 * | `bars`     | market.bars.1m.v1     | 1-minute OHLCV bar with vwap and tradeCount              |
 * | `alerts`   | market.alerts.v1      | threshold, moving-average cross and volume-spike alerts  |
 * | `corrections` | market.corrections.v1 | a trade corrected or cancelled, with the restated bar's id and revision |
 * | `statuses` | market.halts.v1       | halts, pauses and resumptions (the symbol's halted flag) |
 *
 * A restated bar itself comes on `bars` (same id, `revision` >= 1).
 */
export const CHANNELS = ['trades', 'quotes', 'enriched', 'bars', 'alerts', 'corrections', 'statuses'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The wildcard symbol: every symbol of a channel (as in Alpaca's `"trades": ["*"]`). */
export const WILDCARD = '*';

/** True when `value` names a channel. */
export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

/** True when `symbol` is a valid symbol (@tickwire/contracts' SYMBOL_PATTERN, e.g. AAPL, BF.B) or the wildcard. */
export function isSubscribableSymbol(symbol: string): boolean {
  return symbol === WILDCARD || SYMBOL_PATTERN.test(symbol);
}
