import { z } from 'zod';
import { buildMarketEventId } from '../../common/event-id';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { nonNegativeSharesSchema, priceSchema, symbolSchema } from '../../common/primitives';
import { TOPICS } from '../../topics';
import aaplFirstQuote from './fixtures/aapl-first-quote.json';
import aaplQuoteAfterSweep from './fixtures/aapl-quote-after-sweep.json';
import amznFirstQuote from './fixtures/amzn-first-quote.json';
import googFirstQuote from './fixtures/goog-first-quote.json';

/** Schema name carried in the envelope's `schema` field. */
export const QUOTE_V1_SCHEMA = 'market.quote.v1';
/** Kafka topic of level-1 quotes; message key = symbol. */
export const QUOTE_V1_TOPIC = TOPICS.quotes;

/**
 * Level-1 quote: best bid and offer (BBO). Prices USD > 0, sizes shares >= 0.
 * A crossed quote (bidPrice > askPrice) is rejected: on a single venue it cannot persist and it
 * would poison spread/mid computations. A locked quote (bidPrice == askPrice) is accepted.
 */
export const quoteV1PayloadSchema = z
  .object({
    symbol: symbolSchema,
    bidPrice: priceSchema('bidPrice'),
    bidSize: nonNegativeSharesSchema('bidSize'),
    askPrice: priceSchema('askPrice'),
    askSize: nonNegativeSharesSchema('askSize'),
    /** Venue: ISO 10383 MIC (e.g. `XNAS`) or the source's exchange code. */
    venue: z.string().min(1).max(16).optional().describe('Venue: ISO 10383 MIC (e.g. XNAS) or the source exchange code'),
    /** Source sequence number (LOBSTER: 1-based row number of the message/orderbook files). */
    sequence: z.number().int().nonnegative().optional().describe('Source sequence number (LOBSTER: 1-based row); part of the event id'),
  })
  .refine((quote) => quote.bidPrice <= quote.askPrice, {
    path: ['bidPrice'],
    error: 'bidPrice must be <= askPrice (crossed quote)',
  });
export type QuoteV1Payload = z.infer<typeof quoteV1PayloadSchema>;

/** Envelope `market.quote.v1` on topic `market.quotes.v1`. */
export const quoteV1EventSchema = envelopeSchema(QUOTE_V1_SCHEMA, quoteV1PayloadSchema, 'QuoteV1Event');
export type QuoteV1Event = z.infer<typeof quoteV1EventSchema>;

/** Deterministic id of a quote: {@link buildMarketEventId} over schema, source, symbol, event time and `sequence`. */
export function quoteV1EventId(event: Pick<QuoteV1Event, 'source' | 'eventTime' | 'eventTimeNs'> & {
  payload: Pick<QuoteV1Payload, 'symbol' | 'sequence'>;
}): string {
  return buildMarketEventId({
    schema: QUOTE_V1_SCHEMA,
    source: event.source,
    symbol: event.payload.symbol,
    eventTime: event.eventTime,
    eventTimeNs: event.eventTimeNs,
    sequence: event.payload.sequence,
  });
}

/** Golden quotes from the LOBSTER 2012-06-21 sample (see each fixture's `origin`). */
export const QUOTE_V1_FIXTURES: readonly GoldenFixture<QuoteV1Event>[] = [
  goldenFixture<QuoteV1Event>(aaplFirstQuote),
  goldenFixture<QuoteV1Event>(aaplQuoteAfterSweep),
  goldenFixture<QuoteV1Event>(amznFirstQuote),
  goldenFixture<QuoteV1Event>(googFirstQuote),
];

const base = aaplFirstQuote.event;

/** Quotes that must be rejected, with the expected reason. */
export const QUOTE_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'crossed-quote',
    description: 'bid 585.95 above ask 585.94',
    value: withPatch(base, ['payload', 'bidPrice'], 585.95),
    expected: { errorClass: 'SchemaViolation', path: 'payload.bidPrice', reasonIncludes: 'bidPrice must be <= askPrice (crossed quote)' },
  },
  {
    name: 'zero-bid-price',
    description: 'bid price 0 (an empty side must not be sent as a price of 0)',
    value: withPatch(base, ['payload', 'bidPrice'], 0),
    expected: { errorClass: 'SchemaViolation', path: 'payload.bidPrice', reasonIncludes: 'bidPrice must be > 0 (USD)' },
  },
  {
    name: 'lobster-empty-side-sentinel',
    description: 'LOBSTER empty-bid sentinel -9999999999 / 10000 passed through',
    value: withPatch(base, ['payload', 'bidPrice'], -999999.9999),
    expected: { errorClass: 'SchemaViolation', path: 'payload.bidPrice', reasonIncludes: 'bidPrice must be > 0 (USD)' },
  },
  {
    name: 'negative-ask-size',
    description: 'askSize -200',
    value: withPatch(base, ['payload', 'askSize'], -200),
    expected: { errorClass: 'SchemaViolation', path: 'payload.askSize', reasonIncludes: 'askSize must be >= 0 shares' },
  },
  {
    name: 'infinite-ask-price',
    description: 'askPrice Infinity',
    value: withPatch(base, ['payload', 'askPrice'], Number.POSITIVE_INFINITY),
    expected: { errorClass: 'SchemaViolation', path: 'payload.askPrice', reasonIncludes: 'askPrice must be a finite number, got Infinity' },
  },
  {
    name: 'missing-ask-size',
    description: 'payload without askSize',
    value: withPatch(base, ['payload', 'askSize'], undefined),
    expected: { errorClass: 'SchemaViolation', path: 'payload.askSize', reasonIncludes: 'askSize is required' },
  },
  {
    name: 'missing-payload',
    description: 'envelope without payload',
    value: withPatch(base, ['payload'], undefined),
    expected: { errorClass: 'SchemaViolation', path: 'payload', reasonIncludes: 'is required' },
  },
];
