import { z } from 'zod';
import { hashEventId } from '../../common/event-id';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { eventIdSchema, symbolSchema } from '../../common/primitives';
import { TOPICS } from '../../topics';
import { tradingStateSchema } from '../trading-status/v1';
import aaplHalted from './fixtures/aapl-halted-t12.json';
import aaplResumed from './fixtures/aapl-resumed.json';

/** Schema name carried in the envelope's `schema` field. */
export const HALT_V1_SCHEMA = 'market.halt.v1';
/** Kafka topic of the trading statuses customers receive (halts, pauses, resumptions); message key = symbol. */
export const HALT_V1_TOPIC = TOPICS.halts;

/**
 * A trading status of a symbol as the enricher applied it, for customers: `halted` is the symbol's
 * halted flag AFTER this status (an informational status, `state: other`, keeps the flag as it was;
 * `quoting` is still halted for trades), with the raw status's codes and messages (Alpaca `sc/sm/rc/rm`,
 * see `market.trading-status.v1`). Envelope: times and source of the raw status; id = hash of (schema,
 * `sourceEventId`).
 */
export const haltV1PayloadSchema = z.object({
  symbol: symbolSchema,
  halted: z.boolean({ error: 'halted must be a boolean' }).describe('Whether trading in the symbol is halted after this status'),
  state: tradingStateSchema,
  statusCode: z.string().min(1).max(8),
  statusMessage: z.string().min(1).max(200).optional(),
  reasonCode: z.string().min(1).max(16).optional(),
  reasonMessage: z.string().min(1).max(200).optional(),
  /** Id of the raw `market.trading-status.v1` event. */
  sourceEventId: eventIdSchema,
});
export type HaltV1Payload = z.infer<typeof haltV1PayloadSchema>;

/** Deterministic id: hash of (schema, sourceEventId). */
export function haltV1EventId(payload: Pick<HaltV1Payload, 'sourceEventId'>): string {
  return hashEventId([HALT_V1_SCHEMA, payload.sourceEventId]);
}

/** Envelope `market.halt.v1` on topic `market.halts.v1`. */
export const haltV1EventSchema = envelopeSchema(HALT_V1_SCHEMA, haltV1PayloadSchema, 'HaltV1Event', (event, ctx) => {
  if (event.id !== haltV1EventId(event.payload)) ctx.addIssue({ code: 'custom', path: ['id'], message: 'id must be the hash of (schema, sourceEventId)' });
});
export type HaltV1Event = z.infer<typeof haltV1EventSchema>;

/** Golden customer halts (see each fixture's `origin`). */
export const HALT_V1_FIXTURES: readonly GoldenFixture<HaltV1Event>[] = [goldenFixture<HaltV1Event>(aaplHalted), goldenFixture<HaltV1Event>(aaplResumed)];

/** Customer halts that must be rejected, with the expected reason. */
export const HALT_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'halted-as-text',
    description: 'halted "true" as a string',
    value: withPatch(aaplHalted.event, ['payload', 'halted'], 'true'),
    expected: { errorClass: 'SchemaViolation', path: 'payload.halted', reasonIncludes: 'halted must be a boolean' },
  },
];
