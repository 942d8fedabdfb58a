import { DLQ_HEADERS, dlqTopic, LATE_HEADERS, lateTopic, TOPICS } from '@tickwire/contracts';
import { indexPrefix } from '@tickwire/resources';
import { createLocalKafka, createLocalOpenSearch, type StackConfig } from '@tickwire/testing';
import {
  checkEventTimeOrder,
  checkNoLookAhead,
  type EnrichedFields,
  type EventOrderCounts,
  type LookAheadCounts,
  MarketTape,
  type RawMarketEvent,
  type TimedOutputRecord,
} from './event-order-checks';
import { readTopicsAs, type ReadRecord } from './topic-reader';

/**
 * Reads what issue 12's invariants need from the sinks themselves and checks them
 * (event-order-checks.ts): the raw trades and quotes and the late and dead-letter topics of the
 * enricher's inputs (the reference), `market.enriched.v1`, `market.bars.1m.v1` and `market.alerts.v1`
 * with a fresh read_committed consumer, and every `market-enriched-*` document in OpenSearch.
 *
 * OpenSearch documents carry no topic, partition or offset and the indexer records no order of
 * arrival (`processingTime` is the enricher's clock, not a position), so OpenSearch is checked for
 * look-ahead only; the order is checked on the topics.
 */

const INPUTS = [TOPICS.trades, TOPICS.quotes] as const;

/** Every topic {@link eventOrderInvariants} reads. */
export const EVENT_ORDER_TOPICS: readonly string[] = [
  ...INPUTS,
  TOPICS.enriched,
  TOPICS.bars1m,
  TOPICS.alerts,
  ...INPUTS.map((t) => lateTopic(t)),
  ...INPUTS.map((t) => dlqTopic(t)),
];

/** The raw input the enricher had to take in, and what was excused from it. */
export interface RawReference {
  /** Usable raw trades and quotes by id ({@link rawEventOf}), those a late or dead-letter record names left out. */
  readonly sources: ReadonlyMap<string, RawMarketEvent>;
  readonly tape: MarketTape;
  /** Usable raw records left out because the enricher sent them to `<topic>.late` / `<topic>.dlq`. */
  readonly late: number;
  readonly deadLettered: number;
}

/** Issue 12's invariants on one run. */
export interface EventOrderEvidence {
  readonly enrichedOrder: EventOrderCounts;
  readonly barsOrder: EventOrderCounts;
  readonly alertsOrder: EventOrderCounts;
  /** `market.enriched.v1` (read_committed) against the raw input. */
  readonly topicLookAhead: LookAheadCounts;
  /** OpenSearch `market-enriched-*` documents against the raw input. */
  readonly searchLookAhead: LookAheadCounts;
  readonly reference: RawReference;
}

const json = (record: ReadRecord): Record<string, unknown> => JSON.parse(record.value?.toString('utf8') ?? 'null') as Record<string, unknown>;
const nullableNumber = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const RAW_KIND: Readonly<Record<string, 'trade' | 'quote'>> = { [TOPICS.trades]: 'trade', [TOPICS.quotes]: 'quote' };
interface SideTopic {
  readonly sink: 'late' | 'dlq';
  readonly headers: { readonly originalTopic: string; readonly originalPartition: string; readonly originalOffset: string };
}
const SIDE_TOPICS = new Map<string, SideTopic>([
  ...INPUTS.map((t): [string, SideTopic] => [lateTopic(t), { sink: 'late', headers: LATE_HEADERS }]),
  ...INPUTS.map((t): [string, SideTopic] => [dlqTopic(t), { sink: 'dlq', headers: DLQ_HEADERS }]),
]);

/** What the checks keep of one record of {@link EVENT_ORDER_TOPICS} ({@link evidenceItem}). */
export type EvidenceItem =
  /** A raw trade or quote: its position `<topic>:<partition>:<offset>` and, when usable ({@link rawEventOf}), the event. */
  | { readonly kind: 'raw'; readonly position: string; readonly event?: RawMarketEvent }
  /** A `.late` / `.dlq` record: the position of the raw record it stands for. */
  | { readonly kind: 'excuse'; readonly sink: 'late' | 'dlq'; readonly original: string }
  | { readonly kind: 'enriched'; readonly record: EnrichedTopicRecord }
  /** A bar or an alert. */
  | { readonly kind: 'output'; readonly record: TimedOutputRecord };

const isPrice = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;
const isShares = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const RAW_FIELDS = { trade: { price: isPrice, size: isShares }, quote: { bidPrice: isPrice, askPrice: isPrice, bidSize: isShares, askSize: isShares } } as const;

/**
 * A raw trade or quote as the tape needs it, or undefined when it is no usable event: not JSON, no
 * string id and symbol, no integer eventTime, or a price that is not a positive finite number (a
 * size not a finite number >= 0).
 *
 * Deliberately not the full contract (`safeParseEvent`): zod costs ~25 µs a quote inside Jest, 6 s
 * for the LOBSTER day. The contract's finer rules (crossed quotes, clock skew, sizes of records, ...)
 * need no second judge here: the enricher dead-letters such a record, and a dead-lettered record is
 * left out of the reference by its position; a usable one it neither dead-letters nor takes in makes
 * the events after it offenders here (a trade) or is missing from chaos' source-id check (a quote),
 * and chaos checks that the dead-letter topics hold exactly the poison.
 */
