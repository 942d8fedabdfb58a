import { z } from 'zod';
import { isConsistentEventTime } from './event-time';
import { epochMsSchema, epochNsSchema, eventIdSchema, sourceSchema } from './primitives';

/**
 * The envelope every Tickwire message travels in (Kafka value, UTF-8 JSON):
 *
 * ```json
 * { "schema": "market.trade.v1", "id": "…", "eventTime": 1340285400275, "eventTimeNs": "1340285400275016159",
 *   "ingestTime": 1763750000000, "source": "lobster", "payload": { "symbol": "AAPL", … } }
 * ```
 *
 * - `schema`: schema name and major version (`market.<event>.v<major>`), one per topic.
 * - `id`: deterministic (see `event-id.ts`), the idempotency key downstream.
 * - `eventTime`: when it happened at the venue (bars: the end of the bar interval), epoch ms UTC integer.
 * - `eventTimeNs`: optional exact epoch ns (decimal string); when present `eventTime` must equal it rounded half up to ms.
 * - `ingestTime`: when Tickwire first received the underlying record, epoch ms UTC integer (replays stamp replay time).
 * - `source`: origin of the market data (`lobster`, `alpaca`, `synthetic`, `alphavantage-daily`).
 * - `payload`: the event; always carries `symbol`, which is also the Kafka message key.
 */
export const envelopeShape = {
  id: eventIdSchema,
  eventTime: epochMsSchema('eventTime'),
  eventTimeNs: epochNsSchema.optional(),
  ingestTime: epochMsSchema('ingestTime'),
  source: sourceSchema,
} as const;

/**
 * Builds the envelope schema of one event type. Unknown top-level and payload fields are accepted
 * and dropped on parse, so an old consumer keeps working when a producer adds an optional field (the
 * versioning rule); the published JSON Schema therefore does not set `additionalProperties: false`.
 * @param schemaName e.g. `market.trade.v1`; the `schema` field must equal it.
 * @param payload the payload schema; must contain `symbol`.
 * @param title JSON Schema title, e.g. `TradeV1Event`.
 * @param refine extra cross-field checks of this event type (metadata must be attached last, hence here).
 */
export function envelopeSchema<Name extends string, Payload extends z.ZodType<{ symbol: string }>>(
  schemaName: Name,
  payload: Payload,
  title: string,
  refine?: (envelope: { eventTime: number; id: string; payload: z.output<Payload> }, ctx: z.RefinementCtx) => void,
) {
  return z
    .object({
      schema: z.literal(schemaName, { error: `schema must be "${schemaName}" on this topic` }),
      ...envelopeShape,
      payload,
    })
    .superRefine((envelope, ctx) => {
      refine?.(envelope as { eventTime: number; id: string; payload: z.output<Payload> }, ctx);
      if (envelope.eventTimeNs !== undefined && !isConsistentEventTime(envelope.eventTime, envelope.eventTimeNs)) {
        ctx.addIssue({
          code: 'custom',
          path: ['eventTime'],
          message: 'eventTime must equal eventTimeNs rounded half up to milliseconds',
        });
      }
    })
    .meta({ title, description: `Tickwire ${schemaName} event in the standard envelope` });
}

/** Fields of an envelope other than `schema` and `payload`, as producers supply them. */
export interface EnvelopeFields {
  id: string;
  eventTime: number;
  eventTimeNs?: string;
  ingestTime: number;
  source: string;
}
