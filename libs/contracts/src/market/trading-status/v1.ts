import { z } from 'zod';
import { buildMarketEventId } from '../../common/event-id';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { symbolSchema } from '../../common/primitives';
import { TOPICS } from '../../topics';
import aaplHalt from './fixtures/aapl-halt-t12.json';
import aaplResume from './fixtures/aapl-trading-resumption.json';
import gmeLuldPause from './fixtures/gme-luld-pause.json';

/** Schema name carried in the envelope's `schema` field. */
export const TRADING_STATUS_V1_SCHEMA = 'market.trading-status.v1';
/** Kafka topic of trading statuses; message key = symbol. */
export const TRADING_STATUS_V1_TOPIC = TOPICS.tradingStatus;

/**
 * What a status does to trading in the symbol:
 * - `halted`: no trading (CTA `2` Trading Halt; UTP `H` Trading Halt, `P` Volatility Trading Pause, the LULD pause);
 * - `quoting`: quotes resume, trades not yet (UTP `Q` Quotation Resumption): still halted for trades;
 * - `trading`: trading resumes (CTA `3` Resume; UTP `T` Trading Resumption);
 * - `other`: informational (price/range indications, imbalances, short-sale restriction `E`, LULD band `F`, ...);
 *   it does not change whether the symbol is halted.
 * Codes from the status-code tables of Alpaca's "Real-time Stock Data" page (CTA and UTP columns).
 */
export const tradingStateSchema = z.enum(['halted', 'quoting', 'trading', 'other'], { error: 'state must be halted, quoting, trading or other' });
export type TradingState = z.infer<typeof tradingStateSchema>;

const STATE_OF_CODE: Readonly<Record<string, TradingState>> = { '2': 'halted', H: 'halted', P: 'halted', Q: 'quoting', '3': 'trading', T: 'trading' };

/**
 * {@link TradingState} of a status code (Alpaca `sc`, CTA or UTP; see {@link tradingStateSchema}).
 * Unknown codes are `other`. Never throws.
 */
export function tradingStateOf(statusCode: string): TradingState {
  return STATE_OF_CODE[statusCode] ?? 'other';
}

/** Whether a symbol is halted for trades in `state`, or `undefined` when the state says nothing about it (`other`). */
export function isHaltedState(state: TradingState): boolean | undefined {
  if (state === 'other') return undefined;
  return state !== 'trading';
}

/**
 * A trading status of one symbol (Alpaca stock stream message `T: "s"`, fields per Alpaca's
 * "Real-time Stock Data" page and alpaca-py `TRADING_STATUS_MAPPING`): status code `sc` and message
 * `sm`, reason code `rc` and message `rm` (e.g. `T12` "Trading Halted; For information requested by
 * NASDAQ", `LUDP` volatility pause), tape `z`. `state` is derived from `statusCode` by
 * {@link tradingStateOf} and must agree with it.
 * Envelope `eventTime` = the message's `t` (epoch ms UTC).
 */
export const tradingStatusV1PayloadSchema = z
  .object({
    symbol: symbolSchema,
    statusCode: z.string().min(1).max(8).describe('Status code as the source sends it (Alpaca sc; CTA or UTP)'),
    statusMessage: z.string().min(1).max(200).optional().describe('Status message (Alpaca sm)'),
    reasonCode: z.string().min(1).max(16).optional().describe('Reason code (Alpaca rc), e.g. T12, LUDP'),
    reasonMessage: z.string().min(1).max(200).optional().describe('Reason message (Alpaca rm)'),
    tape: z.string().min(1).max(4).optional().describe('SIP tape (Alpaca z)'),
    state: tradingStateSchema,
  })
  .superRefine((status, ctx) => {
    const expected = tradingStateOf(status.statusCode);
    if (status.state !== expected) {
      ctx.addIssue({ code: 'custom', path: ['state'], message: `state must be ${expected} for statusCode ${status.statusCode}` });
    }
  });
export type TradingStatusV1Payload = z.infer<typeof tradingStatusV1PayloadSchema>;

/** Envelope `market.trading-status.v1` on topic `market.trading-status.v1`. */
export const tradingStatusV1EventSchema = envelopeSchema(TRADING_STATUS_V1_SCHEMA, tradingStatusV1PayloadSchema, 'TradingStatusV1Event');
export type TradingStatusV1Event = z.infer<typeof tradingStatusV1EventSchema>;

/** Deterministic id: {@link buildMarketEventId} over schema, source, symbol, event time and `<statusCode>:<reasonCode>`. */
export function tradingStatusV1EventId(event: Pick<TradingStatusV1Event, 'source' | 'eventTime' | 'eventTimeNs'> & {
  payload: Pick<TradingStatusV1Payload, 'symbol' | 'statusCode' | 'reasonCode'>;
}): string {
  return buildMarketEventId({
    schema: TRADING_STATUS_V1_SCHEMA,
    source: event.source,
    symbol: event.payload.symbol,
    eventTime: event.eventTime,
    eventTimeNs: event.eventTimeNs,
    sequence: `${event.payload.statusCode}:${event.payload.reasonCode ?? ''}`,
  });
}

/** Golden trading statuses (see each fixture's `origin`). */
export const TRADING_STATUS_V1_FIXTURES: readonly GoldenFixture<TradingStatusV1Event>[] = [
  goldenFixture<TradingStatusV1Event>(aaplHalt),
  goldenFixture<TradingStatusV1Event>(aaplResume),
  goldenFixture<TradingStatusV1Event>(gmeLuldPause),
];

const base = aaplHalt.event;

/** Trading statuses that must be rejected, with the expected reason. */
export const TRADING_STATUS_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'state-disagrees-with-code',
    description: 'statusCode H (Trading Halt) with state trading',
    value: withPatch(base, ['payload', 'state'], 'trading'),
    expected: { errorClass: 'SchemaViolation', path: 'payload.state', reasonIncludes: 'state must be halted for statusCode H' },
  },
  {
    name: 'missing-status-code',
    description: 'no sc',
    value: withPatch(base, ['payload', 'statusCode'], undefined),
    expected: { errorClass: 'SchemaViolation', path: 'payload.statusCode', reasonIncludes: 'payload.statusCode' },
  },
];
