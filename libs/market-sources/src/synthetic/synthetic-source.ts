import { buildEvent, epochNsToEpochMs, type QuoteV1Event, type TradeV1Event } from '@tickwire/contracts';
import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { AbortableSource } from '../core/abortable-source';
import { systemWallClock, type WallClock } from '../core/clock';
import { eventRecord, type SourceRecord } from '../core/source-record';

/** Envelope `source` of generated events. */
export const SYNTHETIC_SOURCE = 'synthetic';

/** Options of {@link SyntheticSource}. */
export interface SyntheticSourceOptions {
  /** PRNG seed (integer); the same seed and options give the same events. */
  readonly seed: number;
  /** Symbol names, or how many to generate (`SYN0001`, `SYN0002`, ...). Default 10. */
  readonly symbols?: number | readonly string[];
  /** Records per second of event time, all symbols together (integer >= 1). Default 10,000. */
  readonly ratePerSecond?: number;
  /** Records to generate; default unlimited (stop with `close()` or `break`). */
  readonly count?: number;
  /** Event time of the first record, epoch ms. Default 2026-01-05T14:30:00Z (09:30 New York, a Monday). */
  readonly startTime?: number;
  /** Fraction of records that are trades (the rest are quotes), in [0, 1]. Default 0.25. */
  readonly tradeRatio?: number;
  /** `ingestTime` clock, epoch ms. Default `Date.now` (pass a constant for byte-identical output). */
  readonly wallClock?: WallClock;
}

/** US equities trade and quote in $0.01 increments above $1 (SEC Regulation NMS Rule 612). */
const TICKS_PER_DOLLAR = 100;
/** Round lot: 100 shares, the standard unit of trading for US equities priced up to $250 (the SEC 2024 round-lot tiers make it smaller only above). */
const ROUND_LOT = 100;
const GENERATION_BATCH = 256;
const DEFAULT_START_TIME = Date.UTC(2026, 0, 5, 14, 30);

interface SymbolBook {
  readonly symbol: string;
  /** Best bid in ticks (cents). */
  bidTicks: number;
  /** Spread in ticks, 1..3. */
  spreadTicks: number;
  bidLots: number;
  askLots: number;
}

/**
 * A seeded, deterministic generator of realistic-looking level-1 market data for load tests:
 * per symbol a random walk of the best bid in $0.01 ticks (start $20-$500; each record moves it by -1, 0
 * or +1 tick with probabilities 0.1/0.8/0.1, floored at $1), a spread of 1-3 ticks (so bid < ask always),
 * book sizes of 1-10 round lots of 100 shares, and trades of 1-5 round lots that hit the bid
 * (aggressorSide `sell`) or lift the offer (`buy`) with equal odds. Every record is a contract event built
 * with `buildEvent` (source `synthetic`, `sequence` = 1-based record number, so ids are unique).
 *
 * Event times advance by exactly 1e9 / ratePerSecond ns per record from `startTime` (exact integer ns);
 * wrap the source in {@link PacedSource} (`realtime`) to emit at the target rate in wall time, or read it
 * unpaced for maximum throughput. PRNG: xoroshiro128+ from `pure-rand`.
 * @throws RangeError from the constructor for a non-integer seed, rate < 1, no symbols, or tradeRatio outside [0, 1].
 */
export class SyntheticSource extends AbortableSource {
  readonly name = 'synthetic';
  private readonly symbolNames: readonly string[];
  private readonly ratePerSecond: number;
  private readonly count: number;
  private readonly startTimeNs: bigint;
  private readonly tradeRatio: number;
  private readonly wallClock: WallClock;

