import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  barDailyV1EventId,
  type DeadLetterErrorClass,
  dlqTopic,
  lateTopic,
  MAX_EVENT_RECORD_BYTES,
  MAX_EVENT_TIME_AHEAD_OF_INGEST_MS,
  quoteV1EventId,
  sessionCloseEpochMs,
  TOPICS,
  tradeV1EventId,
} from '@tickwire/contracts';
import { DAILY_CSV_HEADER } from '@tickwire/market-sources';
import { loadReferenceDailyBars } from '@tickwire/reference-data';
import type { Producer } from 'kafkajs';

/** The raw topics a corpus record targets (by role; {@link CorpusTopicSet} maps them to real names). */
export type RawTopicKey = 'trades' | 'quotes' | 'barsDaily';

/** Real topic names per role: the Tickwire topics by default, or a test's own. */
export type CorpusTopicSet = Readonly<Record<RawTopicKey, string>>;

/** The Tickwire raw topics. */
export const DEFAULT_CORPUS_TOPICS: CorpusTopicSet = {
  trades: TOPICS.trades,
  quotes: TOPICS.quotes,
  barsDaily: TOPICS.barsDaily,
};

/** Where a bad record must land: `<topic>.dlq` or `<topic>.late`, and the error class its headers carry. */
export interface BadInputExpectation {
  readonly sink: 'dlq' | 'late';
  /** `x-dlq-error-class` of the dead letter (`LateEvent` for the late topic, whose headers carry no class). */
  readonly errorClass: DeadLetterErrorClass;
}

/** One Kafka record of the corpus, as produced. */
export interface CorpusRecord {
  /** Unique within the corpus, kebab-case, e.g. `trade-zero-price`. */
  readonly name: string;
  readonly topic: RawTopicKey;
  /** Message key (a symbol of the run). */
  readonly key: string;
  /** Value bytes as produced: text, raw bytes, or null (a tombstone). */
  readonly value: string | Buffer | null;
}

/** A bad record and where it must end up. */
export interface BadInputEntry extends CorpusRecord {
  readonly kind: 'bad';
  /** What is wrong with it, one line. */
  readonly description: string;
  readonly expected: BadInputExpectation;
}

/** A valid record the corpus needs around its bad ones (an original of a duplicate, the event an out-of-order one trails). */
export interface GoodCorpusRecord extends CorpusRecord {
  readonly kind: 'good';
  /** Envelope id; trades and quotes come out as `market.enriched.v1` with `payload.sourceEventId` = this. */
  readonly id: string;
  /** True for trades and quotes: the enricher emits one enriched record for it. */
  readonly enriched: boolean;
}

/** Options of {@link buildBadInputCorpus}. */
export interface BadInputCorpusOptions {
  /** 1..6 characters of [A-Z0-9]; default random. Goes into the symbols and trade ids. */
  readonly runId?: string;
  /** Envelope ingestTime of every record, epoch ms UTC; default now. */
  readonly ingestTime?: number;
}

/** The corpus of one run (see {@link buildBadInputCorpus}). */
export interface BadInputCorpus {
  readonly runId: string;
  /** `known` has a reference daily row ({@link loadBadInputCorpusReference}); `unknown` has none. */
  readonly symbols: { readonly known: string; readonly unknown: string };
  /** Every record in produce order (order matters within a topic: duplicates and out-of-order ones follow their originals). */
  readonly records: readonly (BadInputEntry | GoodCorpusRecord)[];
  /** The bad records only. */
  readonly entries: readonly BadInputEntry[];
  /** The good records only. */
  readonly good: readonly GoodCorpusRecord[];
  /** Daily CSV text (data/market/daily/ header) of the known symbol's reference row. */
  readonly referenceCsv: string;
}

/** Source of every corpus event (an open set in the contract; this one says where a record came from). */
export const CORPUS_SOURCE = 'bad-input-corpus';

