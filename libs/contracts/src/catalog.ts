import type { z } from 'zod';
import { EventContractError, formatContractIssues, toContractIssues, type ContractIssue } from './common/contract-error';
import type { GoldenFixture, InvalidFixture } from './common/fixtures';
import type { ContractErrorClass } from './dead-letter/error-classes';
import { ALERT_V1_FIXTURES, ALERT_V1_INVALID_FIXTURES, ALERT_V1_SCHEMA, alertV1EventId, alertV1EventSchema, alertV1PayloadSchema } from './market/alert/v1';
import { BAR_1M_V1_FIXTURES, BAR_1M_V1_INVALID_FIXTURES, BAR_1M_V1_SCHEMA, bar1mV1EventId, bar1mV1EventSchema, bar1mV1PayloadSchema } from './market/bar-1m/v1';
import {
  BAR_DAILY_V1_FIXTURES,
  BAR_DAILY_V1_INVALID_FIXTURES,
  BAR_DAILY_V1_SCHEMA,
  barDailyV1EventId,
  barDailyV1EventSchema,
  barDailyV1PayloadSchema,
} from './market/bar-daily/v1';
import {
  ENRICHED_V1_FIXTURES,
  ENRICHED_V1_INVALID_FIXTURES,
  ENRICHED_V1_SCHEMA,
  enrichedV1EventId,
  enrichedV1EventSchema,
  enrichedV1PayloadSchema,
} from './market/enriched/v1';
import { QUOTE_V1_FIXTURES, QUOTE_V1_INVALID_FIXTURES, QUOTE_V1_SCHEMA, quoteV1EventId, quoteV1EventSchema, quoteV1PayloadSchema } from './market/quote/v1';
import { TRADE_V1_FIXTURES, TRADE_V1_INVALID_FIXTURES, TRADE_V1_SCHEMA, tradeV1EventId, tradeV1EventSchema, tradeV1PayloadSchema } from './market/trade/v1';
import {
  BAR_SOURCE_1M_V1_FIXTURES,
  BAR_SOURCE_1M_V1_INVALID_FIXTURES,
  BAR_SOURCE_1M_V1_SCHEMA,
  barSource1mV1EventId,
  barSource1mV1EventSchema,
  barSource1mV1PayloadSchema,
} from './market/bar-source-1m/v1';
import {
  TRADE_CORRECTION_V1_FIXTURES,
  TRADE_CORRECTION_V1_INVALID_FIXTURES,
  TRADE_CORRECTION_V1_SCHEMA,
  tradeCorrectionV1EventId,
  tradeCorrectionV1EventSchema,
  tradeCorrectionV1PayloadSchema,
} from './market/trade-correction/v1';
import {
  TRADE_CANCEL_V1_FIXTURES,
  TRADE_CANCEL_V1_INVALID_FIXTURES,
  TRADE_CANCEL_V1_SCHEMA,
  tradeCancelV1EventId,
  tradeCancelV1EventSchema,
  tradeCancelV1PayloadSchema,
} from './market/trade-cancel/v1';
import {
  TRADING_STATUS_V1_FIXTURES,
  TRADING_STATUS_V1_INVALID_FIXTURES,
  TRADING_STATUS_V1_SCHEMA,
  tradingStatusV1EventId,
  tradingStatusV1EventSchema,
  tradingStatusV1PayloadSchema,
} from './market/trading-status/v1';
import { CORRECTION_V1_FIXTURES, CORRECTION_V1_INVALID_FIXTURES, CORRECTION_V1_SCHEMA, correctionV1EventId, correctionV1EventSchema, correctionV1PayloadSchema } from './market/correction/v1';
import { HALT_V1_FIXTURES, HALT_V1_INVALID_FIXTURES, HALT_V1_SCHEMA, haltV1EventId, haltV1EventSchema, haltV1PayloadSchema } from './market/halt/v1';
import { clockSkewReason, oversizedReason } from './common/record-limits';
import { TOPICS, type TopicName } from './topics';

/**
 * The catalog: schema name -> topic, envelope schema and payload schema. One schema per topic.
 * Pattern after trigger.dev's zodMessageHandler: one table drives parsing, building, JSON Schema
 * and AsyncAPI generation, so a new event cannot be half-registered.
 */
