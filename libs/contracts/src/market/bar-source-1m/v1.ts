import type { z } from 'zod';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { TOPICS } from '../../topics';
import { bar1mV1PayloadSchema, type Bar1mV1Payload } from '../bar-1m/v1';
import spyAlpaca1915 from './fixtures/spy-alpaca-1915.json';

/** Schema name carried in the envelope's `schema` field. */
export const BAR_SOURCE_1M_V1_SCHEMA = 'market.bar.source.1m.v1';
/** Kafka topic of the source's own 1-minute bars; message key = symbol. */
export const BAR_SOURCE_1M_V1_TOPIC = TOPICS.barsSource1m;

/**
 * A 1-minute bar as the SOURCE computed and sent it (Alpaca `b`: `t` is the bar's start, `o/h/l/c`
 * USD, `v` shares, `n` trades, `vw` VWAP USD). Same payload as the enricher's `market.bar.1m.v1`, but
 * a different stream: the source decides which trades count (Alpaca's IEX bars hold IEX trades only)
 * and the bar is published as received, never restated by Tickwire. Customers who want bars that
 * match Tickwire's trades and corrections read `market.bars.1m.v1`.
 * Envelope: `eventTime` = `endTime`, `id` = `<source>:<symbol>:<startTime>` (the enricher's bars are
 * `<symbol>:<startTime>`; a source is lower case and a symbol starts upper case, so they never collide).
 */
export const barSource1mV1PayloadSchema = bar1mV1PayloadSchema;
export type BarSource1mV1Payload = Bar1mV1Payload;

/** Deterministic id of a source bar: `<source>:<symbol>:<startTime>`, e.g. `alpaca:SPY:1614021300000`. */
export function barSource1mV1EventId(event: { source: string; payload: Pick<BarSource1mV1Payload, 'symbol' | 'startTime'> }): string {
  return `${event.source}:${event.payload.symbol}:${event.payload.startTime}`;
}

/** Envelope `market.bar.source.1m.v1` on topic `market.bars.source.1m.v1`. */
export const barSource1mV1EventSchema = envelopeSchema(BAR_SOURCE_1M_V1_SCHEMA, barSource1mV1PayloadSchema, 'BarSource1mV1Event', (event, ctx) => {
  if (event.eventTime !== event.payload.endTime) {
    ctx.addIssue({ code: 'custom', path: ['eventTime'], message: 'eventTime must equal payload.endTime' });
  }
  const source = (event as unknown as { source: string }).source;
  if (event.id !== barSource1mV1EventId({ source, payload: event.payload })) {
    ctx.addIssue({ code: 'custom', path: ['id'], message: 'id must be <source>:<symbol>:<startTime>' });
  }
});
export type BarSource1mV1Event = z.infer<typeof barSource1mV1EventSchema>;

/** Golden source bars (see each fixture's `origin`). */
export const BAR_SOURCE_1M_V1_FIXTURES: readonly GoldenFixture<BarSource1mV1Event>[] = [goldenFixture<BarSource1mV1Event>(spyAlpaca1915)];

const base = spyAlpaca1915.event;

/** Source bars that must be rejected, with the expected reason. */
export const BAR_SOURCE_1M_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'enricher-bar-id',
    description: 'the enricher bar id <symbol>:<startTime> on the source-bar topic',
    value: withPatch(base, ['id'], 'SPY:1614021300000'),
    expected: { errorClass: 'SchemaViolation', path: 'id', reasonIncludes: 'id must be <source>:<symbol>:<startTime>' },
  },
  {
    name: 'unaligned-start',
    description: 'startTime 1 ms after the minute',
    value: withPatch(withPatch(withPatch(base, ['payload', 'startTime'], 1614021300001), ['payload', 'endTime'], 1614021360001), ['eventTime'], 1614021360001),
    expected: { errorClass: 'SchemaViolation', path: 'payload.startTime', reasonIncludes: 'startTime must be minute-aligned' },
  },
];
