import { z } from 'zod';
import { hashEventId } from '../../common/event-id';
import { envelopeSchema } from '../../common/envelope';
import { goldenFixture, withPatch, type GoldenFixture, type InvalidFixture } from '../../common/fixtures';
import { epochMsSchema, eventIdSchema, finiteNumber, nonNegativeSharesSchema, priceSchema, symbolSchema, tradingDateSchema } from '../../common/primitives';
import { TOPICS } from '../../topics';
import { quoteV1PayloadSchema } from '../quote/v1';
import { tradeV1PayloadSchema } from '../trade/v1';
import aaplFirstTradeEnriched from './fixtures/aapl-first-trade-enriched.json';
import aaplLastTradeEnriched from './fixtures/aapl-last-trade-enriched.json';
import aaplQuoteEnriched from './fixtures/aapl-quote-after-sweep-enriched.json';
import aaplFirstTradeStaleClose from './fixtures/aapl-first-trade-stale-close-enriched.json';

/** Schema name carried in the envelope's `schema` field. */
export const ENRICHED_V1_SCHEMA = 'market.enriched.v1';
/** Kafka topic of enriched trades and quotes; message key = symbol. */
export const ENRICHED_V1_TOPIC = TOPICS.enriched;

/** Allowed difference between `changePercent` and its formula (percentage points): float noise only. */
export const CHANGE_PERCENT_TOLERANCE = 1e-6;

/**
 * Change versus the previous session's close, in percent: `(price - previousClose) / previousClose * 100`
 * (e.g. AAPL 2012-06-21 last trade 577.635 vs 585.741 -> -1.38388810071...). Unrounded; round for display only.
 * `previousClose` must be on the same share basis as `price`: on a split ex-date divide the raw close by
 * the split coefficient (data README, "Previous close").
 * @returns percent, or null when either input is null.
 */
export function computeChangePercent(price: number | null, previousClose: number | null): number | null {
  if (price === null || previousClose === null) return null;
  return ((price - previousClose) / previousClose) * 100;
}

const nullablePrice = (what: string) => priceSchema(what).nullable();

/** Enrichment fields common to both kinds. Prices USD; indicator values over 1-minute bar closes. */
const enrichmentShape = {
  symbol: symbolSchema,
  /** `id` of the raw trade/quote event this enriches. */
  sourceEventId: eventIdSchema.describe('id of the raw trade/quote event this enriches'),
  /** Close of the latest session before this event's trading date (split-adjusted on ex-dates); null if unknown. */
  previousClose: nullablePrice('previousClose'),
  /** Trading date of `previousClose`, YYYY-MM-DD America/New_York. */
  previousCloseDate: tradingDateSchema.nullable().optional(),
  /**
   * True when `previousCloseDate` is older than the session before this event's trading date (the symbol
   * did not trade or its close is missing): `changePercent` is then measured against a stale close and
   * no price-change alert is raised. Present whenever `previousClose` is known (enricher since issue 13).
   */
  previousCloseStale: z
    .boolean()
    .optional()
    .describe('true when previousCloseDate is older than the previous session (stale close: no threshold alerts)'),
  /** `(lastPrice - previousClose) / previousClose * 100`, see {@link computeChangePercent}; null if either is null. */
  changePercent: finiteNumber('changePercent')
    .nullable()
    .describe('(lastPrice - previousClose) / previousClose * 100, percent units, unrounded; null if either is null'),
  /** Latest trade price of the symbol (this trade's price for kind `trade`); null before the first trade. */
  lastPrice: nullablePrice('lastPrice'),
  /** Latest known best bid/ask (this quote's for kind `quote`); null before the first quote. */
  bidPrice: nullablePrice('bidPrice'),
  askPrice: nullablePrice('askPrice'),
  bidSize: nonNegativeSharesSchema('bidSize').nullable().optional(),
  askSize: nonNegativeSharesSchema('askSize').nullable().optional(),
  /** Simple/exponential moving averages of 1-minute bar closes over `fastPeriod` / `slowPeriod` bars; null while warming up. */
  smaFast: nullablePrice('smaFast').optional(),
  smaSlow: nullablePrice('smaSlow').optional(),
  emaFast: nullablePrice('emaFast').optional(),
  emaSlow: nullablePrice('emaSlow').optional(),
  /** Periods of the fast/slow averages, in 1-minute bars. */
  fastPeriod: z.number().int().positive().optional().describe('Fast moving-average period, 1-minute bars'),
  slowPeriod: z.number().int().positive().optional().describe('Slow moving-average period, 1-minute bars'),
  /** When the enricher produced this record, epoch ms UTC. */
  processingTime: epochMsSchema('processingTime'),
};

/**
 * A raw trade or quote (discriminated by `kind`) plus per-symbol enrichment. The embedded raw payload
 * is verbatim; the envelope copies the raw event's `eventTime`, `eventTimeNs`, `ingestTime` and `source`.
 */