export const EVENT_CATALOG = {
  [TRADE_V1_SCHEMA]: { topic: TOPICS.trades, eventSchema: tradeV1EventSchema, payloadSchema: tradeV1PayloadSchema, title: 'Trade' },
  [QUOTE_V1_SCHEMA]: { topic: TOPICS.quotes, eventSchema: quoteV1EventSchema, payloadSchema: quoteV1PayloadSchema, title: 'Quote (level-1 BBO)' },
  [BAR_DAILY_V1_SCHEMA]: { topic: TOPICS.barsDaily, eventSchema: barDailyV1EventSchema, payloadSchema: barDailyV1PayloadSchema, title: 'Daily bar (raw)' },
  [BAR_SOURCE_1M_V1_SCHEMA]: { topic: TOPICS.barsSource1m, eventSchema: barSource1mV1EventSchema, payloadSchema: barSource1mV1PayloadSchema, title: "Source's 1-minute bar (raw, e.g. Alpaca b)" },
  [TRADE_CORRECTION_V1_SCHEMA]: { topic: TOPICS.tradeCorrections, eventSchema: tradeCorrectionV1EventSchema, payloadSchema: tradeCorrectionV1PayloadSchema, title: 'Trade correction (raw, Alpaca c)' },
  [TRADE_CANCEL_V1_SCHEMA]: { topic: TOPICS.tradeCancels, eventSchema: tradeCancelV1EventSchema, payloadSchema: tradeCancelV1PayloadSchema, title: 'Trade cancel or error (raw, Alpaca x)' },
  [TRADING_STATUS_V1_SCHEMA]: { topic: TOPICS.tradingStatus, eventSchema: tradingStatusV1EventSchema, payloadSchema: tradingStatusV1PayloadSchema, title: 'Trading status: halt, pause, resumption (raw, Alpaca s)' },
  [ENRICHED_V1_SCHEMA]: { topic: TOPICS.enriched, eventSchema: enrichedV1EventSchema, payloadSchema: enrichedV1PayloadSchema, title: 'Enriched trade or quote' },
  [BAR_1M_V1_SCHEMA]: { topic: TOPICS.bars1m, eventSchema: bar1mV1EventSchema, payloadSchema: bar1mV1PayloadSchema, title: '1-minute bar' },
  [ALERT_V1_SCHEMA]: { topic: TOPICS.alerts, eventSchema: alertV1EventSchema, payloadSchema: alertV1PayloadSchema, title: 'Alert' },
  [CORRECTION_V1_SCHEMA]: { topic: TOPICS.corrections, eventSchema: correctionV1EventSchema, payloadSchema: correctionV1PayloadSchema, title: 'Trade correction or cancel, as applied (restated bar)' },
  [HALT_V1_SCHEMA]: { topic: TOPICS.halts, eventSchema: haltV1EventSchema, payloadSchema: haltV1PayloadSchema, title: 'Halt, pause or resumption (halted flag)' },
} as const;

/** Schema names, e.g. `market.trade.v1`. */
export type SchemaName = keyof typeof EVENT_CATALOG;
/** All schema names in catalog order. */
export const SCHEMA_NAMES = Object.keys(EVENT_CATALOG) as SchemaName[];

/** Topic -> the schema name its messages carry. */
export const TOPIC_SCHEMAS = {
  [TOPICS.trades]: TRADE_V1_SCHEMA,
  [TOPICS.quotes]: QUOTE_V1_SCHEMA,
  [TOPICS.barsDaily]: BAR_DAILY_V1_SCHEMA,
  [TOPICS.barsSource1m]: BAR_SOURCE_1M_V1_SCHEMA,
  [TOPICS.tradeCorrections]: TRADE_CORRECTION_V1_SCHEMA,
  [TOPICS.tradeCancels]: TRADE_CANCEL_V1_SCHEMA,
  [TOPICS.tradingStatus]: TRADING_STATUS_V1_SCHEMA,
  [TOPICS.enriched]: ENRICHED_V1_SCHEMA,
  [TOPICS.bars1m]: BAR_1M_V1_SCHEMA,
  [TOPICS.alerts]: ALERT_V1_SCHEMA,
  [TOPICS.corrections]: CORRECTION_V1_SCHEMA,
  [TOPICS.halts]: HALT_V1_SCHEMA,
} as const satisfies Record<TopicName, SchemaName>;

/** Parsed event of schema `S` (envelope + payload). */
export type EventOf<S extends SchemaName> = z.output<(typeof EVENT_CATALOG)[S]['eventSchema']>;
/** Payload of schema `S`. */
export type PayloadOf<S extends SchemaName> = EventOf<S>['payload'];
/** Schema name carried on topic `T`. */
export type SchemaOfTopic<T extends TopicName> = (typeof TOPIC_SCHEMAS)[T];
/** Parsed event on topic `T`. */
export type EventOfTopic<T extends TopicName> = EventOf<SchemaOfTopic<T>>;
/** Any Tickwire event (discriminated by `schema`). */
export type TickwireEvent = { [S in SchemaName]: EventOf<S> }[SchemaName];

