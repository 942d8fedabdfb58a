import { z } from 'zod';
import { hashEventId } from '../../common/event-id';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { epochMsSchema, eventIdSchema, finiteNumber, positiveSharesSchema, priceSchema, symbolSchema } from '../../common/primitives';
import { TOPICS } from '../../topics';
import { CHANGE_PERCENT_TOLERANCE, computeChangePercent } from '../enriched/v1';
import aaplPriceDown1Pct from './fixtures/aapl-price-change-down-1pct.json';
import aaplSmaGoldenCross from './fixtures/aapl-sma-5-20-golden-cross.json';
import aaplSmaDeathCross from './fixtures/aapl-sma-5-20-death-cross.json';
import aaplVolumeSpike from './fixtures/aapl-volume-spike-20x3.json';

/** Schema name carried in the envelope's `schema` field. */
export const ALERT_V1_SCHEMA = 'market.alert.v1';
/** Kafka topic of alerts; message key = symbol. */
export const ALERT_V1_TOPIC = TOPICS.alerts;

const commonShape = {
  symbol: symbolSchema,
  /** `id` of the event that triggered the alert (a trade id, or a 1-minute bar id `<symbol>:<startTime>`). */
  sourceEventId: eventIdSchema.describe('id of the triggering event (trade id, or 1-minute bar id <symbol>:<startTime>)'),
};

const positiveFinite = (what: string) => finiteNumber(what).positive({ error: `${what} must be > 0` });
const periodSchema = (what: string) =>
  finiteNumber(what).int({ error: `${what} must be an integer number of bars` }).positive({ error: `${what} must be >= 1` });

/**
 * `price-change-threshold`: |change vs previous close| reached `thresholdPercent`.
 * `changePercent = (price - previousClose) / previousClose * 100`; `up` requires changePercent >= thresholdPercent,
 * `down` requires changePercent <= -thresholdPercent. Envelope eventTime = the triggering trade's eventTime.
 */
export const priceChangeThresholdAlertSchema = z.object({
  alertType: z.literal('price-change-threshold'),
  ...commonShape,
  direction: z.enum(['up', 'down'], { error: 'direction must be up or down' }),
  /** Threshold in percent units (1 = 1 %), > 0. */
  thresholdPercent: positiveFinite('thresholdPercent'),
  changePercent: finiteNumber('changePercent').describe('(price - previousClose) / previousClose * 100, percent units'),
  /** Triggering trade price, USD. */
  price: priceSchema('price'),
  /** USD, same share basis as price. */
  previousClose: priceSchema('previousClose'),
});

/**
 * `ma-cross`: the fast moving average of 1-minute closes crossed the slow one at the close of a bar.
 * golden: previousFastValue <= previousSlowValue and fastValue > slowValue; death: the mirror image
 * (crossover rules as in Murphy, Technical Analysis of the Financial Markets, ch. 9).
 * Envelope eventTime = the bar's endTime (startTime + 60000).
 */
export const maCrossAlertSchema = z.object({
  alertType: z.literal('ma-cross'),
  ...commonShape,
  cross: z.enum(['golden', 'death'], { error: 'cross must be golden or death' }),
  movingAverage: z.enum(['sma', 'ema'], { error: 'movingAverage must be sma or ema' }),
  /** Periods in 1-minute bars; fastPeriod < slowPeriod. */
  fastPeriod: periodSchema('fastPeriod'),
  slowPeriod: periodSchema('slowPeriod'),
  /** Averages (USD) after and before the bar that completed the cross. */
  fastValue: priceSchema('fastValue'),
  slowValue: priceSchema('slowValue'),
  previousFastValue: priceSchema('previousFastValue'),
  previousSlowValue: priceSchema('previousSlowValue'),
  /** startTime (epoch ms UTC) of the 1-minute bar whose close completed the cross. */
  barStartTime: epochMsSchema('barStartTime'),
});

/**
 * `volume-spike`: a 1-minute bar's volume exceeded `multiplier` times the mean volume of the previous
 * `lookbackBars` bars (volume > multiplier * meanVolume). Envelope eventTime = the bar's endTime.
 */
export const volumeSpikeAlertSchema = z.object({
  alertType: z.literal('volume-spike'),
  ...commonShape,
  /** Volume of the spiking bar, shares. */
  volume: positiveSharesSchema('volume'),
  /** Mean volume (shares, may be fractional) of the `lookbackBars` bars before it. */
  meanVolume: finiteNumber('meanVolume')
    .nonnegative({ error: 'meanVolume must be >= 0' })
    .describe('Mean volume of the lookbackBars bars before the spiking bar, shares'),
  /** k, > 0. */
  multiplier: positiveFinite('multiplier'),
  /** n, the number of previous bars averaged, >= 1. */
  lookbackBars: periodSchema('lookbackBars'),
  barStartTime: epochMsSchema('barStartTime'),
});

