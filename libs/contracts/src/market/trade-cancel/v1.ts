import { z } from 'zod';
import { buildMarketEventId } from '../../common/event-id';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { positiveSharesSchema, priceSchema, symbolSchema } from '../../common/primitives';
import { TOPICS } from '../../topics';
import { sourceTradeIdSchema } from '../trade-correction/v1';
import aaplCancel from './fixtures/aapl-cancel.json';
import aaplError from './fixtures/aapl-error.json';

/** Schema name carried in the envelope's `schema` field. */
export const TRADE_CANCEL_V1_SCHEMA = 'market.trade-cancel.v1';
/** Kafka topic of trade cancels and errors; message key = symbol. */
export const TRADE_CANCEL_V1_TOPIC = TOPICS.tradeCancels;

/**
 * What withdrew the trade (Alpaca `a`): `cancel` (`C`, the trade was cancelled/busted) or `error`
 * (`E`, the print was reported in error). Both remove the trade from every aggregate.
 */
export const tradeCancelActionSchema = z.enum(['cancel', 'error'], { error: 'action must be cancel or error' });
export type TradeCancelAction = z.infer<typeof tradeCancelActionSchema>;

/**
 * A cancel or error of an earlier trade (Alpaca stock stream message `T: "x"`, fields per Alpaca's
 * "Real-time Stock Data" page and alpaca-py `TRADE_CANCEL_MAPPING`): trade `i` at price `p` (USD),
 * size `s` (shares) on venue `x` no longer counts.
 * Envelope `eventTime` = the message's `t` (epoch ms UTC, exact ns in `eventTimeNs`).
 */
export const tradeCancelV1PayloadSchema = z.object({
  symbol: symbolSchema,
  tradeId: sourceTradeIdSchema,
  price: priceSchema('price'),
  size: positiveSharesSchema('size'),
  action: tradeCancelActionSchema,
  venue: z.string().min(1).max(16).optional().describe('Exchange code of the print (Alpaca x)'),
  tape: z.string().min(1).max(4).optional().describe('SIP tape (Alpaca z)'),
});
export type TradeCancelV1Payload = z.infer<typeof tradeCancelV1PayloadSchema>;

/** Envelope `market.trade-cancel.v1` on topic `market.trade-cancels.v1`. */
export const tradeCancelV1EventSchema = envelopeSchema(TRADE_CANCEL_V1_SCHEMA, tradeCancelV1PayloadSchema, 'TradeCancelV1Event');
export type TradeCancelV1Event = z.infer<typeof tradeCancelV1EventSchema>;

/** Deterministic id: {@link buildMarketEventId} over schema, source, symbol, event time and `<tradeId>:<action>`. */
export function tradeCancelV1EventId(event: Pick<TradeCancelV1Event, 'source' | 'eventTime' | 'eventTimeNs'> & {
  payload: Pick<TradeCancelV1Payload, 'symbol' | 'tradeId' | 'action'>;
}): string {
  return buildMarketEventId({
    schema: TRADE_CANCEL_V1_SCHEMA,
    source: event.source,
    symbol: event.payload.symbol,
    eventTime: event.eventTime,
    eventTimeNs: event.eventTimeNs,
    sequence: `${event.payload.tradeId}:${event.payload.action}`,
  });
}

/** Golden cancels (see each fixture's `origin`). */
export const TRADE_CANCEL_V1_FIXTURES: readonly GoldenFixture<TradeCancelV1Event>[] = [
  goldenFixture<TradeCancelV1Event>(aaplCancel),
  goldenFixture<TradeCancelV1Event>(aaplError),
];

const base = aaplCancel.event;

/** Cancels that must be rejected, with the expected reason. */
export const TRADE_CANCEL_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'unknown-action',
    description: 'action "C" left unmapped (the mapper translates C/E)',
    value: withPatch(base, ['payload', 'action'], 'C'),
    expected: { errorClass: 'SchemaViolation', path: 'payload.action', reasonIncludes: 'action must be cancel or error' },
  },
  {
    name: 'missing-trade-id',
    description: 'no i: nothing to cancel',
    value: withPatch(base, ['payload', 'tradeId'], undefined),
    expected: { errorClass: 'SchemaViolation', path: 'payload.tradeId', reasonIncludes: 'payload.tradeId' },
  },
];
