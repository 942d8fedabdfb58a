import { z } from 'zod';
import { buildMarketEventId } from '../../common/event-id';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { positiveSharesSchema, priceSchema, symbolSchema } from '../../common/primitives';
import { TOPICS } from '../../topics';
import aaplFirstTrade from './fixtures/aapl-first-trade.json';
import aaplSweepSecondFill from './fixtures/aapl-sweep-second-fill.json';
import aaplLastTradeHidden from './fixtures/aapl-last-trade-hidden.json';
import amznFirstTrade from './fixtures/amzn-first-trade.json';
import googFirstTrade from './fixtures/goog-first-trade.json';

/** Schema name carried in the envelope's `schema` field. */
export const TRADE_V1_SCHEMA = 'market.trade.v1';
/** Kafka topic of trades; message key = symbol. */
export const TRADE_V1_TOPIC = TOPICS.trades;

/**
 * Side of the aggressive (liquidity-taking) order. `buy` = buyer-initiated (lifted the offer).
 * LOBSTER: aggressor = -direction of the resting order (README "Deriving the streams").
 */
export const aggressorSideSchema = z
  .enum(['buy', 'sell', 'unknown'], { error: 'aggressorSide must be buy, sell or unknown' })
  .describe('Side of the liquidity-taking order: buy = buyer-initiated');
export type AggressorSide = z.infer<typeof aggressorSideSchema>;

/** A trade (execution) print. */
export const tradeV1PayloadSchema = z.object({
  symbol: symbolSchema,
  /** USD per share, as traded. */
  price: priceSchema('price'),
  /** Shares, integer > 0. */
  size: positiveSharesSchema('size'),
  aggressorSide: aggressorSideSchema,
  /** Venue: ISO 10383 MIC (e.g. `XNAS`) or the source's exchange code (Alpaca `x`). */
  venue: z.string().min(1).max(16).optional().describe('Venue: ISO 10383 MIC (e.g. XNAS) or the source exchange code'),
  /** Venue/source trade id, when the source assigns one (Alpaca `i`). Preferred over `sequence` in the id. */
  tradeId: z.string().min(1).max(64).optional().describe('Venue/source trade id; part of the event id when present'),
  /**
   * Source sequence number distinguishing records with the same timestamp; for LOBSTER the 1-based row
   * number in the message file.
   */
  sequence: z.number().int().nonnegative().optional().describe('Source sequence number (LOBSTER: 1-based message-file row); part of the event id'),
  /** Sale-condition codes as the source reports them (e.g. Alpaca/UTP `@`, `F`, `I`). */
  conditions: z.array(z.string().min(1).max(8)).max(16).optional().describe('Sale-condition codes as reported by the source'),
});
export type TradeV1Payload = z.infer<typeof tradeV1PayloadSchema>;

/** Envelope `market.trade.v1` on topic `market.trades.v1`. */
export const tradeV1EventSchema = envelopeSchema(TRADE_V1_SCHEMA, tradeV1PayloadSchema, 'TradeV1Event');
export type TradeV1Event = z.infer<typeof tradeV1EventSchema>;

/**
 * Deterministic id of a trade: {@link buildMarketEventId} over schema, source, symbol, event time (ns
 * if known) and `tradeId ?? sequence`.
 */
export function tradeV1EventId(event: Pick<TradeV1Event, 'source' | 'eventTime' | 'eventTimeNs'> & {
  payload: Pick<TradeV1Payload, 'symbol' | 'tradeId' | 'sequence'>;
}): string {
  return buildMarketEventId({
    schema: TRADE_V1_SCHEMA,
    source: event.source,
    symbol: event.payload.symbol,
    eventTime: event.eventTime,
    eventTimeNs: event.eventTimeNs,
    sequence: event.payload.tradeId ?? event.payload.sequence,
  });
}

/** Golden trades from the LOBSTER 2012-06-21 sample (see each fixture's `origin`). */
export const TRADE_V1_FIXTURES: readonly GoldenFixture<TradeV1Event>[] = [
  goldenFixture<TradeV1Event>(aaplFirstTrade),
  goldenFixture<TradeV1Event>(aaplSweepSecondFill),
  goldenFixture<TradeV1Event>(aaplLastTradeHidden),
  goldenFixture<TradeV1Event>(amznFirstTrade),
  goldenFixture<TradeV1Event>(googFirstTrade),
];

