import {
  EVENT_CATALOG,
  EventContractError,
  buildEvent,
  type BarDailyV1Event,
  type BarSource1mV1Event,
  type BuildEventInput,
  type DeadLetterErrorClass,
  type QuoteV1Event,
  type TopicName,
  type TradeCancelV1Event,
  type TradeCorrectionV1Event,
  type TradeV1Event,
  type TradingStatusV1Event,
} from '@tickwire/contracts';

/**
 * The contract events a market-data source can produce: raw trades and quotes, daily bars, and (Alpaca
 * only) the source's own 1-minute bars (opt-in), trade corrections, trade cancels/errors and trading statuses.
 */
export type MarketEvent =
  | TradeV1Event
  | QuoteV1Event
  | BarDailyV1Event
  | BarSource1mV1Event
  | TradeCorrectionV1Event
  | TradeCancelV1Event
  | TradingStatusV1Event;

/** Schema names of {@link MarketEvent}. */
export type MarketEventSchema = MarketEvent['schema'];

/** A valid contract event, already parsed by its zod schema, ready to publish to `topic` (key = `event.payload.symbol`). */
export interface EventRecord {
  readonly kind: 'event';
  /** Topic of the event's schema, e.g. `market.trades.v1`. */
  readonly topic: TopicName;
  readonly event: MarketEvent;
}

/**
 * An input record the source could not turn into a valid event. It is never dropped silently: the
 * ingest producer sends `raw` verbatim to `dlqTopic(topic)` with `errorClass` and `reason` in the
 * dead-letter headers.
 */
export interface RejectedRecord {
  readonly kind: 'rejected';
  /**
   * Topic the record was meant for (its `.dlq` receives it), or null when not even that is known (an
   * unparseable WebSocket frame, an unknown message type).
   */
  readonly topic: TopicName | null;
  /** Data source, e.g. `lobster`, `alpaca` (the envelope `source` the event would have had). */
  readonly source: string;
  /** Dead-letter error class (`SchemaViolation`, `MalformedJson`, `LateEvent`, ...). */
  readonly errorClass: DeadLetterErrorClass;
  /** One human-readable line, e.g. `payload.bidPrice: bidPrice must be <= askPrice (crossed quote)`. */
  readonly reason: string;
  /** The input verbatim: the CSV line(s) or the WebSocket message (JSON text). */
  readonly raw: string;
  /** Where it came from, e.g. `lobster/AAPL_2012-06-21_34200000_57600000_message_1.csv.gz line 8`. */
  readonly origin: string;
  /** Symbol when it could be read (the Kafka key of the dead letter). */
  readonly symbol?: string;
  /** When the source read the record, epoch ms UTC. */
  readonly receivedAt: number;
}

/** What every source yields: a valid event or a rejected raw record. */
export type SourceRecord = EventRecord | RejectedRecord;

/**
 * A market-data source: a single-use async iterable of {@link SourceRecord}s plus `close()`.
 *
 * - Iterate once (`for await`); a second iteration throws `Error`.
 * - Iteration ends when the source is exhausted (replays) or closed; a fatal source error (bad
 *   credentials, unreadable file) rejects the pending `next()` with that error.
 * - `close()` stops reading, releases files/sockets and ends a pending iteration; idempotent.
 * - Breaking out of `for await` also closes the source.
 */
export interface MarketDataSource extends AsyncIterable<SourceRecord> {
  /** Short name for logs and metrics, e.g. `lobster-replay`. */
  readonly name: string;
  close(): Promise<void>;
}

/** Topic of a market event's schema (from the contracts catalog). */
export function topicOfEvent(event: MarketEvent): TopicName {
  return EVENT_CATALOG[event.schema].topic;
}

/** Wraps a valid event. */
export function eventRecord(event: MarketEvent): EventRecord {
  return { kind: 'event', topic: topicOfEvent(event), event };
}

/** Context of a record being built, used when it has to be rejected. */
export interface RecordOrigin {
  readonly source: string;
  readonly raw: string;
  readonly origin: string;
  readonly symbol?: string;
  readonly receivedAt: number;
}

/** Builds a rejected record. */
export function rejectedRecord(
  topic: TopicName | null,
  errorClass: DeadLetterErrorClass,
  reason: string,
  origin: RecordOrigin,
): RejectedRecord {
  return { kind: 'rejected', topic, errorClass, reason, ...origin };
}

/**
 * Builds and validates an event with the contracts' `buildEvent` (id computed by the schema's recipe).
 * @returns the event, or the contract's `EventContractError` (error class and reason) when the input
 *   breaks the contract. Never throws for bad input.
 */
export function tryBuildEvent<S extends MarketEventSchema>(schema: S, input: BuildEventInput<S>): MarketEvent | EventContractError {
  try {
    return buildEvent(schema, input) as MarketEvent;
  } catch (error) {
    if (error instanceof EventContractError) return error;
    throw error;
  }
}

/**
 * {@link tryBuildEvent} as a record: an {@link EventRecord}, or a {@link RejectedRecord} carrying the
 * contract's error class and reason and the origin `origin()` describes (called only on rejection).
 */
export function buildEventRecord<S extends MarketEventSchema>(
  schema: S,
  input: BuildEventInput<S>,
  origin: () => RecordOrigin,
): SourceRecord {
  const result = tryBuildEvent(schema, input);
  return result instanceof EventContractError
    ? rejectedRecord(EVENT_CATALOG[schema].topic, result.errorClass, result.reason, origin())
    : eventRecord(result);
}

/**
 * Compares two decimal epoch-ns strings without BigInt (same-era values have the same length; a shorter
 * string is an earlier time). Both must be non-negative decimal integers without leading zeros.
 */
export function compareEpochNs(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Event time of a market event in epoch ns (decimal string); `eventTime` ms followed by six zeros when `eventTimeNs` is absent. */
export function eventTimeNsOf(event: MarketEvent): string {
  return event.eventTimeNs ?? `${event.eventTime}000000`;
}
