import {
  alertV1PayloadSchema,
  bar1mV1PayloadSchema,
  epochMsSchema,
  eventIdSchema,
  quoteV1PayloadSchema,
  sourceSchema,
  symbolSchema,
  tradingDateSchema,
  tradeV1PayloadSchema,
} from '@tickwire/contracts';
import { z } from 'zod';
import { PROBLEM_TYPES, type ProblemTypeName, problemTypeUri } from './problem-details';

/**
 * The REST API's response bodies as zod schemas, built on the event contracts of @tickwire/contracts,
 * and their JSON Schemas (2020-12, OpenAPI 3.1's dialect) for `components.schemas` of the OpenAPI
 * document: one definition, so the document cannot drift from the contracts. Objects stay open (no
 * `additionalProperties: false`), as the contracts' published schemas: a field added within a
 * version must not break a client that validates.
 */
const REST_SCHEMAS = z.registry<{ id: string; description?: string }>();

/** The envelope fields a history document carries beside its payload (as opensearch-indexer writes them). */
const documentFields = z.object({
  id: eventIdSchema,
  eventTime: epochMsSchema('eventTime'),
  ingestTime: epochMsSchema('ingestTime'),
  source: sourceSchema,
});

const price = z.number().describe('USD');
const shares = z.number().int().nonnegative().describe('shares');

/** `GET /v1/snapshots/{symbol}`: @tickwire/subscriptions' SymbolSnapshot. */
export const symbolSnapshotSchema = z
  .object({
    symbol: symbolSchema,
    lastEventTime: z.number().int().describe('Greatest event time reflected, epoch ms UTC'),
    lastPrice: price.optional(),
    previousClose: price.optional(),
    previousCloseDate: tradingDateSchema.optional(),
    changePercent: z
      .number()
      .optional()
      .describe('(lastPrice - previousClose) / previousClose * 100, percent'),
    bidPrice: price.optional(),
    askPrice: price.optional(),
    bidSize: shares.optional(),
    askSize: shares.optional(),
    halted: z
      .boolean()
      .optional()
      .describe('Whether trading is halted after the latest trading status (market.halt.v1); false before any'),
  })
  .register(REST_SCHEMAS, {
    id: 'SymbolSnapshot',
    description:
      'State of a symbol after the latest event the gateway consumed; absent fields are not known yet',
  });

/** A history document: an event's payload with its envelope fields, as component `id`. */
function historyDocument(payload: z.ZodType, id: string, description: string): z.ZodType {
  const document = z.intersection(payload, documentFields);
  REST_SCHEMAS.add(document, { id, description });
  return document;
}

export const barSchema = historyDocument(
  bar1mV1PayloadSchema,
  'Bar',
  'A 1-minute bar (market.bar.1m.v1 payload) with its envelope fields; the latest revision',
);
export const tradeSchema = historyDocument(
  tradeV1PayloadSchema,
  'Trade',
  'A raw trade (market.trade.v1 payload) with its envelope fields',
);
export const quoteSchema = historyDocument(
  quoteV1PayloadSchema,
  'Quote',
  'A raw level-1 quote (market.quote.v1 payload) with its envelope fields',
);
export const alertSchema = historyDocument(
  alertV1PayloadSchema,
  'Alert',
  'An alert (market.alert.v1 payload) with its envelope fields',
);

const next = z
  .string()
  .nullable()
  .describe(
    'Path and query of the next page (also in the Link header, rel="next"); null on the last page. A full page has one; the page after it may be empty.',
  );

export const barsPageSchema = z
  .object({ symbol: symbolSchema, bars: z.array(barSchema), next })
  .register(REST_SCHEMAS, { id: 'BarsPage' });
export const tradesPageSchema = z
  .object({ symbol: symbolSchema, trades: z.array(tradeSchema), next })
  .register(REST_SCHEMAS, { id: 'TradesPage' });
export const quotesPageSchema = z
  .object({ symbol: symbolSchema, quotes: z.array(quoteSchema), next })
  .register(REST_SCHEMAS, { id: 'QuotesPage' });
export const alertsPageSchema = z
  .object({
    symbol: symbolSchema.nullable().describe('The symbol asked for; null: every entitled symbol'),
    alerts: z.array(alertSchema),
    next,
  })
  .register(REST_SCHEMAS, { id: 'AlertsPage' });

export const streamSchema = z
  .object({
    topic: z
      .string()
      .describe('Kafka topic, e.g. market.enriched.v1; the {name} of /v1/streams/{name}/schema'),
    schema: z.string().describe('Schema name of its events'),
    title: z.string(),
    schemaUrl: z.string().describe('Where its JSON Schema is served'),
  })
  .register(REST_SCHEMAS, { id: 'Stream' });
export const streamListSchema = z
  .object({ streams: z.array(streamSchema) })
  .register(REST_SCHEMAS, { id: 'StreamList' });

export const jsonSchemaDocumentSchema = z
  .record(z.string(), z.unknown())
  .register(REST_SCHEMAS, { id: 'JsonSchema', description: 'A JSON Schema document (draft-07)' });

export const problemSchema = z
  .object({
    type: z
      .enum(
        Object.keys(PROBLEM_TYPES).map((name) => problemTypeUri(name as ProblemTypeName)) as [
          string,
          ...string[],
        ],
      )
      .describe('Stable URI of the problem type'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional().describe('Path and query of the request'),
    errors: z
      .array(z.object({ parameter: z.string(), detail: z.string() }))
      .optional()
      .describe('invalid-parameter: every invalid parameter'),
  })
  .register(REST_SCHEMAS, {
    id: 'Problem',
    description: 'RFC 9457 problem details (application/problem+json)',
  });

/** Reference to a schema of {@link restApiJsonSchemas} in the OpenAPI document. */
export function schemaRef(id: string): { $ref: string } {
  return { $ref: `#/components/schemas/${id}` };
}

/**
 * JSON Schemas (2020-12) of every response body, keyed by id (SymbolSnapshot, Bar, BarsPage, ...),
 * cross-referencing each other as `#/components/schemas/<id>`.
 * @throws Error if a schema holds something JSON Schema cannot represent (a programming error).
 */
export function restApiJsonSchemas(): Record<string, Record<string, unknown>> {
  const { schemas } = z.toJSONSchema(REST_SCHEMAS, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
    uri: (id) => schemaRef(id).$ref,
  });
  return Object.fromEntries(
    // A component is not a schema resource of its own: the document's dialect applies, refs are the document's.
    Object.entries(schemas).map(([id, schema]) => [
      id,
      Object.fromEntries(
        Object.entries(schema).filter(([keyword]) => keyword !== '$schema' && keyword !== '$id'),
      ),
    ]),
  );
}
