import { CHANGE_PERCENT_TOLERANCE } from '@tickwire/contracts';

/**
 * The invariants of issue 12 (event-time order, no look-ahead) as pure functions over records read
 * back from the topics and OpenSearch (event-order-evidence.ts gathers them). They are checked
 * against the raw input, never against the enricher's state: the expected last price of a quote is
 * found in the raw trades themselves. Times are epoch ms UTC, prices USD, sizes shares.
 */

/** One checked invariant, with the number of offending records and of records checked. */
export interface EventOrderOutcome {
  readonly name: string;
  readonly held: boolean;
  /** What was compared; when it failed, the counts per kind of problem and the first offenders. */
  readonly detail: string;
  readonly offenders: number;
  readonly checked: number;
}

/** A record of one of the enricher's output topics, where it sits and what orders it. */
export interface TimedOutputRecord {
  readonly partition: number;
  /** Decimal offset. */
  readonly offset: string;
  readonly symbol: string;
  /** Envelope `eventTime`, epoch ms UTC. */
  readonly eventTime: number;
  /** Source sequence of the raw event (LOBSTER: message-file row), when it has one: orders one millisecond's events. */
  readonly sequence?: number;
  /** 1-minute bars: the window start, epoch ms UTC. */
  readonly startTime?: number;
}

/** The order problems of one output topic, as counted by {@link checkEventTimeOrder}. */
export interface EventOrderCounts extends EventOrderOutcome {
  /** Records whose eventTime is earlier than that of a record before them (same symbol, offset order). */
  readonly decreases: number;
  /** Records of the same millisecond as the latest before them with a lower source sequence. */
  readonly sequenceBreaks: number;
}

const MAX_LISTED = 5;
const fmt = (n: number): string => n.toLocaleString('en-US');
const pct = (part: number, whole: number): string => (whole === 0 ? '0' : ((100 * part) / whole).toFixed(1));
const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

/** Problems of one kind: how many, and the first {@link MAX_LISTED} described. */
class Problems {
  count = 0;
  readonly first: string[] = [];
  constructor(readonly what: string) {}

  add(describe: () => string): void {
    this.count += 1;
    if (this.first.length < MAX_LISTED) this.first.push(describe());
  }

  toString(): string {
    return `${fmt(this.count)} ${this.what}: ${this.first.join('; ')}${this.count > this.first.length ? ' …' : ''}`;
  }
}

const outcome = (name: string, kinds: readonly Problems[], checked: number, ok: string, offenders: number): EventOrderOutcome => {
  const found = kinds.filter((k) => k.count > 0);
  return { name, held: found.length === 0, detail: found.length === 0 ? ok : found.map(String).join(' | '), offenders, checked };
};

/**
 * Per symbol, in the topic's offset order (records given in offset order per partition, as a
 * read_committed reader sees them), no record has an eventTime earlier than a record before it;
 * records of the same millisecond keep their source sequence (issue 12: ties in source sequence
 * order); 1-minute bars' window starts never decrease either; and each symbol stays in one partition
 * (the key is the symbol: a second partition would have no order against the first).
 *
 * A decrease is counted per record (as in issue 12: "an eventTime earlier than an event before
 * them"), against the latest eventTime of the symbol so far.
 *
 * @param topic the topic's name, for the result's name and detail
 */
