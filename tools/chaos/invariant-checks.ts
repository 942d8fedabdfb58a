import type { ReferenceBar } from '../main-job/testing/raw-market-data';

/**
 * The invariants of issue 6, as pure functions over what was read back from the topics and sinks
 * (pipeline-evidence.ts gathers it). Each returns one {@link InvariantResult}; `detail` says what
 * was compared and, when it fails, the first offending items.
 */

/** One checked invariant. */
export interface InvariantResult {
  readonly name: string;
  readonly held: boolean;
  readonly detail: string;
}

/** Where a record sits in Kafka. */
export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** A raw trade or quote that passed its contract: what the enricher must turn into one enriched event. */
export interface RawEventRecord extends RecordPosition {
  readonly id: string;
  readonly symbol: string;
  readonly kind: 'trade' | 'quote';
  readonly eventTime: number;
  /** Trades: price and size. Quotes: bidPrice, bidSize, askPrice, askSize. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** One `market.enriched.v1` record read with read_committed, in partition offset order. */
export interface EnrichedRecord extends RecordPosition {
  readonly id: string;
  readonly sourceEventId: string;
  readonly symbol: string;
  readonly kind: 'trade' | 'quote';
  readonly eventTime: number;
  readonly previousClose: number | null;
}

const MAX_LISTED = 5;
const list = (items: readonly string[]): string =>
  items.length <= MAX_LISTED
    ? items.join(', ')
    : `${items.slice(0, MAX_LISTED).join(', ')} … (+${items.length - MAX_LISTED})`;
const fmt = (n: number): string => n.toLocaleString('en-US');
const result = (name: string, problems: readonly string[], ok: string): InvariantResult => ({
  name,
  held: problems.length === 0,
  detail: problems.length === 0 ? ok : problems.join('; '),
});

/** Ids occurring more than once, with their counts. */
export function duplicates(ids: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return new Map([...counts].filter(([, n]) => n > 1));
}

/**
 * The replayed input itself: the raw topics hold each replayed trade and quote once (the idempotent
 * producer did not duplicate under broker faults) and as many as ingest-producer reported
 * acknowledged and as the LOBSTER files hold.
 */
export function checkRawInput(
  raw: readonly RawEventRecord[],
  acknowledged: number,
  fromFiles: number,
): InvariantResult {
  const problems: string[] = [];
  const dups = duplicates(raw.map((r) => r.id));
  if (dups.size)
    problems.push(`${fmt(dups.size)} ids more than once in the raw topics: ${list([...dups.keys()])}`);
  if (raw.length !== acknowledged)
    problems.push(
      `raw topics hold ${fmt(raw.length)} records, ingest-producer acknowledged ${fmt(acknowledged)}`,
    );
  if (raw.length !== fromFiles)
    problems.push(`raw topics hold ${fmt(raw.length)} records, the LOBSTER files ${fmt(fromFiles)}`);
  return result(
    'raw input: every LOBSTER record once',
    problems,
    `${fmt(raw.length)} records = acknowledged = files, no duplicate id`,
  );
}

/**
 * market.enriched.v1 (read_committed): no id twice; the set of source ids equals `expectedSources`
 * (every valid raw trade and quote: LOBSTER and the poison corpus' good records); per symbol and kind,
 * enriched events appear in the order of their raw records (offset order of the raw partition).
 */
export function checkEnriched(
  enriched: readonly EnrichedRecord[],
  expectedSources: ReadonlyMap<string, RawEventRecord>,
): InvariantResult[] {
  const dups = duplicates(enriched.map((e) => e.id));
  const seen = new Set(enriched.map((e) => e.sourceEventId));
  const missing = [...expectedSources.keys()].filter((id) => !seen.has(id));
  const unexpected = [...seen].filter((id) => !expectedSources.has(id));
  const order: string[] = [];
  const lastRawOffset = new Map<string, number>();
  for (const event of enriched) {
    const source = expectedSources.get(event.sourceEventId);
    if (!source) continue;
    const key = `${event.symbol}/${event.kind}`;
    const offset = Number(source.offset);
    const previous = lastRawOffset.get(key);
    if (previous !== undefined && offset <= previous) {
      order.push(
        `${key}: raw offset ${offset} after ${previous} (enriched ${event.partition}@${event.offset})`,
      );
    }
    lastRawOffset.set(key, offset);
  }
  return [
    result(
      'enriched: no duplicate ids (read_committed)',
      dups.size
        ? [`${fmt(dups.size)} ids twice or more: ${list([...dups].map(([id, n]) => `${id} x${n}`))}`]
        : [],
      `${fmt(enriched.length)} records, all ids distinct`,
    ),
    result(
      'enriched: source ids = valid raw input',
      [
        ...(missing.length ? [`${fmt(missing.length)} raw events never enriched: ${list(missing)}`] : []),
        ...(unexpected.length
          ? [`${fmt(unexpected.length)} enriched events without a valid raw record: ${list(unexpected)}`]
          : []),
      ],
      `${fmt(seen.size)} source ids = ${fmt(expectedSources.size)} valid raw trades and quotes`,
    ),
    result(
      'enriched: per-symbol order preserved',
      order.length ? [`${fmt(order.length)} out of order: ${list(order)}`] : [],
      'per symbol and kind, raw offset order kept',
    ),
  ];
}

/** OpenSearch document counts per stream equal the distinct ids on the stream's topic. */
export function checkIndexedCounts(
  indexed: Readonly<Record<string, number>>,
  distinctIds: Readonly<Record<string, number>>,
): InvariantResult {
  const problems = Object.keys(distinctIds)
    .filter((stream) => indexed[stream] !== distinctIds[stream])
    .map(
      (stream) =>
        `${stream}: ${fmt(indexed[stream] ?? 0)} documents, ${fmt(distinctIds[stream] ?? 0)} distinct ids on the topic`,
    );
  const ok = Object.entries(distinctIds)
    .map(([stream, n]) => `${stream} ${fmt(n)}`)
    .join(', ');
  return result('OpenSearch: documents = distinct ids per stream', problems, ok);
}

/** A 1-minute bar as indexed, compared field by field with the reference (vwap to a relative 1e-9). */
export type IndexedBar = ReferenceBar;

/**
 * The 1-minute bars of the replayed symbols in OpenSearch equal the reference bars computed from the
 * raw LOBSTER files (what a run without faults produces), minute by minute, and the bars topic holds
 * no bar id twice.
 */
export function checkBars(
  indexed: ReadonlyMap<string, IndexedBar>,
  reference: ReadonlyMap<string, ReferenceBar>,
  symbols: readonly string[],
  topicBarIds: readonly string[],
): InvariantResult {
  const mine = new Set(symbols);
  const actual = new Map([...indexed].filter(([, bar]) => mine.has(bar.symbol)));
  const problems: string[] = [];
  const missing = [...reference.keys()].filter((key) => !actual.has(key));
  const extra = [...actual.keys()].filter((key) => !reference.has(key));
  if (missing.length) problems.push(`${fmt(missing.length)} bars missing: ${list(missing)}`);
  if (extra.length) problems.push(`${fmt(extra.length)} bars not in the reference: ${list(extra)}`);
  const differing: string[] = [];
  for (const [key, want] of reference) {
    const got = actual.get(key);
    if (!got) continue;
    const fields: (keyof IndexedBar)[] = (
      ['open', 'high', 'low', 'close', 'volume', 'tradeCount'] as const
    ).filter((f) => got[f] !== want[f]);
    if (Math.abs(got.vwap - want.vwap) > 1e-9 * want.vwap) fields.push('vwap');
    if (fields.length)
      differing.push(`${key} (${fields.map((f) => `${f} ${got[f]} != ${want[f]}`).join(', ')})`);
  }
  if (differing.length) problems.push(`${fmt(differing.length)} bars differ: ${list(differing)}`);
  const dups = duplicates(topicBarIds);
  if (dups.size)
    problems.push(`${fmt(dups.size)} bar ids twice on market.bars.1m.v1: ${list([...dups.keys()])}`);
  return result(
    'bars = fault-free reference (from the raw files)',
    problems,
    `${fmt(reference.size)} bars equal, minute by minute`,
  );
}

/**
 * S3: every valid raw record archived exactly once under raw/ (ids counted with multiplicity: a
 * record sent twice on purpose is archived twice), every invalid one exactly once under errors/.
 */
export function checkArchive(
  archivedIds: ReadonlyMap<string, number>,
  expectedIds: ReadonlyMap<string, number>,
  archivedErrors: ReadonlyMap<string, number>,
  expectedErrors: ReadonlySet<string>,
): InvariantResult {
  const problems: string[] = [];
  const missing = [...expectedIds].filter(([id]) => !archivedIds.has(id)).map(([id]) => id);
  const wrongCount = [...archivedIds]
    .filter(([id, n]) => expectedIds.has(id) && expectedIds.get(id) !== n)
    .map(([id, n]) => `${id} x${n}`);
  const extra = [...archivedIds.keys()].filter((id) => !expectedIds.has(id));
  if (missing.length) problems.push(`${fmt(missing.length)} raw records not archived: ${list(missing)}`);
  if (wrongCount.length)
    problems.push(`${fmt(wrongCount.length)} archived a wrong number of times: ${list(wrongCount)}`);
  if (extra.length)
    problems.push(`${fmt(extra.length)} archived records not in the raw topics: ${list(extra)}`);
  const errorsMissing = [...expectedErrors].filter((position) => !archivedErrors.has(position));
  const errorsTwice = [...archivedErrors].filter(([, n]) => n > 1).map(([p, n]) => `${p} x${n}`);
  const errorsExtra = [...archivedErrors.keys()].filter((p) => !expectedErrors.has(p));
  if (errorsMissing.length)
    problems.push(`${fmt(errorsMissing.length)} invalid records not under errors/: ${list(errorsMissing)}`);
  if (errorsTwice.length)
    problems.push(`${fmt(errorsTwice.length)} invalid records archived twice: ${list(errorsTwice)}`);
  if (errorsExtra.length)
    problems.push(`${fmt(errorsExtra.length)} unexpected records under errors/: ${list(errorsExtra)}`);
  const total = [...expectedIds.values()].reduce((a, b) => a + b, 0);
  return result(
    'S3: every raw record archived exactly once',
    problems,
    `${fmt(total)} records under raw/, ${fmt(expectedErrors.size)} under errors/`,
  );
}

/** A symbol-state item as read from DynamoDB (numbers as numbers). */
export type SymbolStateItem = Readonly<Record<string, unknown>>;

/** What symbol-state must hold for one symbol once everything was processed. */
export interface ExpectedSymbolState {
  readonly symbol: string;
  readonly lastEventTime: number;
  readonly lastPrice: number;
  readonly bidPrice: number;
  readonly askPrice: number;
  readonly bidSize: number;
  readonly askSize: number;
  readonly previousClose: number | null;
}

/**
 * The expected symbol-state of each symbol from its raw events: the last trade's price, the last
 * quote's bid/ask, the latest event time; the previous close the enricher applied to the last trade.
 */
export function expectedSymbolStates(
  raw: readonly RawEventRecord[],
  enriched: readonly EnrichedRecord[],
): Map<string, ExpectedSymbolState> {
  const lastTrade = new Map<string, RawEventRecord>();
  const lastQuote = new Map<string, RawEventRecord>();
  const lastTime = new Map<string, number>();
  for (const r of raw) {
    const target = r.kind === 'trade' ? lastTrade : lastQuote;
    const previous = target.get(r.symbol);
    if (!previous || Number(r.offset) > Number(previous.offset)) target.set(r.symbol, r);
    lastTime.set(r.symbol, Math.max(lastTime.get(r.symbol) ?? r.eventTime, r.eventTime));
  }
  const previousClose = new Map<string, number | null>();
  for (const e of enriched) if (e.kind === 'trade') previousClose.set(e.symbol, e.previousClose);
  const states = new Map<string, ExpectedSymbolState>();
  for (const [symbol, trade] of lastTrade) {
    const quote = lastQuote.get(symbol);
    if (!quote) continue;
    states.set(symbol, {
      symbol,
      lastEventTime: lastTime.get(symbol) as number,
      lastPrice: trade.payload['price'] as number,
      bidPrice: quote.payload['bidPrice'] as number,
      askPrice: quote.payload['askPrice'] as number,
      bidSize: quote.payload['bidSize'] as number,
      askSize: quote.payload['askSize'] as number,
      previousClose: previousClose.get(symbol) ?? null,
    });
  }
  return states;
}

/** DynamoDB symbol-state equals the last event per symbol (changePercent recomputed from it, 1e-9). */
export function checkSymbolState(
  items: ReadonlyMap<string, SymbolStateItem | undefined>,
  expected: ReadonlyMap<string, ExpectedSymbolState>,
): InvariantResult {
  const problems: string[] = [];
  for (const [symbol, want] of expected) {
    const item = items.get(symbol);
    if (!item) {
      problems.push(`${symbol}: no item`);
      continue;
    }
    const wrong: string[] = [];
    for (const field of [
      'lastEventTime',
      'lastPrice',
      'bidPrice',
      'askPrice',
      'bidSize',
      'askSize',
      'previousClose',
    ] as const) {
      const got = item[field] ?? null;
      if (got !== want[field]) wrong.push(`${field} ${String(got)} != ${String(want[field])}`);
    }
    if (want.previousClose !== null) {
      const change = ((want.lastPrice - want.previousClose) / want.previousClose) * 100;
      const got = Number(item['changePercent']);
      if (!(Math.abs(got - change) <= 1e-9 * Math.max(1, Math.abs(change))))
        wrong.push(`changePercent ${got} != ${change}`);
    }
    if (wrong.length) problems.push(`${symbol}: ${wrong.join(', ')}`);
  }
  return result(
    'DynamoDB symbol-state = last event per symbol',
    problems,
    `${[...expected.keys()].join(', ')}: last trade, last quote, latest event time, change %`,
  );
}

/** A record on a `.dlq` or `.late` topic, by the original record it stands for. */
export interface SideRecord {
  readonly sink: 'dlq' | 'late';
  /** `<topic>:<partition>:<offset>` of the original record. */
  readonly original: string;
  /** x-dlq-error-class (`LateEvent` for late records). */
  readonly errorClass: string;
  /** Late records: `x-late-watermark`, the symbol's clock the enricher measured it against (epoch ms). */
  readonly watermark?: number;
}

/**
 * The valid records injected with the poison corpora (not LOBSTER data) that the enricher routed to
 * `.late` under its out-of-order rule, each justified independently: its watermark lies after its
 * own event time and equals the event time of an enriched event of the same symbol, i.e. the enricher
 * had really applied a later event of that symbol. A corpus is written into the raw topics while the
 * replay runs hours of event time ahead of it (13:00 vs the replay's clock), and the enricher merges
 * each partition by its heads, so a corpus trade can reach its queue's head before the corpus quote of
 * an earlier millisecond reaches its own: the quote then arrives after a later event of its symbol.
 * LOBSTER records are never excused.
 *
 * @param side the `.dlq`/`.late` records; @param injected valid corpus records by `<topic>:<partition>:<offset>`
 * @param enriched the enriched topic (read_committed)
 * @returns the excused positions, with a description of each
 */
export function injectedOutOfOrder(
  side: readonly SideRecord[],
  injected: ReadonlyMap<string, RawEventRecord>,
  enriched: readonly EnrichedRecord[],
): Map<string, string> {
  const applied = new Map<string, Set<number>>();
  for (const event of enriched)
    applied.set(event.symbol, (applied.get(event.symbol) ?? new Set()).add(event.eventTime));
  const excused = new Map<string, string>();
  for (const record of side) {
    const raw = injected.get(record.original);
    if (record.sink !== 'late' || raw === undefined || record.watermark === undefined) continue;
    if (record.watermark > raw.eventTime && applied.get(raw.symbol)?.has(record.watermark) === true)
      excused.set(
        record.original,
        `${raw.symbol} ${raw.kind} ${new Date(raw.eventTime).toISOString()} after its ${new Date(record.watermark).toISOString()}`,
      );
  }
  return excused;
}

/** Where one injected poison record must end up. */
export interface PoisonExpectation {
  readonly name: string;
  readonly sink: 'dlq' | 'late';
  readonly errorClass: string;
}

/**
 * The dead-letter and late topics hold exactly the injected poison (each once, in its sink, with
 * its error class) and nothing else: a valid record there would be a record lost to a fault. The only
 * exception is `excused` (see {@link injectedOutOfOrder}): valid corpus records late by the
 * enricher's out-of-order rule, each justified against the enriched topic.
 */
export function checkDeadLetters(
  side: readonly SideRecord[],
  poison: ReadonlyMap<string, PoisonExpectation>,
  excused: ReadonlyMap<string, string> = new Map(),
): InvariantResult {
  const problems: string[] = [];
  const counts = duplicates(side.map((s) => `${s.sink}:${s.original}`));
  if (counts.size)
    problems.push(`${fmt(counts.size)} records dead-lettered twice: ${list([...counts.keys()])}`);
  const seen = new Map(side.map((s) => [s.original, s]));
  const unexpected = side
    .filter((s) => !poison.has(s.original) && !excused.has(s.original))
    .map((s) => `${s.sink} ${s.original} (${s.errorClass})`);
  if (unexpected.length)
    problems.push(`${fmt(unexpected.length)} records in DLQ/late that were not poison: ${list(unexpected)}`);
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const [original, want] of poison) {
    const got = seen.get(original);
    if (!got) missing.push(`${want.name} (${want.sink} ${want.errorClass})`);
    else if (got.sink !== want.sink || got.errorClass !== want.errorClass)
      wrong.push(`${want.name}: ${got.sink} ${got.errorClass}, expected ${want.sink} ${want.errorClass}`);
  }
  if (missing.length)
    problems.push(`${fmt(missing.length)} poison records not in their sink: ${list(missing)}`);
  if (wrong.length)
    problems.push(`${fmt(wrong.length)} poison records in the wrong sink or class: ${list(wrong)}`);
  const dlq = side.filter((s) => s.sink === 'dlq').length;
  const late = side.filter((s) => s.sink === 'late' && !excused.has(s.original)).length;
  const injected =
    excused.size > 0
      ? ` + ${fmt(excused.size)} injected good records late, out of order (${list([...excused.values()])})`
      : '';
  return result(
    'DLQ + late = poison injected, nothing else',
    problems,
    `${fmt(dlq)} dead letters + ${fmt(late)} late = ${fmt(poison.size)} poison records${injected}`,
  );
}

