import { z } from 'zod';
import { hashEventId } from '../../common/event-id';
import { sessionCloseEpochMs } from '../../common/event-time';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { finiteNumber, nonNegativeSharesSchema, priceSchema, symbolSchema, tradingDateSchema } from '../../common/primitives';
import { TOPICS } from '../../topics';
import aapl20120620 from './fixtures/aapl-2012-06-20.json';
import aapl20120621 from './fixtures/aapl-2012-06-21.json';
import amzn20120620 from './fixtures/amzn-2012-06-20.json';
import googl20120620 from './fixtures/googl-2012-06-20.json';
import aapl20140609Split from './fixtures/aapl-2014-06-09-split-7-noisy.json';
import aapl20200831Split from './fixtures/aapl-2020-08-31-split-4.json';
import var20210416NoVolume from './fixtures/var-2021-04-16-no-volume.json';

/** Schema name carried in the envelope's `schema` field. */
export const BAR_DAILY_V1_SCHEMA = 'market.bar.daily.v1';
/** Kafka topic of raw daily bars; message key = symbol. */
export const BAR_DAILY_V1_TOPIC = TOPICS.barsDaily;

/**
 * Raw (unadjusted) daily bar, as AlphaVantage TIME_SERIES_DAILY_ADJUSTED reports it.
 * - open/high/low/close: USD as traded, NOT adjusted for splits or dividends.
 * - adjustedClose: USD, adjusted backward for splits and dividends as of the download date.
 * - volume: shares as traded (0 allowed: a halted/delisting day).
 * - dividendAmount: USD per share, non-zero on the ex-date.
 * - splitCoefficient: new shares per old share on the ex-date (4 = 4-for-1, 0.25 = 1-for-4), 1 otherwise;
 *   may carry float noise (AAPL 2014-06-09: 7.00000700001) and spin-offs (RTX 2020-04-03: 1.589).
 * Envelope `eventTime` = 16:00 America/New_York of `tradingDate` in epoch ms UTC ({@link sessionCloseEpochMs}).
 */
export const barDailyV1PayloadSchema = z
  .object({
    symbol: symbolSchema,
    tradingDate: tradingDateSchema,
    open: priceSchema('open'),
    high: priceSchema('high'),
    low: priceSchema('low'),
    close: priceSchema('close'),
    adjustedClose: priceSchema('adjustedClose'),
    volume: nonNegativeSharesSchema('volume'),
    dividendAmount: finiteNumber('dividendAmount').nonnegative({ error: 'dividendAmount must be >= 0 (USD per share)' }),
    splitCoefficient: finiteNumber('splitCoefficient').positive({ error: 'splitCoefficient must be > 0' }),
  })
  .superRefine((bar, ctx) => {
    if (bar.low > bar.high) ctx.addIssue({ code: 'custom', path: ['low'], message: 'low must be <= high' });
    for (const field of ['open', 'close'] as const) {
      if (bar[field] < bar.low || bar[field] > bar.high) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} must be within [low, high]` });
      }
    }
  });
export type BarDailyV1Payload = z.infer<typeof barDailyV1PayloadSchema>;

/** Envelope `market.bar.daily.v1` on topic `market.bars.daily.v1`; `eventTime` must be the session close. */
export const barDailyV1EventSchema = envelopeSchema(
  BAR_DAILY_V1_SCHEMA,
  barDailyV1PayloadSchema,
  'BarDailyV1Event',
  (event, ctx) => {
    // Refinements also run when a field already failed; only compare a well-formed date.
    const { tradingDate } = event.payload;
    if (typeof tradingDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(tradingDate)) return;
    if (event.eventTime !== sessionCloseEpochMs(tradingDate)) {
      ctx.addIssue({
        code: 'custom',
        path: ['eventTime'],
        message: 'eventTime must be 16:00 America/New_York of payload.tradingDate (epoch ms UTC)',
      });
    }
  },
);
export type BarDailyV1Event = z.infer<typeof barDailyV1EventSchema>;

/** Deterministic id of a daily bar: `hashEventId([schema, source, symbol, tradingDate])`. */
export function barDailyV1EventId(event: { source: string; payload: Pick<BarDailyV1Payload, 'symbol' | 'tradingDate'> }): string {
  return hashEventId([BAR_DAILY_V1_SCHEMA, event.source, event.payload.symbol, event.payload.tradingDate]);
}

/** Golden daily bars from /work/shared/data/market/daily/ (see each fixture's `origin`). */
export const BAR_DAILY_V1_FIXTURES: readonly GoldenFixture<BarDailyV1Event>[] = [
  goldenFixture<BarDailyV1Event>(aapl20120620),
  goldenFixture<BarDailyV1Event>(aapl20120621),
  goldenFixture<BarDailyV1Event>(amzn20120620),
  goldenFixture<BarDailyV1Event>(googl20120620),
  goldenFixture<BarDailyV1Event>(aapl20140609Split),
  goldenFixture<BarDailyV1Event>(aapl20200831Split),
  goldenFixture<BarDailyV1Event>(var20210416NoVolume),
];

const base = aapl20120620.event;

/** Daily bars that must be rejected, with the expected reason. */
export const BAR_DAILY_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'close-above-high',
    description: 'close 590 above high 589.25',
    value: withPatch(base, ['payload', 'close'], 590),
    expected: { errorClass: 'SchemaViolation', path: 'payload.close', reasonIncludes: 'close must be within [low, high]' },
  },
  {
    name: 'event-time-midnight',
    description: 'eventTime at midnight UTC of the trading date instead of the 16:00 New York close',
    value: withPatch(base, ['eventTime'], Date.UTC(2012, 5, 20)),
    expected: { errorClass: 'SchemaViolation', path: 'eventTime', reasonIncludes: 'eventTime must be 16:00 America/New_York' },
  },
  {
    name: 'bad-trading-date',
    description: 'tradingDate 2012-02-30 does not exist',
    value: withPatch(base, ['payload', 'tradingDate'], '2012-02-30'),
    expected: { errorClass: 'SchemaViolation', path: 'payload.tradingDate', reasonIncludes: 'tradingDate must be a real calendar date' },
  },
  {
    name: 'zero-split-coefficient',
    description: 'splitCoefficient 0',
    value: withPatch(base, ['payload', 'splitCoefficient'], 0),
    expected: { errorClass: 'SchemaViolation', path: 'payload.splitCoefficient', reasonIncludes: 'splitCoefficient must be > 0' },
  },
  {
    name: 'missing-adjusted-close',
    description: 'payload without adjustedClose',
    value: withPatch(base, ['payload', 'adjustedClose'], undefined),
    expected: { errorClass: 'SchemaViolation', path: 'payload.adjustedClose', reasonIncludes: 'adjustedClose is required' },
  },
];
