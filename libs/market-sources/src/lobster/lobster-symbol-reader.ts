import { basename } from 'node:path';
import { EventContractError, TOPICS, type DeadLetterErrorClass, type TopicName } from '@tickwire/contracts';
import { integerField } from '../core/csv-fields';
import { csvRowText, readGzipCsvBatches, type CsvRow } from '../core/gzip-csv-reader';
import { eventRecord, rejectedRecord, tryBuildEvent, type MarketEvent, type SourceRecord } from '../core/source-record';
import type { WallClock } from '../core/clock';
import { lobsterFilePath, type LobsterFileWindow } from './lobster-files';
import { lobsterPriceToUsd, newYorkMidnightEpochSeconds, parseLobsterTime } from './lobster-time';

/** Envelope `source` of LOBSTER events. */
export const LOBSTER_SOURCE = 'lobster';

/** Which quotes to emit: every orderbook row, only rows that differ from the previous one, or none. */
export type LobsterQuoteMode = 'all' | 'changes' | 'none';

/** Options of {@link readLobsterSymbol}. */
export interface LobsterSymbolOptions {
  readonly dataDir: string;
  readonly symbol: string;
  /** Trading date `YYYY-MM-DD` of the files. */
  readonly date: string;
  readonly window?: LobsterFileWindow;
  /** Emit trades (message types 4 and 5). */
  readonly trades: boolean;
  readonly quotes: LobsterQuoteMode;
  /** Venue written to the payloads (LOBSTER sample data is Nasdaq TotalView-ITCH: `XNAS`). */
  readonly venue: string;
  /** `ingestTime` of every event. */
  readonly wallClock: WallClock;
  readonly signal?: AbortSignal;
}

// Empty book side as LOBSTER encodes it (LOBSTER_SampleFiles_ReadMe): price +-9999999999 with size 0.
const EMPTY_ASK_PRICE = '9999999999';
const EMPTY_BID_PRICE = '-9999999999';

/**
 * Reads one symbol's LOBSTER message and orderbook files in lockstep (row i of the orderbook is the
 * book after message i) and yields, per row, the trade (message types 4 = visible and 5 = hidden
 * execution) and then the level-1 quote, both stamped with the message's exact time. Mapping
 * (data/market/README.md "Deriving the streams"): price = column / 10000 USD, size in shares,
 * aggressorSide = -direction (a resting sell order executed is a buyer-initiated trade), `sequence` =
 * 1-based row number, `eventTimeNs` from {@link parseLobsterTime}, `source` = `lobster`. These are
 * exactly the recipes of the contracts' golden fixtures, so ids match them.
 *
 * Bad rows (wrong field count, unparsable time, invalid direction, empty book side, rows missing in
 * one of the files, or anything the contract rejects) become {@link RejectedRecord}s with the line(s)
 * verbatim. Output is in file order, which is event-time order in LOBSTER files.
 * @throws the file or gzip error of an unreadable file, or an `AbortError` after `signal` aborted.
 */
export async function* readLobsterSymbol(options: LobsterSymbolOptions): AsyncGenerator<SourceRecord> {
  for await (const batch of readLobsterSymbolBatches(options)) yield* batch;
}

/** {@link readLobsterSymbol} in batches (rows are converted synchronously per decompressed chunk). */
export async function* readLobsterSymbolBatches(options: LobsterSymbolOptions): AsyncGenerator<SourceRecord[]> {
  const { dataDir, symbol, date, window } = options;
  const messagePath = lobsterFilePath(dataDir, symbol, date, 'message', window);
  const bookPath = lobsterFilePath(dataDir, symbol, date, 'orderbook', window);
  const converter = new LobsterRowConverter(options, `lobster/${basename(messagePath)}`, `lobster/${basename(bookPath)}`);
  const messages = new BatchCursor(readGzipCsvBatches(messagePath, { signal: options.signal }));
  const books = new BatchCursor(readGzipCsvBatches(bookPath, { signal: options.signal }));
  try {
    for (;;) {
      await Promise.all([messages.fill(), books.fill()]);
      if (messages.exhausted && books.exhausted) return;
      const out: SourceRecord[] = [];
      // Row i of both files belongs together; a file that ends early leaves the other's rows unpaired.
      const count = messages.exhausted || books.exhausted ? Math.max(messages.available, books.available) : Math.min(messages.available, books.available);
      for (let i = 0; i < count; i++) converter.convert(messages.take(), books.take(), out);
      if (out.length > 0) yield out;
    }
  } finally {
    await Promise.allSettled([messages.close(), books.close()]);
  }
}

/** Reads rows one by one out of a batch iterator. */
class BatchCursor {
  private buffer: CsvRow[] = [];
  private position = 0;
  private done = false;

  constructor(private readonly iterator: AsyncGenerator<CsvRow[]>) {}

  /** True when the file is read and every row taken. */
  get exhausted(): boolean {
    return this.done && this.position >= this.buffer.length;
  }

  get available(): number {
    return this.buffer.length - this.position;
  }

  /** Loads the next non-empty batch if the current one is used up. */
  async fill(): Promise<void> {
    while (!this.done && this.position >= this.buffer.length) {
      const next = await this.iterator.next();
      if (next.done) this.done = true;
      else {
        this.buffer = next.value;
        this.position = 0;
      }
    }
  }

