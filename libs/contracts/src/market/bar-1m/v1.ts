import { z } from 'zod';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { epochMsSchema, positiveSharesSchema, priceSchema, symbolSchema } from '../../common/primitives';
import { TOPICS } from '../../topics';
import aapl0930 from './fixtures/aapl-0930.json';
import aapl1000VolumeSpike from './fixtures/aapl-1000-volume-spike.json';
import amzn0930 from './fixtures/amzn-0930.json';
import goog0930 from './fixtures/goog-0930.json';

/** Schema name carried in the envelope's `schema` field. */
export const BAR_1M_V1_SCHEMA = 'market.bar.1m.v1';
/** Kafka topic of 1-minute bars; message key = symbol. */
export const BAR_1M_V1_TOPIC = TOPICS.bars1m;
/** Bar length in ms. */
export const BAR_1M_INTERVAL_MS = 60_000;

/** Tolerance for `low <= vwap <= high`: sum(price*size)/sum(size) can overshoot by float rounding. */
const VWAP_RELATIVE_TOLERANCE = 1e-9;

/**
 * 1-minute tumbling bar over trades with eventTime in [startTime, startTime + 60000).
 * A bar exists only for a minute with at least one trade (volume and tradeCount >= 1).
 * - open/high/low/close: USD, first/max/min/last trade price of the window (by event time).
 * - vwap: USD, sum(price * size) / sum(size) over the window's trades (double, unrounded).
 * - volume: shares, sum(size); tradeCount: number of trade prints.
 * Envelope: `eventTime` = `endTime` (the bar is complete then), `id` = `<symbol>:<startTime>`.
 * A restated bar (a trade of its window corrected or cancelled after it was published) keeps its id
 * and `eventTime` and carries `revision` >= 1. A minute whose every trade was cancelled has no bar
 * any more, but a bar cannot be empty: its last revision stays and the README (Corrections, cancels
 * and halts) says how customers learn of it.
 */
export const bar1mV1PayloadSchema = z
  .object({
    symbol: symbolSchema,
    startTime: epochMsSchema('startTime').refine((t) => t % BAR_1M_INTERVAL_MS === 0, {
      error: 'startTime must be minute-aligned (multiple of 60000 ms)',
    }),
    endTime: epochMsSchema('endTime'),
    open: priceSchema('open'),
    high: priceSchema('high'),
    low: priceSchema('low'),
    close: priceSchema('close'),
    vwap: priceSchema('vwap'),
    volume: positiveSharesSchema('volume'),
    tradeCount: positiveSharesSchema('tradeCount').describe('tradeCount: number of trade prints, integer > 0'),
    /**
     * Revision of the bar: absent on its first publication; 1, 2, ... each time a correction or cancel
     * of one of its trades restates it (same `id`, the higher revision wins; OpenSearch keeps only the
     * latest by `_id`).
     */
    revision: z
      .number()
      .int({ error: 'revision must be an integer' })
      .min(1, { error: 'revision must be >= 1 (absent on the first publication)' })
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .describe('Restatement number: absent on first publication, 1, 2, ... per restatement of the same bar id'),
    /** Id of the correction or cancel event (`market.trade-correction.v1` / `market.trade-cancel.v1`) that caused this revision. */
    restatedBy: z.string().min(1).max(128).optional().describe('Id of the correction/cancel event behind this revision'),
  })
  .superRefine((bar, ctx) => {
    if (bar.endTime !== bar.startTime + BAR_1M_INTERVAL_MS) {
      ctx.addIssue({ code: 'custom', path: ['endTime'], message: 'endTime must be startTime + 60000 (exclusive end)' });
    }
    if (bar.low > bar.high) ctx.addIssue({ code: 'custom', path: ['low'], message: 'low must be <= high' });
    for (const field of ['open', 'close'] as const) {
      if (bar[field] < bar.low || bar[field] > bar.high) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} must be within [low, high]` });
      }
    }
    const slack = bar.high * VWAP_RELATIVE_TOLERANCE;
    if (bar.vwap < bar.low - slack || bar.vwap > bar.high + slack) {
      ctx.addIssue({ code: 'custom', path: ['vwap'], message: 'vwap must be within [low, high]' });
    }
  });
export type Bar1mV1Payload = z.infer<typeof bar1mV1PayloadSchema>;

/** Deterministic id of a 1-minute bar: `<symbol>:<startTime>`, e.g. `AAPL:1340285400000`. */
export function bar1mV1EventId(payload: Pick<Bar1mV1Payload, 'symbol' | 'startTime'>): string {
  return `${payload.symbol}:${payload.startTime}`;
}

/** Envelope `market.bar.1m.v1` on topic `market.bars.1m.v1`; `eventTime` = endTime, `id` = `<symbol>:<startTime>`. */
export const bar1mV1EventSchema = envelopeSchema(BAR_1M_V1_SCHEMA, bar1mV1PayloadSchema, 'Bar1mV1Event', (event, ctx) => {
  if (event.eventTime !== event.payload.endTime) {
    ctx.addIssue({ code: 'custom', path: ['eventTime'], message: 'eventTime must equal payload.endTime' });
  }
  if (event.id !== bar1mV1EventId(event.payload)) {
    ctx.addIssue({ code: 'custom', path: ['id'], message: 'id must be <symbol>:<startTime>' });
  }
});
export type Bar1mV1Event = z.infer<typeof bar1mV1EventSchema>;

/** Golden 1-minute bars aggregated from the LOBSTER 2012-06-21 sample (see each fixture's `origin`). */
export const BAR_1M_V1_FIXTURES: readonly GoldenFixture<Bar1mV1Event>[] = [
  goldenFixture<Bar1mV1Event>(aapl0930),
  goldenFixture<Bar1mV1Event>(amzn0930),
  goldenFixture<Bar1mV1Event>(goog0930),
  goldenFixture<Bar1mV1Event>(aapl1000VolumeSpike),
];

const base = aapl0930.event;

/** 1-minute bars that must be rejected, with the expected reason. */
export const BAR_1M_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'unaligned-start',
    description: 'startTime 1 ms after the minute boundary',
    value: withPatch(withPatch(base, ['payload', 'startTime'], 1340285400001), ['payload', 'endTime'], 1340285460001),
    expected: { errorClass: 'SchemaViolation', path: 'payload.startTime', reasonIncludes: 'startTime must be minute-aligned' },
  },
  {
    name: 'vwap-above-high',
    description: 'vwap 586 above high 585.93',
    value: withPatch(base, ['payload', 'vwap'], 586),
    expected: { errorClass: 'SchemaViolation', path: 'payload.vwap', reasonIncludes: 'vwap must be within [low, high]' },
  },
  {
    name: 'empty-bar',
    description: 'volume 0: empty minutes are not emitted',
    value: withPatch(base, ['payload', 'volume'], 0),
    expected: { errorClass: 'SchemaViolation', path: 'payload.volume', reasonIncludes: 'volume must be > 0 shares' },
  },
  {
    name: 'id-not-symbol-start',
    description: 'id not <symbol>:<startTime>',
    value: withPatch(base, ['id'], 'AAPL:1340285460000'),
    expected: { errorClass: 'SchemaViolation', path: 'id', reasonIncludes: 'id must be <symbol>:<startTime>' },
  },
];