/** The corpus' trading date: the LOBSTER day, so a run beside a replay shares its calendar. */
export const CORPUS_TRADING_DATE = '2012-06-21';
/** Close of the known symbol on the prior trading date (USD): its previous close. */
export const CORPUS_PREVIOUS_CLOSE = 100;

/** 09:00 America/New_York on the corpus date (EDT, UTC-4): before the LOBSTER day's first event (09:30). */
const T0 = Date.UTC(2012, 5, 21, 13, 0, 0);
const MINUTE = 60_000;
/**
 * The out-of-order trade trails the latest trade of its symbol by 25 minutes: later than any allowed
 * lateness plus out-of-orderness a deployment would configure for 1-minute bars, so it is late under
 * every sane BAR_ALLOWED_LATENESS_MS / BAR_MAX_OUT_OF_ORDERNESS_MS.
 */
const OUT_OF_ORDER_GAP_MS = 25 * MINUTE;
/** Size of the oversized record's value: above MAX_EVENT_RECORD_BYTES, below the broker's 1 MiB. */
export const CORPUS_OVERSIZED_BYTES = MAX_EVENT_RECORD_BYTES + 64 * 1024;

/** JSON text with `"__TOKEN:<literal>__"` strings replaced by the literal (NaN, Infinity, 1e999, ...). */
function jsonWithTokens(value: unknown): string {
  return JSON.stringify(value).replace(/"__TOKEN:([^"]+)__"/g, '$1');
}
const token = (literal: string) => `__TOKEN:${literal}__`;

type Json = Record<string, unknown>;