/** Alert payload, discriminated by `alertType`, with each type's trigger condition checked. */
export const alertV1PayloadSchema = z
  .discriminatedUnion('alertType', [priceChangeThresholdAlertSchema, maCrossAlertSchema, volumeSpikeAlertSchema], {
    error: 'alertType must be price-change-threshold, ma-cross or volume-spike',
  })
  .superRefine((alert, ctx) => {
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    switch (alert.alertType) {
      case 'price-change-threshold': {
        const expected = computeChangePercent(alert.price, alert.previousClose) as number;
        if (Math.abs(alert.changePercent - expected) > CHANGE_PERCENT_TOLERANCE) {
          fail('changePercent', 'changePercent must be (price - previousClose) / previousClose * 100');
        }
        const reached =
          alert.direction === 'up' ? alert.changePercent >= alert.thresholdPercent : alert.changePercent <= -alert.thresholdPercent;
        if (!reached) fail('changePercent', `changePercent has not reached the ${alert.direction} threshold`);
        break;
      }
      case 'ma-cross': {
        if (alert.fastPeriod >= alert.slowPeriod) fail('fastPeriod', 'fastPeriod must be < slowPeriod');
        const crossed =
          alert.cross === 'golden'
            ? alert.previousFastValue <= alert.previousSlowValue && alert.fastValue > alert.slowValue
            : alert.previousFastValue >= alert.previousSlowValue && alert.fastValue < alert.slowValue;
        if (!crossed) fail('cross', `values do not show a ${alert.cross} cross`);
        break;
      }
      case 'volume-spike': {
        if (!(alert.volume > alert.multiplier * alert.meanVolume)) {
          fail('volume', 'volume must be > multiplier * meanVolume');
        }
        break;
      }
    }
  });
export type AlertV1Payload = z.infer<typeof alertV1PayloadSchema>;
export type AlertV1Type = AlertV1Payload['alertType'];
export type PriceChangeThresholdAlertV1 = z.infer<typeof priceChangeThresholdAlertSchema>;
export type MaCrossAlertV1 = z.infer<typeof maCrossAlertSchema>;
export type VolumeSpikeAlertV1 = z.infer<typeof volumeSpikeAlertSchema>;

/** Envelope `market.alert.v1` on topic `market.alerts.v1`. */
export const alertV1EventSchema = envelopeSchema(ALERT_V1_SCHEMA, alertV1PayloadSchema, 'AlertV1Event');
export type AlertV1Event = z.infer<typeof alertV1EventSchema>;

/**
 * Deterministic id of an alert: `hashEventId([schema, source, symbol, alertType, eventTime, ...rule])`
 * where rule = [direction, String(thresholdPercent)] | [cross, movingAverage, fastPeriod, slowPeriod] |
 * [lookbackBars, String(multiplier)]. The same rule firing on the same event yields the same id;
 * different rules (e.g. 1 % and 2 % thresholds) on the same trade yield different ids.
 * Non-integer numbers are rendered with ECMAScript Number.prototype.toString (shortest round trip).
 */
export function alertV1EventId(event: { source: string; eventTime: number; payload: AlertV1Payload }): string {
  const { payload } = event;
  const rule: (string | number)[] =
    payload.alertType === 'price-change-threshold'
      ? [payload.direction, String(payload.thresholdPercent)]
      : payload.alertType === 'ma-cross'
        ? [payload.cross, payload.movingAverage, payload.fastPeriod, payload.slowPeriod]
        : [payload.lookbackBars, String(payload.multiplier)];
  return hashEventId([ALERT_V1_SCHEMA, event.source, payload.symbol, payload.alertType, event.eventTime, ...rule]);
}

/** Golden alerts derived from the LOBSTER 2012-06-21 AAPL sample (see each fixture's `origin`). */
export const ALERT_V1_FIXTURES: readonly GoldenFixture<AlertV1Event>[] = [
  goldenFixture<AlertV1Event>(aaplPriceDown1Pct),
  goldenFixture<AlertV1Event>(aaplSmaGoldenCross),
  goldenFixture<AlertV1Event>(aaplSmaDeathCross),
  goldenFixture<AlertV1Event>(aaplVolumeSpike),
];

/** Alerts that must be rejected, with the expected reason. */
export const ALERT_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'threshold-not-reached',
    description: 'a 2 % down alert for a -1.0006 % change',
    value: withPatch(aaplPriceDown1Pct.event, ['payload', 'thresholdPercent'], 2),
    expected: { errorClass: 'SchemaViolation', path: 'payload.changePercent', reasonIncludes: 'changePercent has not reached the down threshold' },
  },
  {
    name: 'golden-cross-without-cross',
    description: 'golden cross whose previous fast average was already above the slow one',
    value: withPatch(aaplSmaGoldenCross.event, ['payload', 'previousFastValue'], 586.6),
    expected: { errorClass: 'SchemaViolation', path: 'payload.cross', reasonIncludes: 'values do not show a golden cross' },
  },
  {
    name: 'fast-period-not-below-slow',
    description: 'fastPeriod 20, slowPeriod 5',
    value: withPatch(withPatch(aaplSmaGoldenCross.event, ['payload', 'fastPeriod'], 20), ['payload', 'slowPeriod'], 5),
    expected: { errorClass: 'SchemaViolation', path: 'payload.fastPeriod', reasonIncludes: 'fastPeriod must be < slowPeriod' },
  },
  {
    name: 'volume-below-spike',
    description: 'volume 20000 is not above 3 x 7225.65',
    value: withPatch(aaplVolumeSpike.event, ['payload', 'volume'], 20000),
    expected: { errorClass: 'SchemaViolation', path: 'payload.volume', reasonIncludes: 'volume must be > multiplier * meanVolume' },
  },
  {
    name: 'unknown-alert-type',
    description: 'alertType "news"',
    value: withPatch(aaplVolumeSpike.event, ['payload', 'alertType'], 'news'),
    expected: { errorClass: 'SchemaViolation', path: 'payload.alertType', reasonIncludes: 'alertType must be price-change-threshold' },
  },
];