const base = aaplFirstTrade.event;

/** Trades that must be rejected, with the expected reason. */
export const TRADE_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'nan-price',
    description: 'price NaN (a producer bug; JSON text cannot carry it, JSON.stringify would send null)',
    value: withPatch(base, ['payload', 'price'], Number.NaN),
    expected: { errorClass: 'SchemaViolation', path: 'payload.price', reasonIncludes: 'price must be a finite number, got NaN' },
  },
  {
    name: 'null-price',
    description: 'price null: what JSON.stringify makes of NaN/Infinity',
    value: withPatch(base, ['payload', 'price'], null),
    expected: { errorClass: 'SchemaViolation', path: 'payload.price', reasonIncludes: 'price must be a finite number, got null' },
  },
  {
    name: 'nan-literal-text',
    description: 'a NaN literal in the JSON text (Python json.dumps default) is not JSON',
    text: JSON.stringify(base).replace('"price":585.74', '"price":NaN'),
    expected: { errorClass: 'MalformedJson', reasonIncludes: 'not valid JSON' },
  },
  {
    name: 'negative-size',
    description: 'size -40 shares',
    value: withPatch(base, ['payload', 'size'], -40),
    expected: { errorClass: 'SchemaViolation', path: 'payload.size', reasonIncludes: 'size must be > 0 shares' },
  },
  {
    name: 'zero-size',
    description: 'size 0: a trade of no shares',
    value: withPatch(base, ['payload', 'size'], 0),
    expected: { errorClass: 'SchemaViolation', path: 'payload.size', reasonIncludes: 'size must be > 0 shares' },
  },
  {
    name: 'fractional-size',
    description: 'size 40.5: shares are integers on this feed',
    value: withPatch(base, ['payload', 'size'], 40.5),
    expected: { errorClass: 'SchemaViolation', path: 'payload.size', reasonIncludes: 'size must be an integer number of shares' },
  },
  {
    name: 'missing-price',
    description: 'payload without price',
    value: withPatch(base, ['payload', 'price'], undefined),
    expected: { errorClass: 'SchemaViolation', path: 'payload.price', reasonIncludes: 'price is required' },
  },
  {
    name: 'lowercase-symbol',
    description: 'symbol "aapl"',
    value: withPatch(base, ['payload', 'symbol'], 'aapl'),
    expected: { errorClass: 'SchemaViolation', path: 'payload.symbol', reasonIncludes: 'symbol must match' },
  },
  {
    name: 'event-time-in-seconds',
    description: 'eventTime in epoch seconds instead of ms',
    value: withPatch(withPatch(base, ['eventTime'], 1340285400), ['eventTimeNs'], undefined),
    expected: { errorClass: 'SchemaViolation', path: 'eventTime', reasonIncludes: 'eventTime must be epoch ms >= 1990-01-01' },
  },
  {
    name: 'event-time-ns-mismatch',
    description: 'eventTime 1 ms off its eventTimeNs',
    value: withPatch(base, ['eventTime'], 1340285400276),
    expected: { errorClass: 'SchemaViolation', path: 'eventTime', reasonIncludes: 'eventTime must equal eventTimeNs rounded' },
  },
  {
    name: 'wrong-schema-name',
    description: 'a quote envelope name on the trades topic',
    value: withPatch(base, ['schema'], 'market.quote.v1'),
    expected: { errorClass: 'SchemaViolation', path: 'schema', reasonIncludes: 'schema must be "market.trade.v1"' },
  },
  {
    name: 'truncated-json',
    description: 'value cut off mid-record',
    text: JSON.stringify(base).slice(0, 40),
    expected: { errorClass: 'MalformedJson', reasonIncludes: 'not valid JSON' },
  },
  {
    name: 'empty-value',
    description: 'empty value (tombstone)',
    text: '',
    expected: { errorClass: 'EmptyValue', reasonIncludes: 'empty' },
  },
];
