import type { Bar1mV1Payload, BarDailyV1Payload, TradeV1Payload } from '@tickwire/contracts';

/**
 * Input and output shapes of the indicator logic, derived from the `@tickwire/contracts` v1 payloads
 * (type-only imports: no zod at run time here). Inputs take only the fields the logic reads, so the
 * enricher passes contract payloads as they are; `eventTime` lives in the event envelope, so a trade
 * input is the payload plus the envelope's eventTime.
 *
 * Units (house rules): prices in USD decimal, sizes and volumes in shares, times in epoch ms UTC,
 * trading dates as `YYYY-MM-DD` in America/New_York.
 */

/**
 * One execution (trade): `symbol`; `price` USD > 0; `size` shares, positive integer; `eventTime`
 * epoch ms UTC (the envelope's eventTime of a `market.trade.v1` event).
 */
export type TradeInput = Readonly<Pick<TradeV1Payload, 'symbol' | 'price' | 'size'>> & {
  /** Execution time, epoch ms UTC. */
  readonly eventTime: number;
};

/**
 * An OHLCV bar over [startTime, endTime) with VWAP and trade count: exactly the `market.bar.1m.v1`
 * payload (open/close = earliest/latest trade by event time; high/low; vwap = sum(price * size) /
 * sum(size), USD; volume shares; tradeCount prints).
 */
export type OhlcvBar = Readonly<Bar1mV1Payload>;

/**
 * One row of daily reference data: the `market.bar.daily.v1` payload's `symbol`, `tradingDate`
 * (YYYY-MM-DD, America/New_York) and `close` (USD as traded, not adjusted), plus the corporate actions
 * going ex on that date: `dividendAmount` (USD per share, 0 if none) and `splitCoefficient` (new shares
 * per old share, 1 if none), optional here so that a plain close history also works.
 */
export type DailyBarRow = Readonly<
  Pick<BarDailyV1Payload, 'symbol' | 'tradingDate' | 'close'> &
    Partial<Pick<BarDailyV1Payload, 'dividendAmount' | 'splitCoefficient'>>
>;