/** Deep copy with `path` set to `value` (undefined deletes). */
function patched(event: Json, path: readonly string[], value: unknown): Json {
  const copy = structuredClone(event);
  let node: Json = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Json;
  const last = path[path.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/**
 * A typed corpus of bad raw records for the three raw topics (trades, quotes, daily bars), each
 * with the sink and error class it must end in, plus the few good records the bad ones need (the
 * original of an exact duplicate, the trade an out-of-order one trails). Covers: malformed JSON,
 * invalid UTF-8, tombstones, wrong types, missing fields, NaN / Infinity (as literal tokens, as
 * strings and as 1e999, which JSON.parse turns into Infinity), zero and negative prices and sizes,
 * crossed quotes, inconsistent daily bars, unknown symbols, timestamps far in the future (ClockSkew)
 * and far in the past or in a wrong unit, oversized values, exact duplicates and out-of-order trades.
 *
 * Unique per run: the run id is in both symbols (`BK<run>` with reference data, `BU<run>` without)
 * and in the trade ids, so re-runs against the same topics, changelog and tables never collide.
 * Every event lies on 2012-06-21 before 09:30 New York time (or is rejected before the engine), so
 * it neither moves a LOBSTER replay's clocks nor is moved by them.
 *
 * @throws RangeError when `runId` is not 1..6 characters of [A-Z0-9].
 */
export function buildBadInputCorpus(options: BadInputCorpusOptions = {}): BadInputCorpus {
  const runId = options.runId ?? randomBytes(4).toString('hex').toUpperCase().slice(0, 6);
  if (!/^[A-Z0-9]{1,6}$/.test(runId))
    throw new RangeError(`runId must be 1..6 characters of [A-Z0-9], got ${runId}`);
  const ingestTime = options.ingestTime ?? Date.now();
  const known = `BK${runId}`;
  const unknown = `BU${runId}`;
  const records: (BadInputEntry | GoodCorpusRecord)[] = [];
  let tradeNumber = 0;

  const trade = (eventTime: number, overrides: Json = {}, symbol = known): Json => {
    tradeNumber += 1;
    const payload = {
      symbol,
      price: 100.25,
      size: 100,
      aggressorSide: 'buy',
      venue: 'XNAS',
      tradeId: `${runId}-${tradeNumber}`,
      ...overrides,
    };
    const envelope = { source: CORPUS_SOURCE, eventTime, payload: { symbol, tradeId: payload.tradeId } };
    return {
      schema: 'market.trade.v1',
      id: tradeV1EventId(envelope),
      eventTime,
      ingestTime,
      source: CORPUS_SOURCE,
      payload,
    };
  };
  let quoteSequence = 0;
  const quote = (eventTime: number, overrides: Json = {}, symbol = known): Json => {
    quoteSequence += 1;
    const payload = {
      symbol,
      bidPrice: 100.2,
      bidSize: 300,
      askPrice: 100.3,
      askSize: 200,
      venue: 'XNAS',
      sequence: quoteSequence,
      ...overrides,
    };
    const id = quoteV1EventId({
      source: CORPUS_SOURCE,
      eventTime,
      payload: { symbol, sequence: quoteSequence },
    });
    return { schema: 'market.quote.v1', id, eventTime, ingestTime, source: CORPUS_SOURCE, payload };
  };
  const dailyBar = (tradingDate: string, overrides: Json = {}, symbol = known): Json => {
    const payload = {
      symbol,
      tradingDate,
      open: 100.5,
      high: 102,
      low: 99.5,
      close: 101,
      adjustedClose: 101,
      volume: 1_000_000,
      dividendAmount: 0,
      splitCoefficient: 1,
      ...overrides,
    };
    const id = barDailyV1EventId({ source: CORPUS_SOURCE, payload: { symbol, tradingDate } });
    return {
      schema: 'market.bar.daily.v1',
      id,
      eventTime: sessionCloseEpochMs(tradingDate),
      ingestTime,
      source: CORPUS_SOURCE,
      payload,
    };
  };

  const good = (name: string, topic: RawTopicKey, event: Json): Json => {
    records.push({
      kind: 'good',
      name,
      topic,
      key: known,
      value: JSON.stringify(event),
      id: event['id'] as string,
      enriched: topic !== 'barsDaily',
    });
    return event;
  };
  const bad = (
    name: string,
    topic: RawTopicKey,
    value: string | Buffer | null,
    errorClass: DeadLetterErrorClass,
    description: string,
    options: { key?: string; sink?: 'dlq' | 'late' } = {},
  ): void => {
    records.push({
      kind: 'bad',
      name,
      topic,
      key: options.key ?? known,
      value,
      description,
      expected: { sink: options.sink ?? 'dlq', errorClass },
    });
  };
  const text = (event: Json) => jsonWithTokens(event);
  const farFuture = ingestTime + 24 * 3_600_000;
  const farPast = Date.UTC(1985, 0, 2, 15, 0, 0);
  const padding = 'x'.repeat(CORPUS_OVERSIZED_BYTES);

  // Trades. The first good trade opens the 09:00 minute; its exact copy is a duplicate.
  const firstTrade = good('trade-good-first', 'trades', trade(T0 + 1_000));
  bad(
    'trade-exact-duplicate',
    'trades',
    JSON.stringify(firstTrade),
    'DuplicateEvent',
    'the same bytes as trade-good-first, re-sent',
  );
  bad(
    'trade-malformed-truncated',
    'trades',
    JSON.stringify(trade(T0 + 2_000)).slice(0, 60),
    'MalformedJson',
    'value cut off mid-record',
  );
  bad(
    'trade-malformed-not-json',
    'trades',
    `trade ${runId} price=100.25 size=100`,
    'MalformedJson',
    'plain text, not JSON',
  );
  bad(
    'trade-malformed-invalid-utf8',
    'trades',
    Buffer.concat([
      Buffer.from(`{"schema":"market.trade.v1","payload":{"symbol":"${known}","venue":"`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}'),
    ]),
    'MalformedJson',
    'bytes that are not UTF-8',
  );
  bad(
    'trade-tombstone',
    'trades',
    null,
    'EmptyValue',
    'null value (a tombstone on a topic that never carries one)',
  );
  bad(
    'trade-nan-literal',
    'trades',
    text(trade(T0 + 3_000, { price: token('NaN') })),
    'MalformedJson',
    'price: the NaN token (Python json.dumps default), not JSON',
  );
  bad(
    'trade-infinity-literal',
    'trades',
    text(trade(T0 + 3_000, { price: token('Infinity') })),
    'MalformedJson',
    'price: the Infinity token, not JSON',
  );
  bad(
    'trade-nan-string',
    'trades',
    text(trade(T0 + 3_000, { price: 'NaN' })),
    'SchemaViolation',
    'price: the string "NaN"',
  );
  bad(
    'trade-overflow-1e999',
    'trades',
    text(trade(T0 + 3_000, { price: token('1e999') })),
    'SchemaViolation',
    'price: 1e999, which JSON.parse reads as Infinity',
  );
  bad(
    'trade-wrong-type-price',
    'trades',
    text(trade(T0 + 3_000, { price: '100.25' })),
    'SchemaViolation',
    'price as a string',
  );
  bad(
    'trade-wrong-type-size',
    'trades',
    text(trade(T0 + 3_000, { size: true })),
    'SchemaViolation',
    'size as a boolean',
  );
  bad(
    'trade-missing-price',
    'trades',
    text(patched(trade(T0 + 3_000), ['payload', 'price'], undefined)),
    'SchemaViolation',
    'payload without price',
  );
  bad(
    'trade-missing-id',
    'trades',
    text(patched(trade(T0 + 3_000), ['id'], undefined)),
    'SchemaViolation',
    'envelope without id',
  );
  bad('trade-zero-price', 'trades', text(trade(T0 + 3_000, { price: 0 })), 'SchemaViolation', 'price 0');
  bad(
    'trade-negative-price',
    'trades',
    text(trade(T0 + 3_000, { price: -100.25 })),
    'SchemaViolation',
    'price -100.25',
  );
  bad('trade-zero-size', 'trades', text(trade(T0 + 3_000, { size: 0 })), 'SchemaViolation', 'size 0 shares');
  bad(
    'trade-negative-size',
    'trades',
    text(trade(T0 + 3_000, { size: -100 })),
    'SchemaViolation',
    'size -100 shares',
  );
  bad(
    'trade-unknown-symbol',
    'trades',
    text(trade(T0 + 3_000, {}, unknown)),
    'UnknownSymbol',
    `symbol ${unknown} has no reference data`,
    { key: unknown },
  );
  bad(
    'trade-far-future',
    'trades',
    text(trade(farFuture)),
    'ClockSkew',
    `eventTime a day after ingestTime (more than ${MAX_EVENT_TIME_AHEAD_OF_INGEST_MS} ms)`,
  );
  bad(
    'trade-far-past',
    'trades',
    text(trade(farPast)),
    'SchemaViolation',
    'eventTime 1985-01-02, before the contract range (1990)',
  );
  bad(
    'trade-time-in-microseconds',
    'trades',
    text(trade((T0 + 3_000) * 1000)),
    'SchemaViolation',
    'eventTime in epoch microseconds',
  );
  bad(
    'trade-oversized',
    'trades',
    text(trade(T0 + 3_000, { padding })),
    'OversizedRecord',
    `a valid trade padded to ${CORPUS_OVERSIZED_BYTES} bytes`,
  );
  // The lead trade moves the symbol's watermark 25 minutes on; a trade of the 09:00 minute is then late.
  good('trade-good-lead', 'trades', trade(T0 + OUT_OF_ORDER_GAP_MS + 1_000));
  bad(
    'trade-out-of-order',
    'trades',
    text(trade(T0 + 30_000)),
    'LateEvent',
    'a trade of a 1-minute window the watermark already closed',
    { sink: 'late' },
  );

  // Quotes.
  const firstQuote = good('quote-good-first', 'quotes', quote(T0 + 500));
  bad(
    'quote-exact-duplicate',
    'quotes',
    JSON.stringify(firstQuote),
    'DuplicateEvent',
    'the same bytes as quote-good-first, re-sent',
  );
  bad(
    'quote-malformed-truncated',
    'quotes',
    JSON.stringify(quote(T0 + 600)).slice(0, 50),
    'MalformedJson',
    'value cut off mid-record',
  );
  bad(
    'quote-nan-literal',
    'quotes',
    text(quote(T0 + 700, { bidPrice: token('NaN') })),
    'MalformedJson',
    'bidPrice: the NaN token',
  );
  bad(
    'quote-infinity-string',
    'quotes',
    text(quote(T0 + 700, { askPrice: 'Infinity' })),
    'SchemaViolation',
    'askPrice: the string "Infinity"',
  );
  bad(
    'quote-overflow-1e999',
    'quotes',
    text(quote(T0 + 700, { askPrice: token('1e999') })),
    'SchemaViolation',
    'askPrice: 1e999 (Infinity after JSON.parse)',
  );
  bad(
    'quote-wrong-type-bid-size',
    'quotes',
    text(quote(T0 + 700, { bidSize: '300' })),
    'SchemaViolation',
    'bidSize as a string',
  );
  bad(
    'quote-missing-ask-price',
    'quotes',
    text(patched(quote(T0 + 700), ['payload', 'askPrice'], undefined)),
    'SchemaViolation',
    'payload without askPrice',
  );
  bad(
    'quote-zero-bid-price',
    'quotes',
    text(quote(T0 + 700, { bidPrice: 0 })),
    'SchemaViolation',
    'bidPrice 0',
  );
  bad(
    'quote-negative-ask-size',
    'quotes',
    text(quote(T0 + 700, { askSize: -200 })),
    'SchemaViolation',
    'askSize -200 shares',
  );
  bad(
    'quote-crossed',
    'quotes',
    text(quote(T0 + 700, { bidPrice: 100.4, askPrice: 100.3 })),
    'SchemaViolation',
    'bidPrice 100.4 above askPrice 100.3',
  );
  bad(
    'quote-unknown-symbol',
    'quotes',
    text(quote(T0 + 700, {}, unknown)),
    'UnknownSymbol',
    `symbol ${unknown} has no reference data`,
    { key: unknown },
  );
  bad('quote-far-future', 'quotes', text(quote(farFuture)), 'ClockSkew', 'eventTime a day after ingestTime');
  bad(
    'quote-far-past',
    'quotes',
    text(quote(farPast)),
    'SchemaViolation',
    'eventTime 1985-01-02, before the contract range',
  );
  bad(
    'quote-oversized',
    'quotes',
    text(quote(T0 + 700, { padding })),
    'OversizedRecord',
    `a valid quote padded to ${CORPUS_OVERSIZED_BYTES} bytes`,
  );

  // Daily bars.
  good('daily-bar-good', 'barsDaily', dailyBar(CORPUS_TRADING_DATE));
  const futureDate = new Date(ingestTime + 3 * 24 * 3_600_000).toISOString().slice(0, 10);
  bad(
    'daily-bar-malformed-truncated',
    'barsDaily',
    JSON.stringify(dailyBar(CORPUS_TRADING_DATE)).slice(0, 70),
    'MalformedJson',
    'value cut off mid-record',
  );
  bad(
    'daily-bar-infinity-literal',
    'barsDaily',
    text(dailyBar('2012-06-22', { high: token('Infinity') })),
    'MalformedJson',
    'high: the Infinity token',
  );
  bad(
    'daily-bar-wrong-type-volume',
    'barsDaily',
    text(dailyBar('2012-06-22', { volume: '1000000' })),
    'SchemaViolation',
    'volume as a string',
  );
  bad(
    'daily-bar-missing-close',
    'barsDaily',
    text(patched(dailyBar('2012-06-22'), ['payload', 'close'], undefined)),
    'SchemaViolation',
    'payload without close',
  );
  bad(
    'daily-bar-zero-close',
    'barsDaily',
    text(dailyBar('2012-06-22', { close: 0, low: 0 })),
    'SchemaViolation',
    'close and low 0',
  );
  bad(
    'daily-bar-negative-volume',
    'barsDaily',
    text(dailyBar('2012-06-22', { volume: -5 })),
    'SchemaViolation',
    'volume -5 shares',
  );
  bad(
    'daily-bar-low-above-high',
    'barsDaily',
    text(dailyBar('2012-06-22', { low: 103 })),
    'SchemaViolation',
    'low 103 above high 102',
  );
  bad(
    'daily-bar-unknown-symbol',
    'barsDaily',
    text(dailyBar('2012-06-22', {}, unknown)),
    'UnknownSymbol',
    `symbol ${unknown} has no reference data`,
    { key: unknown },
  );
  bad(
    'daily-bar-far-future',
    'barsDaily',
    text(dailyBar(futureDate)),
    'ClockSkew',
    `tradingDate ${futureDate}: its session close lies days after ingestTime`,
  );
  bad(
    'daily-bar-far-past',
    'barsDaily',
    text(dailyBar('1985-01-02')),
    'SchemaViolation',
    'tradingDate 1985-01-02, before the contract range',
  );
  bad(
    'daily-bar-oversized',
    'barsDaily',
    text(dailyBar('2012-06-22', { padding })),
    'OversizedRecord',
    `a valid bar padded to ${CORPUS_OVERSIZED_BYTES} bytes`,
  );

  const entries = records.filter((r): r is BadInputEntry => r.kind === 'bad');
  const goodRecords = records.filter((r): r is GoodCorpusRecord => r.kind === 'good');
  const referenceCsv = `${DAILY_CSV_HEADER.join(',')}\n${known},2012-06-20,99.5,100.5,99,${CORPUS_PREVIOUS_CLOSE},${CORPUS_PREVIOUS_CLOSE},1000000,0.0,1.0\n`;
  return { runId, symbols: { known, unknown }, records, entries, good: goodRecords, referenceCsv };
}

/** Expected arrivals per sink topic and per error class (see {@link expectedBadInputCounts}). */
export interface BadInputCounts {
  /** `<topic>.dlq` name -> records the corpus sends there. */
  readonly dlq: Readonly<Record<string, number>>;
  /** `<topic>.late` name -> records the corpus sends there. */
  readonly late: Readonly<Record<string, number>>;
  /** Error class -> dead letters of that class (tickwire_dlq_records_total{reason}); late records not included. */
  readonly dlqByErrorClass: Readonly<Partial<Record<DeadLetterErrorClass, number>>>;
  /** All dead letters plus all late records. */
  readonly total: number;
  /** Good trades and quotes: enriched records the corpus adds to `market.enriched.v1`. */
  readonly enriched: number;
}

/** Sink topic of an entry on a topic set (`<topic>.dlq` / `<topic>.late`, e.g. market.trades.v1.dlq). */
export function sinkTopicOf(entry: BadInputEntry, topics: CorpusTopicSet = DEFAULT_CORPUS_TOPICS): string {
  const topic = topics[entry.topic];
  if (topics === DEFAULT_CORPUS_TOPICS) {
    const name = topic as (typeof TOPICS)[RawTopicKey];
    return entry.expected.sink === 'dlq' ? dlqTopic(name) : lateTopic(name);
  }
  return `${topic}.${entry.expected.sink}`;
}

/** The DLQ / late counts a corpus must produce on `topics` (what the chaos suite and the tests reconcile). */
export function expectedBadInputCounts(
  corpus: BadInputCorpus,
  topics: CorpusTopicSet = DEFAULT_CORPUS_TOPICS,
): BadInputCounts {
  const dlq: Record<string, number> = {};
  const late: Record<string, number> = {};
  const dlqByErrorClass: Partial<Record<DeadLetterErrorClass, number>> = {};
  for (const entry of corpus.entries) {
    const sink = sinkTopicOf(entry, topics);
    if (entry.expected.sink === 'dlq') {
      dlq[sink] = (dlq[sink] ?? 0) + 1;
      dlqByErrorClass[entry.expected.errorClass] = (dlqByErrorClass[entry.expected.errorClass] ?? 0) + 1;
    } else {
      late[sink] = (late[sink] ?? 0) + 1;
    }
  }
  return {
    dlq,
    late,
    dlqByErrorClass,
    total: corpus.entries.length,
    enriched: corpus.good.filter((g) => g.enriched).length,
  };
}

/**
 * Produces every corpus record, in corpus order per topic, with acks from all in-sync replicas.
 * One `sendBatch` keeps the order of a key's records (one partition each).
 * @param producer a connected kafkajs producer (idempotent recommended).
 */
export async function produceBadInputCorpus(
  producer: Producer,
  corpus: BadInputCorpus,
  topics: CorpusTopicSet = DEFAULT_CORPUS_TOPICS,
): Promise<void> {
  const byTopic = new Map<string, { key: string; value: string | Buffer | null }[]>();
  for (const record of corpus.records) {
    const topic = topics[record.topic];
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push({ key: record.key, value: record.value });
  }
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
  });
}