export function rawEventOf(kind: 'trade' | 'quote', record: ReadRecord): RawMarketEvent | undefined {
  let event: Record<string, unknown>;
  try {
    event = json(record);
  } catch {
    return undefined;
  }
  const payload = event?.['payload'] as Record<string, unknown> | undefined;
  const { id, eventTime } = event ?? {};
  if (typeof id !== 'string' || !Number.isInteger(eventTime) || typeof payload?.['symbol'] !== 'string') return undefined;
  if (!Object.entries(RAW_FIELDS[kind]).every(([field, valid]) => valid(payload[field]))) return undefined;
  return { id, symbol: payload['symbol'], kind, eventTime: eventTime as number, payload };
}

/**
 * What the checks need of `record`, parsed once as it is read: raw trades and quotes ({@link rawEventOf}),
 * the original position of late and dead-letter records, enriched records
 * ({@link enrichedTopicRecord}), bars and alerts (position, symbol, eventTime, window start).
 * @throws SyntaxError when an enriched, bar or alert record is not JSON (the enricher produces only contract-valid events)
 */
export function evidenceItem(record: ReadRecord): EvidenceItem {
  const rawKind = RAW_KIND[record.topic];
  if (rawKind) {
    const event = rawEventOf(rawKind, record);
    return { kind: 'raw', position: `${record.topic}:${record.partition}:${record.offset}`, ...(event ? { event } : {}) };
  }
  const side = SIDE_TOPICS.get(record.topic);
  if (side) {
    const h = record.headers;
    return { kind: 'excuse', sink: side.sink, original: `${h[side.headers.originalTopic]}:${h[side.headers.originalPartition]}:${h[side.headers.originalOffset]}` };
  }
  if (record.topic === TOPICS.enriched) return { kind: 'enriched', record: enrichedTopicRecord(record) };
  return { kind: 'output', record: timedOutput(record) };
}

/**
 * The reference of the look-ahead check: every usable raw trade and quote ({@link rawEventOf}) except those whose
 * position a `.late` or `.dlq` record of the enricher names in its original-topic/partition/offset
 * headers (the only records it may leave out).
 */
export function rawReference(items: Iterable<EvidenceItem>): RawReference {
  const raw: { position: string; event: RawMarketEvent }[] = [];
  const excused = new Map<string, 'late' | 'dlq'>();
  for (const item of items) {
    if (item.kind === 'raw' && item.event) raw.push({ position: item.position, event: item.event });
    if (item.kind === 'excuse') excused.set(item.original, item.sink);
  }
  const sources = new Map<string, RawMarketEvent>();
  let late = 0;
  let deadLettered = 0;
  for (const { position, event } of raw) {
    const sink = excused.get(position);
    if (sink === 'late') late += 1;
    else if (sink === 'dlq') deadLettered += 1;
    else sources.set(event.id, event);
  }
  return { sources, tape: new MarketTape(sources.values()), late, deadLettered };
}

/** One `market.enriched.v1` record as the checks read it (`where` = `<partition>@<offset>`). */
export interface EnrichedTopicRecord extends EnrichedFields, TimedOutputRecord {
  readonly topic: string;
  readonly id: string;
}

/** The fields of an enriched event's flattened payload (a topic record's `payload`, or an OpenSearch document). */
function enrichedFields(where: string, eventTime: number, p: Record<string, unknown>): EnrichedFields & { sequence?: number } {
  const raw = (p['kind'] === 'trade' ? p['trade'] : p['quote']) as Record<string, unknown> | undefined;
  const sequence = raw?.['sequence'];
  return {
    where,
    sourceEventId: String(p['sourceEventId']),
    symbol: String(p['symbol']),
    kind: p['kind'] === 'trade' ? 'trade' : 'quote',
    eventTime,
    lastPrice: nullableNumber(p['lastPrice']),
    bidPrice: nullableNumber(p['bidPrice']),
    askPrice: nullableNumber(p['askPrice']),
    bidSize: nullableNumber(p['bidSize']),
    askSize: nullableNumber(p['askSize']),
    previousClose: nullableNumber(p['previousClose']),
    changePercent: nullableNumber(p['changePercent']),
    ...(typeof sequence === 'number' ? { sequence } : {}),
  };
}

/**
 * A `market.enriched.v1` record parsed for the checks.
 * @throws SyntaxError when its value is not JSON (the enricher produces only contract-valid events)
 */
export function enrichedTopicRecord(record: ReadRecord): EnrichedTopicRecord {
  const event = json(record);
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    id: String(event['id']),
    ...enrichedFields(`${record.partition}@${record.offset}`, Number(event['eventTime']), event['payload'] as Record<string, unknown>),
  };
}