  take(): CsvRow | undefined {
    return this.position < this.buffer.length ? this.buffer[this.position++] : undefined;
  }

  async close(): Promise<void> {
    await this.iterator.return([]);
  }
}

/** Converts one aligned (message, orderbook) row pair into records; see {@link readLobsterSymbol}. */
class LobsterRowConverter {
  private readonly midnight: number;
  private previousBook: string | undefined;

  constructor(
    private readonly options: LobsterSymbolOptions,
    private readonly messageName: string,
    private readonly bookName: string,
  ) {
    this.midnight = newYorkMidnightEpochSeconds(options.date);
  }

  /** A rejected record for this row pair; raw text and location are built only here (per-row string building cost ~5 %). */
  private reject(topic: TopicName, errorClass: DeadLetterErrorClass, reason: string, message: CsvRow | undefined, book: CsvRow | undefined): SourceRecord {
    const raw = [message, book].flatMap((row) => (row ? [csvRowText(row)] : [])).join('\n');
    const where = [message && `${this.messageName} line ${message.line}`, book && `${this.bookName} line ${book.line}`].filter(Boolean).join(' + ');
    return rejectedRecord(topic, errorClass, reason, { source: LOBSTER_SOURCE, raw, origin: where, symbol: this.options.symbol, receivedAt: this.options.wallClock() });
  }

  private record(result: MarketEvent | EventContractError, topic: TopicName, message: CsvRow, book: CsvRow | undefined): SourceRecord {
    return result instanceof EventContractError ? this.reject(topic, result.errorClass, result.reason, message, book) : eventRecord(result);
  }

  convert(message: CsvRow | undefined, book: CsvRow | undefined, out: SourceRecord[]): void {
    const { symbol, venue, wallClock } = this.options;
    if (!message) {
      const row = book as CsvRow;
      out.push(this.reject(TOPICS.quotes, 'SchemaViolation', `orderbook line ${row.line} has no message line (files not aligned)`, undefined, row));
      return;
    }
    const line = message.line;
    const [time, type, , size, price, direction] = message.fields;
    const isTrade = type === '4' || type === '5';
    const topic = isTrade ? TOPICS.trades : TOPICS.quotes;
    if (message.fields.length !== 6) {
      out.push(this.reject(topic, 'SchemaViolation', `message line has ${message.fields.length} fields, expected 6 (time,type,order_id,size,price,direction)`, message, undefined));
      return;
    }
    let eventTimeNs: string;
    let eventTime: number;
    try {
      ({ epochNs: eventTimeNs, epochMs: eventTime } = parseLobsterTime(time as string, this.midnight));
    } catch (error) {
      out.push(this.reject(topic, 'SchemaViolation', (error as Error).message, message, undefined));
      return;
    }
    const ingestTime = wallClock();

    if (isTrade && this.options.trades) {
      if (direction !== '1' && direction !== '-1') {
        out.push(this.reject(TOPICS.trades, 'SchemaViolation', `direction must be 1 or -1, got ${JSON.stringify(direction)}`, message, undefined));
      } else {
        const trade = tryBuildEvent('market.trade.v1', {
          eventTime,
          eventTimeNs,
          ingestTime,
          source: LOBSTER_SOURCE,
          payload: {
            symbol,
            price: lobsterPriceToUsd(price as string),
            size: integerField(size),
            aggressorSide: direction === '-1' ? 'buy' : 'sell',
            venue,
            sequence: line,
          },
        });
        out.push(this.record(trade, TOPICS.trades, message, undefined));
      }
    }

    if (this.options.quotes === 'none') return;
    if (!book) {
      out.push(this.reject(TOPICS.quotes, 'SchemaViolation', `message line ${line} has no orderbook line (files not aligned)`, message, undefined));
      return;
    }
    if (this.options.quotes === 'changes') {
      const bookText = csvRowText(book);
      if (bookText === this.previousBook) return;
      this.previousBook = bookText;
    }
    if (book.fields.length !== 4) {
      out.push(this.reject(TOPICS.quotes, 'SchemaViolation', `orderbook line has ${book.fields.length} fields, expected 4 (ask_price,ask_size,bid_price,bid_size)`, message, book));
      return;
    }
    const [askPrice, askSize, bidPrice, bidSize] = book.fields as [string, string, string, string];
    if (askPrice === EMPTY_ASK_PRICE || bidPrice === EMPTY_BID_PRICE) {
      out.push(this.reject(TOPICS.quotes, 'SchemaViolation', 'empty book side (LOBSTER sentinel price +-9999999999): a level-1 quote needs both sides', message, book));
      return;
    }
    const quote = tryBuildEvent('market.quote.v1', {
      eventTime,
      eventTimeNs,
      ingestTime,
      source: LOBSTER_SOURCE,
      payload: {
        symbol,
        bidPrice: lobsterPriceToUsd(bidPrice),
        bidSize: integerField(bidSize),
        askPrice: lobsterPriceToUsd(askPrice),
        askSize: integerField(askSize),
        venue,
        sequence: line,
      },
    });
    out.push(this.record(quote, TOPICS.quotes, message, book));
  }
}