/**
 * Loads the known symbol's reference row (previous close {@link CORPUS_PREVIOUS_CLOSE} on 2012-06-20)
 * into the reference table with @tickwire/reference-data's loader, so `BK<run>` is known to the
 * enricher and `BU<run>` is not. Call it before the enricher first sees the symbol (its reader caches
 * a symbol's reference for its life).
 * @param tableName default `reference-daily-bars` (created when missing).
 */
export async function loadBadInputCorpusReference(
  client: DynamoDBClient,
  corpus: BadInputCorpus,
  tableName?: string,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bad-input-corpus-'));
  try {
    const file = join(dir, `reference-${corpus.runId}.csv.gz`);
    await writeFile(file, gzipSync(corpus.referenceCsv));
    await loadReferenceDailyBars(client, {
      files: [file],
      ...(tableName !== undefined ? { tableName } : {}),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A WebSocket frame of bad Alpaca v2 messages and where ingest-producer must dead-letter it. */
export interface AlpacaBadFrame {
  readonly name: string;
  readonly description: string;
  /** Frame text as the server sends it (AlpacaProtocolServer.injectFrame). */
  readonly frame: string;
  /** Dead-letter topic role (unattributable frames go to the trades DLQ) and error class. */
  readonly expected: {
    readonly sink: 'dlq';
    readonly topic: RawTopicKey;
    readonly errorClass: DeadLetterErrorClass;
  };
}

/** Bad frames plus one good frame (see {@link buildAlpacaBadInputFrames}). */
export interface AlpacaBadInput {
  readonly frames: readonly AlpacaBadFrame[];
  /** A frame of valid messages (a trade and a quote of the run's symbol), interleaved with the bad ones. */
  readonly goodFrame: string;
  /** Events the good frame yields. */
  readonly goodEvents: number;
}

/**
 * The corpus' ingest-level cases as Alpaca Market Data v2 frames (`[{"T":"t","S":...,"p":...}]`), for
 * AlpacaProtocolServer.injectFrame: malformed frames (truncated, NaN token, not an array, not an
 * object, unknown `T`), wrong types, missing fields, zero / negative / infinite (1e999) values, crossed
 * quotes, timestamps far in the future (ClockSkew), far in the past and unparseable, and a message above
 * MAX_EVENT_RECORD_BYTES. Each must reach `<topic>.dlq` via ingest-producer with the error class given.
 * Unknown symbols, duplicates and out-of-order events are valid at ingest; the enricher decides them
 * (see {@link buildBadInputCorpus}).
 * @param now epoch ms the frames are stamped around (the source stamps ingestTime on receipt).
 */
export function buildAlpacaBadInputFrames(
  options: { readonly runId?: string; readonly now?: number } = {},
): AlpacaBadInput {
  const runId = options.runId ?? randomBytes(4).toString('hex').toUpperCase().slice(0, 6);
  const now = options.now ?? Date.now();
  const symbol = `BK${runId}`;
  const t = new Date(now - 60_000).toISOString();
  let id = 0;
  const trade = (overrides: Json = {}): Json => ({
    T: 't',
    S: symbol,
    i: `${runId}${++id}`,
    x: 'V',
    p: 100.25,
    s: 100,
    c: ['@'],
    t,
    z: 'C',
    ...overrides,
  });
  const quote = (overrides: Json = {}): Json => ({
    T: 'q',
    S: symbol,
    bx: 'V',
    bp: 100.2,
    bs: 3,
    ax: 'V',
    ap: 100.3,
    as: 2,
    c: ['R'],
    t,
    z: 'C',
    ...overrides,
  });
  const frames: AlpacaBadFrame[] = [];
  const add = (
    name: string,
    frame: string,
    topic: RawTopicKey,
    errorClass: DeadLetterErrorClass,
    description: string,
  ) => frames.push({ name, frame, description, expected: { sink: 'dlq', topic, errorClass } });
  const one = (message: Json) => jsonWithTokens([message]);
  const withoutField = (message: Json, field: string) => {
    const copy = { ...message };
    delete copy[field];
    return copy;
  };

  add(
    'alpaca-frame-truncated',
    JSON.stringify([trade()]).slice(0, 40),
    'trades',
    'MalformedJson',
    'frame cut off mid-message',
  );
  add(
    'alpaca-frame-nan-token',
    one(trade({ p: token('NaN') })),
    'trades',
    'MalformedJson',
    'p: the NaN token makes the frame invalid JSON',
  );
  add(
    'alpaca-frame-not-array',
    JSON.stringify(trade()),
    'trades',
    'SchemaViolation',
    'a message object instead of an array of messages',
  );
  add(
    'alpaca-message-not-object',
    '[42]',
    'trades',
    'SchemaViolation',
    'an array element that is not a message object',
  );
  add(
    'alpaca-message-unknown-type',
    one({ T: 'zz', S: symbol, t }),
    'trades',
    'SchemaViolation',
    'T "zz" is neither a data, notice nor control message type',
  );
  add('alpaca-trade-price-string', one(trade({ p: '100.25' })), 'trades', 'SchemaViolation', 'p as a string');
  add('alpaca-trade-missing-price', one(withoutField(trade(), 'p')), 'trades', 'SchemaViolation', 'no p');
  add('alpaca-trade-zero-price', one(trade({ p: 0 })), 'trades', 'SchemaViolation', 'p 0');
  add('alpaca-trade-negative-size', one(trade({ s: -100 })), 'trades', 'SchemaViolation', 's -100');
  add(
    'alpaca-trade-overflow-1e999',
    one(trade({ p: token('1e999') })),
    'trades',
    'SchemaViolation',
    'p 1e999 (Infinity after JSON.parse)',
  );
  add(
    'alpaca-trade-far-future',
    one(trade({ t: new Date(now + 24 * 3_600_000).toISOString() })),
    'trades',
    'ClockSkew',
    't a day after receipt',
  );
  add(
    'alpaca-trade-far-past',
    one(trade({ t: '1985-01-02T15:00:00Z' })),
    'trades',
    'SchemaViolation',
    't in 1985, before the contract range',
  );
  add(
    'alpaca-trade-bad-timestamp',
    one(trade({ t: 'yesterday' })),
    'trades',
    'SchemaViolation',
    't not RFC 3339',
  );
  add(
    'alpaca-quote-crossed',
    one(quote({ bp: 100.4, ap: 100.3 })),
    'quotes',
    'SchemaViolation',
    'bp 100.4 above ap 100.3',
  );
  add('alpaca-quote-zero-bid', one(quote({ bp: 0 })), 'quotes', 'SchemaViolation', 'bp 0');
  add('alpaca-quote-missing-ask', one(withoutField(quote(), 'ap')), 'quotes', 'SchemaViolation', 'no ap');
  add(
    'alpaca-trade-oversized',
    one(trade({ padding: 'x'.repeat(CORPUS_OVERSIZED_BYTES) })),
    'trades',
    'OversizedRecord',
    `a trade message of ${CORPUS_OVERSIZED_BYTES}+ bytes`,
  );
  return { frames, goodFrame: JSON.stringify([trade(), quote()]), goodEvents: 2 };
}