/** Golden fixtures of every schema, for producers' and consumers' contract tests. */
export const GOLDEN_FIXTURES: { readonly [S in SchemaName]: readonly GoldenFixture<EventOf<S>>[] } = {
  [TRADE_V1_SCHEMA]: TRADE_V1_FIXTURES,
  [QUOTE_V1_SCHEMA]: QUOTE_V1_FIXTURES,
  [BAR_DAILY_V1_SCHEMA]: BAR_DAILY_V1_FIXTURES,
  [BAR_SOURCE_1M_V1_SCHEMA]: BAR_SOURCE_1M_V1_FIXTURES,
  [TRADE_CORRECTION_V1_SCHEMA]: TRADE_CORRECTION_V1_FIXTURES,
  [TRADE_CANCEL_V1_SCHEMA]: TRADE_CANCEL_V1_FIXTURES,
  [TRADING_STATUS_V1_SCHEMA]: TRADING_STATUS_V1_FIXTURES,
  [ENRICHED_V1_SCHEMA]: ENRICHED_V1_FIXTURES,
  [BAR_1M_V1_SCHEMA]: BAR_1M_V1_FIXTURES,
  [ALERT_V1_SCHEMA]: ALERT_V1_FIXTURES,
  [CORRECTION_V1_SCHEMA]: CORRECTION_V1_FIXTURES,
  [HALT_V1_SCHEMA]: HALT_V1_FIXTURES,
};

/** Invalid fixtures of every schema, with the expected error class, path and reason. */
export const INVALID_FIXTURES: { readonly [S in SchemaName]: readonly InvalidFixture[] } = {
  [TRADE_V1_SCHEMA]: TRADE_V1_INVALID_FIXTURES,
  [QUOTE_V1_SCHEMA]: QUOTE_V1_INVALID_FIXTURES,
  [BAR_DAILY_V1_SCHEMA]: BAR_DAILY_V1_INVALID_FIXTURES,
  [BAR_SOURCE_1M_V1_SCHEMA]: BAR_SOURCE_1M_V1_INVALID_FIXTURES,
  [TRADE_CORRECTION_V1_SCHEMA]: TRADE_CORRECTION_V1_INVALID_FIXTURES,
  [TRADE_CANCEL_V1_SCHEMA]: TRADE_CANCEL_V1_INVALID_FIXTURES,
  [TRADING_STATUS_V1_SCHEMA]: TRADING_STATUS_V1_INVALID_FIXTURES,
  [ENRICHED_V1_SCHEMA]: ENRICHED_V1_INVALID_FIXTURES,
  [BAR_1M_V1_SCHEMA]: BAR_1M_V1_INVALID_FIXTURES,
  [ALERT_V1_SCHEMA]: ALERT_V1_INVALID_FIXTURES,
  [CORRECTION_V1_SCHEMA]: CORRECTION_V1_INVALID_FIXTURES,
  [HALT_V1_SCHEMA]: HALT_V1_INVALID_FIXTURES,
};

/**
 * Schemas of what sources claim (the raw topics), whose `eventTime` may not lie after `ingestTime` by
 * more than MAX_EVENT_TIME_AHEAD_OF_INGEST_MS (`ClockSkew`). Derived events copy or derive their
 * times from raw ones that passed this check.
 */
const CLOCK_CHECKED_SCHEMAS: ReadonlySet<SchemaName> = new Set([
  TRADE_V1_SCHEMA,
  QUOTE_V1_SCHEMA,
  BAR_DAILY_V1_SCHEMA,
  BAR_SOURCE_1M_V1_SCHEMA,
  TRADE_CORRECTION_V1_SCHEMA,
  TRADE_CANCEL_V1_SCHEMA,
  TRADING_STATUS_V1_SCHEMA,
]);

/** The `ClockSkew` reason of a schema-valid event, or undefined. */
function clockSkewOf(schema: SchemaName, event: { eventTime: number; ingestTime: number }): string | undefined {
  return CLOCK_CHECKED_SCHEMAS.has(schema) ? clockSkewReason(event.eventTime, event.ingestTime) : undefined;
}

/** True if `topic` is a main Tickwire topic (not `.dlq` / `.late`). */
export function isTopicName(topic: string): topic is TopicName {
  return Object.prototype.hasOwnProperty.call(TOPIC_SCHEMAS, topic);
}

/** Result of {@link safeParseEvent}: the typed event, or a dead-letter-ready failure. */
export type ParseEventResult<Event> =
  | { success: true; event: Event }
  | { success: false; errorClass: ContractErrorClass; reason: string; issues: readonly ContractIssue[] };