  constructor(private readonly options: SyntheticSourceOptions) {
    super();
    if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be an integer, got ${options.seed}`);
    const symbols = options.symbols ?? 10;
    this.symbolNames = typeof symbols === 'number' ? Array.from({ length: symbols }, (_, i) => `SYN${String(i + 1).padStart(4, '0')}`) : symbols;
    if (this.symbolNames.length === 0) throw new RangeError('at least one symbol is required');
    this.ratePerSecond = options.ratePerSecond ?? 10_000;
    if (!Number.isSafeInteger(this.ratePerSecond) || this.ratePerSecond < 1) throw new RangeError(`ratePerSecond must be an integer >= 1, got ${this.ratePerSecond}`);
    this.count = options.count ?? Number.POSITIVE_INFINITY;
    this.startTimeNs = BigInt(options.startTime ?? DEFAULT_START_TIME) * 1_000_000n;
    this.tradeRatio = options.tradeRatio ?? 0.25;
    if (!(this.tradeRatio >= 0 && this.tradeRatio <= 1)) throw new RangeError(`tradeRatio must be in [0, 1], got ${this.tradeRatio}`);
    this.wallClock = options.wallClock ?? systemWallClock;
  }

  protected async *generateBatches(signal: AbortSignal): AsyncGenerator<SourceRecord[]> {
    const rng = xoroshiro128plus(this.options.seed);
    const int = (from: number, to: number) => unsafeUniformIntDistribution(from, to, rng);
    const books: SymbolBook[] = this.symbolNames.map((symbol) => ({
      symbol,
      bidTicks: int(20 * TICKS_PER_DOLLAR, 500 * TICKS_PER_DOLLAR),
      spreadTicks: int(1, 3),
      bidLots: int(1, 10),
      askLots: int(1, 10),
    }));
    // Trades per 1,000,000 draws: an integer threshold keeps the draw itself integer and deterministic.
    const tradeThreshold = Math.round(this.tradeRatio * 1_000_000);
    const rate = BigInt(this.ratePerSecond);
    for (let index = 0; index < this.count && !signal.aborted; ) {
      const batch: SourceRecord[] = [];
      const end = Math.min(this.count, index + GENERATION_BATCH);
      for (; index < end; index++) {
        const book = books[int(0, books.length - 1)] as SymbolBook;
        step(book, int);
        const eventTimeNs = (this.startTimeNs + (BigInt(index) * 1_000_000_000n) / rate).toString();
        const isTrade = int(0, 999_999) < tradeThreshold;
        batch.push(eventRecord(isTrade ? this.trade(book, index + 1, eventTimeNs, int) : this.quote(book, index + 1, eventTimeNs)));
      }
      yield batch;
    }
  }

  private trade(book: SymbolBook, sequence: number, eventTimeNs: string, int: (from: number, to: number) => number): TradeV1Event {
    const buy = int(0, 1) === 1;
    return buildEvent('market.trade.v1', {
      eventTime: epochNsToEpochMs(eventTimeNs),
      eventTimeNs,
      ingestTime: this.wallClock(),
      source: SYNTHETIC_SOURCE,
      payload: {
        symbol: book.symbol,
        price: (buy ? book.bidTicks + book.spreadTicks : book.bidTicks) / TICKS_PER_DOLLAR,
        size: int(1, 5) * ROUND_LOT,
        aggressorSide: buy ? 'buy' : 'sell',
        sequence,
      },
    });
  }

  private quote(book: SymbolBook, sequence: number, eventTimeNs: string): QuoteV1Event {
    return buildEvent('market.quote.v1', {
      eventTime: epochNsToEpochMs(eventTimeNs),
      eventTimeNs,
      ingestTime: this.wallClock(),
      source: SYNTHETIC_SOURCE,
      payload: {
        symbol: book.symbol,
        bidPrice: book.bidTicks / TICKS_PER_DOLLAR,
        bidSize: book.bidLots * ROUND_LOT,
        askPrice: (book.bidTicks + book.spreadTicks) / TICKS_PER_DOLLAR,
        askSize: book.askLots * ROUND_LOT,
        sequence,
      },
    });
  }
}

/** One random-walk step of a symbol's book. */
function step(book: SymbolBook, int: (from: number, to: number) => number): void {
  const move = int(0, 9);
  if (move === 0) book.bidTicks = Math.max(TICKS_PER_DOLLAR, book.bidTicks - 1);
  else if (move === 9) book.bidTicks += 1;
  if (int(0, 3) === 0) book.spreadTicks = int(1, 3);
  book.bidLots = int(1, 10);
  book.askLots = int(1, 10);
}
