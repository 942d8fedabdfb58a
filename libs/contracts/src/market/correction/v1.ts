import { z } from 'zod';
import { hashEventId } from '../../common/event-id';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { eventIdSchema, positiveSharesSchema, priceSchema, symbolSchema } from '../../common/primitives';
import { TOPICS } from '../../topics';
import { sourceTradeIdSchema } from '../trade-correction/v1';
import aaplCorrectionRestated from './fixtures/aapl-correction-restated.json';
import aaplCancelBarEmptied from './fixtures/aapl-cancel-bar-emptied.json';
import iwmCorrectionNotFound from './fixtures/iwm-correction-not-found.json';

/** Schema name carried in the envelope's `schema` field. */
export const CORRECTION_V1_SCHEMA = 'market.correction.v1';
/** Kafka topic of the corrections customers receive; message key = symbol. */
export const CORRECTION_V1_TOPIC = TOPICS.corrections;

/**
 * What the enricher did with a correction or cancel:
 * - `restated`: the trade's 1-minute bar had been published; it is published again as revision `barRevision`;
 * - `pending`: the trade's bar is still open; it will be published once, already amended;
 * - `bar-emptied`: every trade of the published bar was withdrawn; no bar can hold no trade, so revision
 *   `barRevision - 1` stays the last one and this event says it no longer stands;
 * - `not-found`: the trade is not among the kept trades (older than the retention, unknown, or its minute
 *   also had trades without a source id): nothing is restated.
 */
export const correctionOutcomeSchema = z.enum(['restated', 'pending', 'bar-emptied', 'not-found'], {
  error: 'outcome must be restated, pending, bar-emptied or not-found',
});
export type CorrectionOutcome = z.infer<typeof correctionOutcomeSchema>;

/**
 * A correction (`kind: correction`, from `market.trade-correction.v1`) or a cancel/error (`cancel` /
 * `error`, from `market.trade-cancel.v1`) of a trade, as the enricher applied it, for customers.
 * Prices USD, sizes shares; `corrected*` only for corrections. `barId` (`<symbol>:<startTime>`) names
 * the 1-minute bar that held the trade when known; `barRevision` the revision published for it
 * (`restated`) or the one it would have had (`bar-emptied`).
 * Envelope: eventTime/eventTimeNs/ingestTime/source of the raw correction or cancel; id = hash of
 * (schema, `sourceEventId`).
 */
export const correctionV1PayloadSchema = z
  .object({
    symbol: symbolSchema,
    kind: z.enum(['correction', 'cancel', 'error'], { error: 'kind must be correction, cancel or error' }),
    /** Id of the raw `market.trade-correction.v1` / `market.trade-cancel.v1` event. */
    sourceEventId: eventIdSchema,
    tradeId: sourceTradeIdSchema,
    originalPrice: priceSchema('originalPrice'),
    originalSize: positiveSharesSchema('originalSize'),
    correctedTradeId: sourceTradeIdSchema.optional(),
    correctedPrice: priceSchema('correctedPrice').optional(),
    correctedSize: positiveSharesSchema('correctedSize').optional(),
    outcome: correctionOutcomeSchema,
    barId: z.string().min(1).max(128).optional().describe('1-minute bar id <symbol>:<startTime> that held the trade'),
    barRevision: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().describe('Revision of that bar published by this correction'),
  })
  .superRefine((c, ctx) => {
    const corrected = [c.correctedTradeId, c.correctedPrice, c.correctedSize].filter((v) => v !== undefined).length;
    if (c.kind === 'correction' && corrected !== 3) {
      ctx.addIssue({ code: 'custom', path: ['correctedPrice'], message: 'a correction carries correctedTradeId, correctedPrice and correctedSize' });
    }
    if (c.kind !== 'correction' && corrected !== 0) {
      ctx.addIssue({ code: 'custom', path: ['correctedPrice'], message: 'a cancel or error carries no corrected fields' });
    }
    if ((c.outcome === 'restated' || c.outcome === 'bar-emptied') && (c.barId === undefined || c.barRevision === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['barRevision'], message: `outcome ${c.outcome} requires barId and barRevision` });
    }
  });
export type CorrectionV1Payload = z.infer<typeof correctionV1PayloadSchema>;

/** Deterministic id: hash of (schema, sourceEventId): one customer correction per raw correction/cancel. */
export function correctionV1EventId(payload: Pick<CorrectionV1Payload, 'sourceEventId'>): string {
  return hashEventId([CORRECTION_V1_SCHEMA, payload.sourceEventId]);
}

/** Envelope `market.correction.v1` on topic `market.corrections.v1`. */
export const correctionV1EventSchema = envelopeSchema(CORRECTION_V1_SCHEMA, correctionV1PayloadSchema, 'CorrectionV1Event', (event, ctx) => {
  if (event.id !== correctionV1EventId(event.payload)) ctx.addIssue({ code: 'custom', path: ['id'], message: 'id must be the hash of (schema, sourceEventId)' });
});
export type CorrectionV1Event = z.infer<typeof correctionV1EventSchema>;

/** Golden customer corrections (see each fixture's `origin`). */
export const CORRECTION_V1_FIXTURES: readonly GoldenFixture<CorrectionV1Event>[] = [
  goldenFixture<CorrectionV1Event>(aaplCorrectionRestated),
  goldenFixture<CorrectionV1Event>(aaplCancelBarEmptied),
  goldenFixture<CorrectionV1Event>(iwmCorrectionNotFound),
];

const base = aaplCorrectionRestated.event;

/** Customer corrections that must be rejected, with the expected reason. */
export const CORRECTION_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'restated-without-revision',
    description: 'outcome restated without barRevision',
    value: withPatch(base, ['payload', 'barRevision'], undefined),
    expected: { errorClass: 'SchemaViolation', path: 'payload.barRevision', reasonIncludes: 'outcome restated requires barId and barRevision' },
  },
  {
    name: 'correction-without-corrected-price',
    description: 'kind correction without correctedPrice',
    value: withPatch(base, ['payload', 'correctedPrice'], undefined),
    expected: { errorClass: 'SchemaViolation', path: 'payload.correctedPrice', reasonIncludes: 'a correction carries correctedTradeId, correctedPrice and correctedSize' },
  },
];