export const enrichedV1PayloadSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.object({ kind: z.literal('trade'), trade: tradeV1PayloadSchema, ...enrichmentShape }),
      z.object({ kind: z.literal('quote'), quote: quoteV1PayloadSchema, ...enrichmentShape }),
    ],
    { error: 'kind must be "trade" or "quote"' },
  )
  .superRefine((enriched, ctx) => {
    const raw = enriched.kind === 'trade' ? enriched.trade : enriched.quote;
    if (raw.symbol !== enriched.symbol) {
      ctx.addIssue({ code: 'custom', path: ['symbol'], message: `symbol must equal ${enriched.kind}.symbol` });
    }
    if (enriched.kind === 'trade' && enriched.lastPrice !== enriched.trade.price) {
      ctx.addIssue({ code: 'custom', path: ['lastPrice'], message: 'lastPrice must equal trade.price' });
    }
    if (enriched.kind === 'quote' && (enriched.bidPrice !== enriched.quote.bidPrice || enriched.askPrice !== enriched.quote.askPrice)) {
      ctx.addIssue({ code: 'custom', path: ['bidPrice'], message: 'bidPrice/askPrice must equal quote.bidPrice/askPrice' });
    }
    const expected = computeChangePercent(enriched.lastPrice, enriched.previousClose);
    const consistent =
      expected === null
        ? enriched.changePercent === null
        : enriched.changePercent !== null && Math.abs(enriched.changePercent - expected) <= CHANGE_PERCENT_TOLERANCE;
    if (!consistent) {
      ctx.addIssue({
        code: 'custom',
        path: ['changePercent'],
        message: 'changePercent must be (lastPrice - previousClose) / previousClose * 100, or null when either is null',
      });
    }
  });
export type EnrichedV1Payload = z.infer<typeof enrichedV1PayloadSchema>;
export type EnrichedV1Kind = EnrichedV1Payload['kind'];

/** Envelope `market.enriched.v1` on topic `market.enriched.v1`. */
export const enrichedV1EventSchema = envelopeSchema(ENRICHED_V1_SCHEMA, enrichedV1PayloadSchema, 'EnrichedV1Event');
export type EnrichedV1Event = z.infer<typeof enrichedV1EventSchema>;

/** Deterministic id of an enriched event: `hashEventId([schema, sourceEventId])` (one enriched record per raw event). */
export function enrichedV1EventId(payload: Pick<EnrichedV1Payload, 'sourceEventId'>): string {
  return hashEventId([ENRICHED_V1_SCHEMA, payload.sourceEventId]);
}

/** Golden enriched events (LOBSTER 2012-06-21 + daily previous close; see each fixture's `origin`). */
export const ENRICHED_V1_FIXTURES: readonly GoldenFixture<EnrichedV1Event>[] = [
  goldenFixture<EnrichedV1Event>(aaplFirstTradeEnriched),
  goldenFixture<EnrichedV1Event>(aaplLastTradeEnriched),
  goldenFixture<EnrichedV1Event>(aaplQuoteEnriched),
  goldenFixture<EnrichedV1Event>(aaplFirstTradeStaleClose),
];

const base = aaplLastTradeEnriched.event;

/** Enriched events that must be rejected, with the expected reason. */
export const ENRICHED_V1_INVALID_FIXTURES: readonly InvalidFixture[] = [
  {
    name: 'change-percent-as-fraction',
    description: 'changePercent as a fraction (-0.0138) instead of percent units (-1.38)',
    value: withPatch(base, ['payload', 'changePercent'], -0.013838881007134545),
    expected: { errorClass: 'SchemaViolation', path: 'payload.changePercent', reasonIncludes: 'changePercent must be (lastPrice - previousClose)' },
  },
  {
    name: 'unknown-kind',
    description: 'kind "bar" is not trade or quote',
    value: withPatch(base, ['payload', 'kind'], 'bar'),
    expected: { errorClass: 'SchemaViolation', path: 'payload.kind', reasonIncludes: 'kind must be "trade" or "quote"' },
  },
  {
    name: 'last-price-not-trade-price',
    description: 'lastPrice differs from the embedded trade price',
    value: withPatch(base, ['payload', 'lastPrice'], 577.67),
    expected: { errorClass: 'SchemaViolation', path: 'payload.lastPrice', reasonIncludes: 'lastPrice must equal trade.price' },
  },
  {
    name: 'missing-previous-close',
    description: 'previousClose omitted (it must be present, null when unknown)',
    value: withPatch(base, ['payload', 'previousClose'], undefined),
    expected: { errorClass: 'SchemaViolation', path: 'payload.previousClose', reasonIncludes: 'previousClose is required' },
  },
  {
    name: 'previous-close-stale-as-string',
    description: 'previousCloseStale as the string "true" instead of a boolean',
    value: withPatch(base, ['payload', 'previousCloseStale'], 'true'),
    expected: { errorClass: 'SchemaViolation', path: 'payload.previousCloseStale', reasonIncludes: 'expected boolean' },
  },
];