export function checkEventTimeOrder(topic: string, records: readonly TimedOutputRecord[]): EventOrderCounts {
  const decreases = new Problems('records with an eventTime earlier than one before them');
  const sequenceBreaks = new Problems('same-millisecond records out of source sequence');
  const startDecreases = new Problems('bars whose window starts before an earlier bar');
  const split = new Problems('symbols in more than one partition');
  const latest = new Map<string, { partition: number; eventTime: number; sequence?: number; startTime?: number }>();
  for (const r of records) {
    const at = `${r.symbol} ${r.partition}@${r.offset}`;
    const seen = latest.get(r.symbol);
    if (!seen) {
      latest.set(r.symbol, { partition: r.partition, eventTime: r.eventTime, sequence: r.sequence, startTime: r.startTime });
      continue;
    }
    if (seen.partition !== r.partition) split.add(() => `${at} (before in partition ${seen.partition})`);
    if (r.eventTime < seen.eventTime) {
      decreases.add(() => `${at}: ${iso(r.eventTime)} after ${iso(seen.eventTime)} (${fmt(seen.eventTime - r.eventTime)} ms back)`);
    } else if (r.eventTime === seen.eventTime && r.sequence !== undefined && seen.sequence !== undefined && r.sequence < seen.sequence) {
      sequenceBreaks.add(() => `${at}: sequence ${r.sequence} after ${seen.sequence} at ${iso(r.eventTime)}`);
    }
    if (r.startTime !== undefined && seen.startTime !== undefined && r.startTime < seen.startTime) {
      startDecreases.add(() => `${at}: window ${iso(r.startTime as number)} after ${iso(seen.startTime as number)}`);
    }
    if (r.eventTime > seen.eventTime) {
      seen.eventTime = r.eventTime;
      seen.sequence = r.sequence;
    } else if (r.eventTime === seen.eventTime && r.sequence !== undefined && (seen.sequence === undefined || r.sequence > seen.sequence)) {
      seen.sequence = r.sequence;
    }
    if (r.startTime !== undefined && (seen.startTime === undefined || r.startTime > seen.startTime)) seen.startTime = r.startTime;
  }
  const kinds = [decreases, sequenceBreaks, startDecreases, split];
  const ok = `${fmt(records.length)} records of ${fmt(latest.size)} symbols: eventTime never decreases per symbol, same-ms ties in source sequence`;
  const result = outcome(`${topic}: per-symbol event-time order (read_committed)`, kinds, records.length, ok, decreases.count + sequenceBreaks.count + startDecreases.count + split.count);
  const detail = result.held ? result.detail : `${pct(decreases.count, records.length)} % of ${fmt(records.length)} records go back in time | ${result.detail}`;
  return { ...result, detail, decreases: decreases.count, sequenceBreaks: sequenceBreaks.count };
}