function failure(errorClass: ContractErrorClass, reason: string, issues: readonly ContractIssue[] = []) {
  return { success: false as const, errorClass, reason, issues };
}

/**
 * Validates an already-decoded value against the schema of `topic`.
 * Failure classes: `UnknownTopic`, `EmptyValue` (null/undefined), `SchemaViolation` (with issues),
 * `ClockSkew` (raw topics: eventTime after ingestTime by more than MAX_EVENT_TIME_AHEAD_OF_INGEST_MS).
 */
export function safeParseEventValue<T extends TopicName>(topic: T, value: unknown): ParseEventResult<EventOfTopic<T>>;
export function safeParseEventValue(topic: string, value: unknown): ParseEventResult<TickwireEvent>;
export function safeParseEventValue(topic: string, value: unknown): ParseEventResult<TickwireEvent> {
  if (!isTopicName(topic)) return failure('UnknownTopic', `topic ${topic} is not in the Tickwire event catalog`);
  if (value === null || value === undefined) return failure('EmptyValue', 'value is empty (null)');
  const schema = TOPIC_SCHEMAS[topic];
  const result = EVENT_CATALOG[schema].eventSchema.safeParse(value);
  if (!result.success) {
    const issues = toContractIssues(result.error);
    return failure('SchemaViolation', formatContractIssues(issues), issues);
  }
  const skew = clockSkewOf(schema, result.data);
  if (skew !== undefined) return failure('ClockSkew', skew);
  return { success: true, event: result.data as TickwireEvent };
}

/**
 * Decodes a Kafka record value (UTF-8 JSON text or bytes) and validates it against the schema of
 * `topic`. Never throws. Failure classes: `EmptyValue` (null/empty), `OversizedRecord` (above
 * MAX_EVENT_RECORD_BYTES, not decoded), `MalformedJson` (not UTF-8 JSON; also NaN / Infinity
 * literals), `UnknownTopic`, `SchemaViolation`, `ClockSkew`; `reason` is one human-readable line for
 * the DLQ header.
 * @example safeParseEvent('market.trades.v1', message.value) // -> { success: true, event: TradeV1Event }
 */