/** One event a customer received on `/v1/stream`, or one committed record of a customer topic, keyed alike. */
export interface CustomerEventKey {
  /** Frame type: enriched, bar, alert. */
  readonly type: string;
  readonly id: string;
  /** A bar's revision (restatements share the bar's id), else undefined. */
  readonly revision?: number;
}

const customerKey = (event: CustomerEventKey): string =>
  `${event.type}:${event.id}${event.revision === undefined ? '' : `#${event.revision}`}`;

/**
 * Issue 14's live-path invariant: a WebSocket customer subscribed before the first event and
 * connected throughout received every committed event of its subscription exactly once (the
 * gateway reads uncommitted data and drops what an aborted enricher transaction re-emits), and
 * nothing else (no event of an aborted transaction that the committed record lacks).
 *
 * @param received the frames in arrival order
 * @param committed the records of the customer topics for the subscribed symbols, read_committed
 */
export function checkCustomerStream(
  received: readonly CustomerEventKey[],
  committed: readonly CustomerEventKey[],
): InvariantResult {
  const name = 'customer stream (read_uncommitted live path): every committed event once, nothing else';
  const twice = duplicates(received.map(customerKey));
  const got = new Set(received.map(customerKey));
  const expected = new Set(committed.map(customerKey));
  const missing = [...expected].filter((key) => !got.has(key));
  const phantom = [...got].filter((key) => !expected.has(key));
  const problems: string[] = [];
  if (twice.size > 0) problems.push(`${fmt(twice.size)} events received more than once: ${list([...twice.keys()])}`);
  if (missing.length > 0) problems.push(`${fmt(missing.length)} committed events never received: ${list(missing)}`);
  if (phantom.length > 0) problems.push(`${fmt(phantom.length)} events received but not committed: ${list(phantom)}`);
  return result(
    name,
    problems,
    `${fmt(received.length)} frames = ${fmt(expected.size)} committed events (enriched, bars, alerts), each once`,
  );
}
