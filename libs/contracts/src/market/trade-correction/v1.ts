import { z } from 'zod';
import { buildMarketEventId } from '../../common/event-id';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { positiveSharesSchema, priceSchema, symbolSchema } from '../../common/primitives';
import { TOPICS } from '../../topics';
import iwmCorrection from './fixtures/iwm-correction-conditions.json';
import aaplCorrectionPrice from './fixtures/aapl-correction-price.json';

/** Schema name carried in the envelope's `schema` field. */
export const TRADE_CORRECTION_V1_SCHEMA = 'market.trade-correction.v1';
/** Kafka topic of trade corrections; message key = symbol. */
export const TRADE_CORRECTION_V1_TOPIC = TOPICS.tradeCorrections;

/** Trade id as the source assigns it (Alpaca `i`, `oi`, `ci`: an integer sent as a JSON number; kept as its decimal string). */
export const sourceTradeIdSchema = z.string().min(1).max(64).describe('Venue/source trade id (Alpaca i / oi / ci as a decimal string)');
/** Sale-condition codes as the source reports them; Alpaca sends a blank `" "` for "regular sale". */
export const tradeConditionsSchema = z.array(z.string().min(1).max(8)).max(16).describe('Sale-condition codes as reported by the source');

/**
 * A correction of an earlier trade (Alpaca stock stream message `T: "c"`, fields per Alpaca's
 * "Real-time Stock Data" page and alpaca-py `TRADE_CORRECTION_MAPPING`): the original print
 * (`oi`/`op`/`os`/`oc`) is replaced by the corrected one (`ci`/`cp`/`cs`/`cc`).
 * - prices USD > 0, sizes shares (integer > 0), ids the source's trade ids as decimal strings.
 * - Envelope `eventTime` = the message's `t` (epoch ms UTC, exact ns in `eventTimeNs`).
 * Downstream, the enricher replaces the original trade (matched by symbol and `originalTradeId`)
 * in the 1-minute bar that holds it and publishes a new revision of that bar.
 */
export const tradeCorrectionV1PayloadSchema = z.object({
  symbol: symbolSchema,
  /** Exchange code of the print (Alpaca `x`). */
  venue: z.string().min(1).max(16).optional().describe('Exchange code of the print (Alpaca x)'),
  /** SIP tape (Alpaca `z`: A, B or C). */
  tape: z.string().min(1).max(4).optional().describe('SIP tape (Alpaca z)'),
  originalTradeId: sourceTradeIdSchema,
  originalPrice: priceSchema('originalPrice'),
  originalSize: positiveSharesSchema('originalSize'),
  originalConditions: tradeConditionsSchema.optional(),
  correctedTradeId: sourceTradeIdSchema,
  correctedPrice: priceSchema('correctedPrice'),
  correctedSize: positiveSharesSchema('correctedSize'),
  correctedConditions: tradeConditionsSchema.optional(),
});
export type TradeCorrectionV1Payload = z.infer<typeof tradeCorrectionV1PayloadSchema>;

/** Envelope `market.trade-correction.v1` on topic `market.trade-corrections.v1`. */
export const tradeCorrectionV1EventSchema = envelopeSchema(TRADE_CORRECTION_V1_SCHEMA, tradeCorrectionV1PayloadSchema, 'TradeCorrectionV1Event');
export type TradeCorrectionV1Event = z.infer<typeof tradeCorrectionV1EventSchema>;

/**
 * Deterministic id of a correction: {@link buildMarketEventId} over schema, source, symbol, event time
 * (ns if known) and `<originalTradeId>><correctedTradeId>`.
 */
export function tradeCorrectionV1EventId(event: Pick<TradeCorrectionV1Event, 'source' | 'eventTime' | 'eventTimeNs'> & {
  payload: Pick<TradeCorrectionV1Payload, 'symbol' | 'originalTradeId' | 'correctedTradeId'>;
}): string {
  return buildMarketEventId({
    schema: TRADE_CORRECTION_V1_SCHEMA,
    source: event.source,
    symbol: event.payload.symbol,
    eventTime: event.eventTime,
    eventTimeNs: event.eventTimeNs,
    sequence: `${event.payload.originalTradeId}>${event.payload.correctedTradeId}`,
  });
}

/** Golden corrections (see each fixture's `origin`). */
export const TRADE_CORRECTION_V1_FIXTURES: readonly GoldenFixture<TradeCorrectionV1Event>[] = [
  goldenFixture<TradeCorrectionV1Event>(iwmCorrection),
  goldenFixture<TradeCorrectionV1Event>(aaplCorrectionPrice),
];

const base = iwmCorrection.event;

/** Corrections that must be rejected, with the expected reason. */
export const TRADE_CORRECTION_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'missing-original-trade-id',
    description: 'no oi: the corrected trade cannot be found',
    value: withPatch(base, ['payload', 'originalTradeId'], undefined),
    expected: { errorClass: 'SchemaViolation', path: 'payload.originalTradeId', reasonIncludes: 'payload.originalTradeId' },
  },
  {
    name: 'zero-corrected-price',
    description: 'corrected price 0',
    value: withPatch(base, ['payload', 'correctedPrice'], 0),
    expected: { errorClass: 'SchemaViolation', path: 'payload.correctedPrice', reasonIncludes: 'correctedPrice must be > 0 (USD)' },
  },
  {
    name: 'fractional-corrected-size',
    description: 'corrected size 1.5 shares',
    value: withPatch(base, ['payload', 'correctedSize'], 1.5),
    expected: { errorClass: 'SchemaViolation', path: 'payload.correctedSize', reasonIncludes: 'correctedSize must be an integer number of shares' },
  },
];