/** A bar or alert record: position, symbol, eventTime (and a bar's window start). */
function timedOutput(record: ReadRecord): TimedOutputRecord {
  const event = json(record);
  const payload = event['payload'] as Record<string, unknown>;
  const startTime = payload['startTime'];
  return {
    partition: record.partition,
    offset: record.offset,
    symbol: String(payload['symbol']),
    eventTime: Number(event['eventTime']),
    ...(typeof startTime === 'number' ? { startTime } : {}),
  };
}

type Items = ReadonlyMap<string, readonly EvidenceItem[]>;

/** The `market.enriched.v1` records among `items`, in their order. */
export function enrichedOf(items: Items): EnrichedTopicRecord[] {
  return (items.get(TOPICS.enriched) ?? []).flatMap((item) => (item.kind === 'enriched' ? [item.record] : []));
}
const outputs = (items: Items, topic: string): TimedOutputRecord[] =>
  (items.get(topic) ?? []).flatMap((item) => (item.kind === 'output' ? [item.record] : []));

/**
 * Issue 12's invariants over {@link EVENT_ORDER_TOPICS} read to their end with read_committed, each
 * record made an {@link EvidenceItem} (in offset order per partition, partitions ascending), and the
 * OpenSearch documents of `market-enriched-*` ({@link readEnrichedDocuments}).
 */
export function eventOrderInvariants(items: Items, documents: readonly EnrichedFields[]): EventOrderEvidence {
  const reference = rawReference([...items.values()].flat());
  const enriched = enrichedOf(items);
  return {
    enrichedOrder: checkEventTimeOrder(TOPICS.enriched, enriched),
    barsOrder: checkEventTimeOrder(TOPICS.bars1m, outputs(items, TOPICS.bars1m)),
    alertsOrder: checkEventTimeOrder(TOPICS.alerts, outputs(items, TOPICS.alerts)),
    topicLookAhead: checkNoLookAhead(TOPICS.enriched, enriched, reference.sources, reference.tape),
    searchLookAhead: checkNoLookAhead(`OpenSearch ${indexPrefix('enriched')}*`, documents, reference.sources, reference.tape),
    reference,
  };
}

const DOCUMENT_FIELDS = ['symbol', 'kind', 'sourceEventId', 'lastPrice', 'bidPrice', 'askPrice', 'bidSize', 'askSize', 'previousClose', 'changePercent'];
const PAGE = 10_000;
type Hit = { _id: string; fields?: Record<string, unknown[]> };
type Page = { _scroll_id?: string; hits?: { hits: Hit[] } };

/**
 * Every `market-enriched-*` document (refreshed first) as {@link EnrichedFields} (`where` = `doc <_id>`),
 * read with a scroll in index order, its fields from doc values (the indexed values: three to four
 * times faster than parsing `_source`; every field read is mapped `keyword`, `double`, `long` or
 * `date`, so a value is the one sent); a field missing from a document is null.
 * @throws Error when OpenSearch does not answer
 */
export async function readEnrichedDocuments(config: StackConfig): Promise<EnrichedFields[]> {
  const client = createLocalOpenSearch(config);
  const index = `${indexPrefix('enriched')}*`;
  const filter_path = ['_scroll_id', 'hits.hits._id', 'hits.hits.fields'];
  const documents: EnrichedFields[] = [];
  let scrollId: string | undefined;
  try {
    await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
    const body = { size: PAGE, _source: false, sort: ['_doc'], docvalue_fields: [...DOCUMENT_FIELDS, { field: 'eventTime', format: 'epoch_millis' }] };
    let page = (await client.search({ index, scroll: '1m', filter_path, ignore_unavailable: true, allow_no_indices: true, body } as never)).body as Page;
    for (;;) {
      scrollId = page._scroll_id ?? scrollId;
      const hits = page.hits?.hits ?? [];
      if (hits.length === 0 || !scrollId) break;
      for (const { _id, fields = {} } of hits) {
        const first = Object.fromEntries(Object.entries(fields).map(([name, values]) => [name, values[0]]));
        documents.push(enrichedFields(`doc ${_id}`, Number(first['eventTime']), first));
      }
      page = (await client.scroll({ filter_path, body: { scroll_id: scrollId, scroll: '1m' } } as never)).body as Page;
    }
  } finally {
    if (scrollId) await client.clearScroll({ body: { scroll_id: scrollId } } as never).catch(() => undefined);
    await client.close();
  }
  return documents;
}

/**
 * Reads {@link EVENT_ORDER_TOPICS} (read_committed, a throw-away group) and the OpenSearch enriched
 * documents of the stack, and checks issue 12's invariants on them (for `npm start -- --once` and
 * the end-to-end tests).
 * @throws Error when Kafka or OpenSearch does not answer, or the topics are not read to their end within 5 min
 */
export async function gatherEventOrderEvidence(config: StackConfig): Promise<EventOrderEvidence> {
  const kafka = createLocalKafka('tickwire-event-order', config);
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.disconnect();
  const [items, documents] = await Promise.all([
    readTopicsAs(kafka, EVENT_ORDER_TOPICS.filter((t) => existing.has(t)), evidenceItem),
    readEnrichedDocuments(config),
  ]);
  return eventOrderInvariants(items, documents);
}