export function safeParseEvent<T extends TopicName>(topic: T, value: string | Uint8Array | null | undefined): ParseEventResult<EventOfTopic<T>>;
export function safeParseEvent(topic: string, value: string | Uint8Array | null | undefined): ParseEventResult<TickwireEvent>;
export function safeParseEvent(topic: string, value: string | Uint8Array | null | undefined): ParseEventResult<TickwireEvent> {
  if (!isTopicName(topic)) return failure('UnknownTopic', `topic ${topic} is not in the Tickwire event catalog`);
  if (value === null || value === undefined || value.length === 0) return failure('EmptyValue', 'value is empty (null or zero bytes)');
  const oversized = oversizedReason(value);
  if (oversized !== undefined) return failure('OversizedRecord', oversized);
  let text: string;
  try {
    text = typeof value === 'string' ? value : new TextDecoder('utf-8', { fatal: true }).decode(value);
  } catch {
    return failure('MalformedJson', 'value is not valid UTF-8');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch (error) {
    return failure('MalformedJson', `value is not valid JSON: ${(error as Error).message}`);
  }
  return safeParseEventValue(topic, decoded);
}

/**
 * Like {@link safeParseEvent} but returns the event or throws.
 * @throws EventContractError with `errorClass` and `reason`.
 */
export function parseEvent<T extends TopicName>(topic: T, value: string | Uint8Array | null | undefined): EventOfTopic<T>;
export function parseEvent(topic: string, value: string | Uint8Array | null | undefined): TickwireEvent;
export function parseEvent(topic: string, value: string | Uint8Array | null | undefined): TickwireEvent {
  const result = safeParseEvent(topic, value);
  if (result.success) return result.event;
  throw new EventContractError(result.errorClass, result.reason, result.issues, topic);
}

/** What a producer supplies to {@link buildEvent}: everything but `schema`; `id` defaults to the recipe. */
export type BuildEventInput<S extends SchemaName> = Omit<z.input<(typeof EVENT_CATALOG)[S]['eventSchema']>, 'schema' | 'id'> & {
  id?: string;
};

/**
 * The deterministic id of an event per its schema's recipe (see README "Event ids"):
 * trade/quote/correction/cancel/trading status `buildMarketEventId`, daily bar `[schema, source, symbol, tradingDate]`,
 * 1-minute bar `<symbol>:<startTime>`, source 1-minute bar `<source>:<symbol>:<startTime>`, enriched `[schema, sourceEventId]`, alert `[schema, source, symbol, alertType, eventTime, rule…]`.
 */
export function eventIdOf<S extends SchemaName>(schema: S, event: BuildEventInput<S>): string {
  const e = event as never;
  switch (schema) {
    case TRADE_V1_SCHEMA:
      return tradeV1EventId(e);
    case QUOTE_V1_SCHEMA:
      return quoteV1EventId(e);
    case BAR_DAILY_V1_SCHEMA:
      return barDailyV1EventId(e);
    case BAR_1M_V1_SCHEMA:
      return bar1mV1EventId((event as BuildEventInput<typeof BAR_1M_V1_SCHEMA>).payload);
    case BAR_SOURCE_1M_V1_SCHEMA:
      return barSource1mV1EventId(event as BuildEventInput<typeof BAR_SOURCE_1M_V1_SCHEMA>);
    case TRADE_CORRECTION_V1_SCHEMA:
      return tradeCorrectionV1EventId(e);
    case TRADE_CANCEL_V1_SCHEMA:
      return tradeCancelV1EventId(e);
    case TRADING_STATUS_V1_SCHEMA:
      return tradingStatusV1EventId(e);
    case ENRICHED_V1_SCHEMA:
      return enrichedV1EventId((event as BuildEventInput<typeof ENRICHED_V1_SCHEMA>).payload);
    case ALERT_V1_SCHEMA:
      return alertV1EventId(e);
    case CORRECTION_V1_SCHEMA:
      return correctionV1EventId((event as BuildEventInput<typeof CORRECTION_V1_SCHEMA>).payload);
    case HALT_V1_SCHEMA:
      return haltV1EventId((event as BuildEventInput<typeof HALT_V1_SCHEMA>).payload);
    default:
      throw new TypeError(`unknown schema ${String(schema)}`);
  }
}

/**
 * Builds a validated event in the envelope: sets `schema`, computes `id` when absent, parses with the
 * schema (producers `parse` before sending). Unknown fields are dropped.
 * @throws EventContractError with a human-readable reason if the event breaks the contract:
 *   `SchemaViolation`, or `ClockSkew` for a raw event whose eventTime lies after its ingestTime by more
 *   than MAX_EVENT_TIME_AHEAD_OF_INGEST_MS.
 */
export function buildEvent<S extends SchemaName>(schema: S, input: BuildEventInput<S>): EventOf<S> {
  const entry = EVENT_CATALOG[schema];
  if (!entry) throw new EventContractError('UnknownTopic', `schema ${String(schema)} is not in the Tickwire event catalog`);
  const candidate = { schema, ...input, id: input.id ?? safeEventId(schema, input) };
  const result = entry.eventSchema.safeParse(candidate);
  if (!result.success) {
    const issues = toContractIssues(result.error);
    throw new EventContractError('SchemaViolation', formatContractIssues(issues), issues, schema);
  }
  const skew = clockSkewOf(schema, result.data);
  if (skew !== undefined) throw new EventContractError('ClockSkew', skew, [], schema);
  return result.data as EventOf<S>;
}

/**
 * Puts an event in the envelope like {@link buildEvent} (sets `schema`, computes `id` when absent) but does
 * not parse it: for a stage whose inputs were validated at the edge and whose builders the contract tests
 * pin against the schema (the enricher's outputs: validation once at the edge, issue 14). Parsing every
 * output with zod cost about 13 % of the enricher's CPU, and its copies a share of the garbage collection
 * (CPU profile of the catch-up bench, 2026-12-07). The caller guarantees the shape: no unknown fields, no
 * value the schema would refuse; its tests must check `schema.parse(event)` equals `event`.
 * @throws TypeError for a schema outside the catalog (from {@link eventIdOf})
 */
export function assembleEvent<S extends SchemaName>(schema: S, input: BuildEventInput<S>): EventOf<S> {
  return { schema, ...input, id: input.id ?? eventIdOf(schema, input) } as unknown as EventOf<S>;
}

/** The id, or a placeholder that fails validation with the real field errors when inputs are too broken to hash. */
function safeEventId<S extends SchemaName>(schema: S, input: BuildEventInput<S>): string {
  try {
    return eventIdOf(schema, input);
  } catch {
    return '';
  }
}

/** Kafka message key of an event: its symbol (keeps one symbol's events ordered in one partition). */
export function eventKey(event: { payload: { symbol: string } }): string {
  return event.payload.symbol;
}

/** Kafka message value of an event: compact UTF-8 JSON text. */
export function serializeEvent(event: TickwireEvent): string {
  return JSON.stringify(event);
}