/** A raw trade or quote that the enricher had to take in (usable, not sent to a late or dead-letter topic). */
export interface RawMarketEvent {
  readonly id: string;
  readonly symbol: string;
  readonly kind: 'trade' | 'quote';
  /** Envelope `eventTime`, epoch ms UTC. */
  readonly eventTime: number;
  /** Trades: `price`, `size`. Quotes: `bidPrice`, `bidSize`, `askPrice`, `askSize`. Both: `sequence` when the source has one. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Best bid and offer as an enriched event carries it (USD, shares). */
export interface BidAsk {
  readonly bidPrice: number | null;
  readonly askPrice: number | null;
  readonly bidSize: number | null;
  readonly askSize: number | null;
}

const NO_QUOTE: BidAsk = { bidPrice: null, askPrice: null, bidSize: null, askSize: null };
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const bidAskOf = (payload: Readonly<Record<string, unknown>>): BidAsk => ({
  bidPrice: num(payload['bidPrice']),
  askPrice: num(payload['askPrice']),
  bidSize: num(payload['bidSize']),
  askSize: num(payload['askSize']),
});
const sameBidAsk = (a: BidAsk, b: BidAsk): boolean =>
  a.bidPrice === b.bidPrice && a.askPrice === b.askPrice && a.bidSize === b.bidSize && a.askSize === b.askSize;
const showBidAsk = (q: BidAsk): string => `${q.bidPrice}x${q.bidSize} / ${q.askPrice}x${q.askSize}`;

/** What was known of a symbol at one millisecond: the last value strictly before it, and every value of that millisecond. */
export interface KnownAt<T> {
  /** The last value with an earlier eventTime (ties by source sequence), or null when there was none. */
  readonly before: T | null;
  /** Every value with exactly this eventTime, in source order. */
  readonly sameMs: readonly T[];
}

interface Series<T> {
  readonly times: number[];
  readonly values: T[];
}

/** First index whose time is >= `t` (`strict`: > `t`) in ascending `times`. */
function bound(times: readonly number[], t: number, strict: boolean): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < t || (strict && times[mid] === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The raw trades and quotes of every symbol in event-time order (ties by source sequence, then by
 * the order given): what a consumer that saw the whole input in event time knew at each millisecond.
 * Built from raw records only, so it shares nothing with the enricher's state.
 */
export class MarketTape {
  private readonly trades = new Map<string, Series<number>>();
  private readonly quotes = new Map<string, Series<BidAsk>>();

  /** The tape of `raw` (any order). */
  constructor(raw: Iterable<RawMarketEvent>) {
    const sorted = [...raw].map((event, index) => ({ event, index }));
    const sequence = (e: RawMarketEvent): number => (typeof e.payload['sequence'] === 'number' ? e.payload['sequence'] : -1);
    sorted.sort((a, b) => a.event.eventTime - b.event.eventTime || sequence(a.event) - sequence(b.event) || a.index - b.index);
    for (const { event } of sorted) {
      const target = event.kind === 'trade' ? this.trades : this.quotes;
      let series = target.get(event.symbol) as Series<unknown> | undefined;
      if (!series) target.set(event.symbol, (series = { times: [], values: [] }) as never);
      series.times.push(event.eventTime);
      series.values.push(event.kind === 'trade' ? event.payload['price'] : bidAskOf(event.payload));
    }
  }

  /** Trade prices of `symbol` known at `eventTime` (see {@link KnownAt}). */
  tradePricesAt(symbol: string, eventTime: number): KnownAt<number> {
    return MarketTape.at(this.trades.get(symbol), eventTime);
  }

  /** Quotes of `symbol` known at `eventTime` (see {@link KnownAt}). */
  quotesAt(symbol: string, eventTime: number): KnownAt<BidAsk> {
    return MarketTape.at(this.quotes.get(symbol), eventTime);
  }

  /** The trades of `symbol` in tape order: eventTime (ms) and price. */
  tradesOf(symbol: string): { eventTime: number; price: number }[] {
    const series = this.trades.get(symbol);
    return series ? series.times.map((eventTime, i) => ({ eventTime, price: series.values[i] as number })) : [];
  }

  /** Numbers of trades and quotes on the tape. */
  get size(): { trades: number; quotes: number } {
    const total = (m: Map<string, Series<unknown>>): number => [...m.values()].reduce((n, s) => n + s.times.length, 0);
    return { trades: total(this.trades), quotes: total(this.quotes) };
  }

  private static at<T>(series: Series<T> | undefined, t: number): KnownAt<T> {
    if (!series) return { before: null, sameMs: [] };
    const first = bound(series.times, t, false);
    const after = bound(series.times, t, true);
    return { before: first > 0 ? (series.values[first - 1] as T) : null, sameMs: series.values.slice(first, after) };
  }
}

/** The fields of one enriched event (from `market.enriched.v1` or an OpenSearch document) that the look-ahead check reads. */
export interface EnrichedFields extends BidAsk {
  /** Where it was read: `<partition>@<offset>` on the topic, or `doc <_id>` in OpenSearch. */
  readonly where: string;
  readonly sourceEventId: string;
  readonly symbol: string;
  readonly kind: 'trade' | 'quote';
  /** Envelope `eventTime`, epoch ms UTC. */
  readonly eventTime: number;
  readonly lastPrice: number | null;
  readonly previousClose: number | null;
  readonly changePercent: number | null;
}

/** The look-ahead problems found by {@link checkNoLookAhead}. */
export interface LookAheadCounts extends EventOrderOutcome {
  readonly quotes: number;
  /** Quotes whose lastPrice is not a trade price known at their eventTime (issue 12's look-ahead). */
  readonly quotesWithLookAhead: number;
  /** Events with any other field not from their own time: own price or quote, bid/ask of trades, changePercent, eventTime, source. */
  readonly otherFieldProblems: number;
}

const matchesKnown = <T>(value: T | null, known: KnownAt<T>, same: (a: T, b: T) => boolean): boolean =>
  value === null ? known.before === null : (known.before !== null && same(value, known.before)) || known.sameMs.some((v) => same(value, v));
const showKnown = <T>(known: KnownAt<T>, show: (v: T) => string): string =>
  `${known.before === null ? 'null' : show(known.before)} (last before)${known.sameMs.length ? ` or one of ${known.sameMs.slice(0, 3).map(show).join(', ')}${known.sameMs.length > 3 ? ', …' : ''} (same ms)` : ''}`;

/**
 * No look-ahead (issue 12): every enriched event is computed from raw input whose eventTime is at or
 * before its own, with every event of the same millisecond counted as known (the tape cannot order
 * a trade and a quote of one LOBSTER row). Per event, against the raw input (`sources` by id, `tape`):
 * - a quote's `lastPrice` is the price of the symbol's last raw trade with an earlier eventTime, or of
 *   any raw trade of the same millisecond; null only when no trade came earlier;
 * - a quote's bid/ask (prices and sizes) are those of its own raw quote;
 * - a trade's `lastPrice` is its own price; its bid/ask are those of the last raw quote with an earlier
 *   eventTime or of any quote of the same millisecond (all null when no quote came earlier);
 * - `changePercent` = (lastPrice - previousClose) / previousClose * 100 within the contract's
 *   CHANGE_PERCENT_TOLERANCE (market.enriched.v1), null when either is null;
 * - the event's eventTime is its raw event's, and its source is in the raw input.
 *
 * @param source names what was read (e.g. `market.enriched.v1`), for the result
 */
export function checkNoLookAhead(
  source: string,
  enriched: readonly EnrichedFields[],
  sources: ReadonlyMap<string, RawMarketEvent>,
  tape: MarketTape,
): LookAheadCounts {
  const lookAhead = new Problems('quotes whose lastPrice is not the last trade at or before them');
  const quoteBidAsk = new Problems('quotes whose bid/ask is not their own raw quote');
  const tradePrice = new Problems('trades whose lastPrice is not their own price');
  const tradeBidAsk = new Problems('trades whose bid/ask is not a quote at or before them');
  const change = new Problems('events whose changePercent is not (lastPrice - previousClose) / previousClose * 100');
  const time = new Problems('events whose eventTime is not their raw event’s');
  const orphan = new Problems('events without a raw source in the input (usable, not late or dead-lettered)');
  let quotes = 0;
  const wrong = new Set<EnrichedFields>();
  const wrongOther = new Set<EnrichedFields>();
  const other = (problems: Problems, event: EnrichedFields, describe: () => string): void => {
    problems.add(describe);
    wrong.add(event);
    wrongOther.add(event);
  };
  for (const e of enriched) {
    const at = (): string => `${e.symbol} ${e.kind} ${iso(e.eventTime)} (${e.where})`;
    if (e.kind === 'quote') quotes += 1;
    const raw = sources.get(e.sourceEventId);
    if (!raw) {
      other(orphan, e, () => `${at()}: source ${e.sourceEventId}`);
      continue;
    }
    if (raw.eventTime !== e.eventTime) other(time, e, () => `${at()}: raw eventTime ${iso(raw.eventTime)}`);
    const mine: BidAsk = { bidPrice: e.bidPrice, askPrice: e.askPrice, bidSize: e.bidSize, askSize: e.askSize };
    if (e.kind === 'quote') {
      const known = tape.tradePricesAt(e.symbol, raw.eventTime);
      if (!matchesKnown(e.lastPrice, known, (a, b) => a === b)) {
        lookAhead.add(() => `${at()}: lastPrice ${e.lastPrice}, expected ${showKnown(known, String)}`);
        wrong.add(e);
      }
      const own = bidAskOf(raw.payload);
      if (!sameBidAsk(mine, own)) other(quoteBidAsk, e, () => `${at()}: ${showBidAsk(mine)}, raw ${showBidAsk(own)}`);
    } else {
      const price = num(raw.payload['price']);
      if (e.lastPrice !== price) other(tradePrice, e, () => `${at()}: lastPrice ${e.lastPrice}, price ${price}`);
      const known = tape.quotesAt(e.symbol, raw.eventTime);
      const mineOrNone = sameBidAsk(mine, NO_QUOTE) ? null : mine;
      if (!matchesKnown(mineOrNone, known, sameBidAsk)) {
        other(tradeBidAsk, e, () => `${at()}: ${showBidAsk(mine)}, expected ${showKnown(known, showBidAsk)}`);
      }
    }
    const expected = e.lastPrice === null || e.previousClose === null ? null : ((e.lastPrice - e.previousClose) / e.previousClose) * 100;
    const consistent = expected === null ? e.changePercent === null : e.changePercent !== null && Math.abs(e.changePercent - expected) <= CHANGE_PERCENT_TOLERANCE;
    if (!consistent) other(change, e, () => `${at()}: ${e.changePercent}, expected ${expected}`);
  }
  const { trades: tapeTrades, quotes: tapeQuotes } = tape.size;
  const ok =
    `${fmt(quotes)} quotes: lastPrice = last raw trade at or before (same ms counts), bid/ask = own raw quote; ` +
    `${fmt(enriched.length - quotes)} trades: own price, bid/ask of a raw quote at or before; changePercent consistent ` +
    `(raw input: ${fmt(tapeTrades)} trades, ${fmt(tapeQuotes)} quotes)`;
  const kinds = [lookAhead, quoteBidAsk, tradePrice, tradeBidAsk, change, time, orphan];
  const result = outcome(`${source}: no look-ahead (vs raw input)`, kinds, enriched.length, ok, wrong.size);
  const detail = result.held ? result.detail : `look-ahead in ${pct(lookAhead.count, quotes)} % of ${fmt(quotes)} quotes | ${result.detail}`;
  return { ...result, detail, quotes, quotesWithLookAhead: lookAhead.count, otherFieldProblems: wrongOther.size };
}
