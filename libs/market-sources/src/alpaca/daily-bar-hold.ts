import { US_EQUITY_CALENDAR, type UsEquityCalendar } from '@tickwire/indicators';
import { MAX_EVENT_TIME_AHEAD_OF_INGEST_MS, sessionCloseEpochMs } from '@tickwire/contracts';
import type { WallClock } from '../core/clock';
import type { SourceRecord } from '../core/source-record';
import { alpacaDailyBarDateOf, mapAlpacaDataMessage, type AlpacaReceipt } from './alpaca-message-mapper';

type Fields = Readonly<Record<string, unknown>>;

/** A daily bar held back by {@link DailyBarHold}: Alpaca's `d` message as received. */
export interface HeldDailyBar {
  /** Ticker (Alpaca `S`). */
  readonly symbol: string;
  /** Trading date of the bar, `YYYY-MM-DD` in New York. */
  readonly tradingDate: string;
  /** The `d` message as Alpaca sent it (fields `S o h l c v vw n t`). */
  readonly message: Readonly<Record<string, unknown>>;
  /** Where it was received (the stream URL), the `origin` of its record. */
  readonly origin: string;
}

/**
 * Where {@link DailyBarHold} keeps the bars it holds, so that a restart across a session close does not
 * lose the session's official close (Alpaca sends the day's bar while the session runs and has no replay).
 * `save` and `forget` are called in order, for every change, and return at once: the store writes in the
 * background and reports its own failures (the hold keeps working from memory).
 */
export interface DailyBarHoldStore {
  /** The bars held when the previous run stopped. @throws when the store cannot be read. */
  load(): Promise<readonly HeldDailyBar[]>;
  /** Remembers the latest bar of (symbol, tradingDate), replacing an earlier one. */
  save(bar: HeldDailyBar): void;
  /** Forgets the bar of (symbol, tradingDate): it was released to the feed. */
  forget(symbol: string, tradingDate: string): void;
}

/** Options of {@link DailyBarHold}. */
export interface DailyBarHoldOptions {
  /** Epoch ms UTC; decides whether a session has closed, and the `ingestTime` of a released bar. */
  readonly wallClock: WallClock;
  /** Sessions and their closes. Default the packaged XNYS calendar. */
  readonly calendar?: UsEquityCalendar;
  /** Durable copy of the held bars; default none (held bars live in memory only). */
  readonly store?: DailyBarHoldStore;
}

interface HeldBar {
  readonly symbol: string;
  readonly message: Fields;
  readonly origin: string;
  readonly tradingDate: string;
  /** Epoch ms UTC when the bar is released by the wall clock (see {@link DailyBarHold}). */
  readonly releaseAt: number;
  /** Epoch ms UTC: the open of the next session; an event of the symbol from then on releases the bar. */
  readonly laterSessionFrom: number;
}

/**
 * Holds Alpaca's daily bars (`d`) back until their session has closed, and maps every message of the
 * stream to its record ({@link mapAlpacaDataMessage}).
 *
 * Alpaca re-sends a symbol's daily bar as it grows during the session, each copy mapped to a
 * `market.bar.daily.v1` stamped with the contract's 16:00 close: published at once, an unfinished bar
 * would look like the official close and move the enricher's clock past the session's later trades. So
 * per symbol and trading date only the latest `d` message received is kept, and it is mapped and
 * released when
 * - the wall clock reaches the session's close ({@link UsEquityCalendar}: 16:00 ET; on a 13:00 early close
 *   15:00 ET, because a raw event's eventTime, here 16:00, may lie at most MAX_EVENT_TIME_AHEAD_OF_INGEST_MS
 *   after its ingestTime, and the bar is final from 13:00 on anyway), or
 * - an event of the symbol from a later session arrives first (a later date's `d`, or any event at or after
 *   the next session's open), so the held bar goes out before it.
 *
 * A `d` received after that point (a late re-send) is released at once. Every other message passes straight
 * through. A date without a session (or outside the calendar) falls back to the contract's 16:00 close.
 * A released bar's `ingestTime` is the wall clock at its release (it was received earlier; the enricher
 * keeps the latest bar per date either way). With a {@link DailyBarHoldStore} every held bar is also saved
 * there and forgotten at its release, and {@link restore} takes back what a previous run held: a bar whose
 * session closed while nothing ran is released at once. Without one, bars still held when the source closes
 * are lost (Alpaca sends the day's bar only while it changes, not again after the close).
 *
 * Passive: the owner calls {@link accept} for each data message, {@link releaseDue} when the wall clock
 * reaches {@link nextReleaseAt}, and publishes what they return, in order.
 */
export class DailyBarHold {
  private readonly calendar: UsEquityCalendar;
  /** symbol -> tradingDate -> latest `d` of that session. */
  private readonly held = new Map<string, Map<string, HeldBar>>();

  constructor(private readonly options: DailyBarHoldOptions) {
    this.calendar = options.calendar ?? US_EQUITY_CALENDAR;
  }

  /** Number of bars held. */
  get size(): number {
    let size = 0;
    for (const bars of this.held.values()) size += bars.size;
    return size;
  }

  /**
   * Takes one Alpaca data message; returns the records to publish now, in order: bars whose session
   * closed (by the wall clock, or before this later-session event of their symbol), then the message's
   * own record unless it is a `d` to hold.
   */
  accept(message: Fields, receipt: AlpacaReceipt): SourceRecord[] {
    const out = this.releaseDue();
    const symbol = typeof message['S'] === 'string' ? message['S'] : undefined;
    const bars = symbol === undefined ? undefined : this.held.get(symbol);
    const tradingDate = message['T'] === 'd' ? alpacaDailyBarDateOf(message) : undefined;
    if (tradingDate === undefined || symbol === undefined) {
      const record = mapAlpacaDataMessage(message, receipt);
      if (bars !== undefined && record.kind === 'event') {
        const eventTime = record.event.eventTime;
        this.releaseSymbol(symbol as string, bars, (bar) => eventTime >= bar.laterSessionFrom, out, receipt.receivedAt);
      }
      out.push(record);
      return out;
    }
    if (bars !== undefined) this.releaseSymbol(symbol, bars, (bar) => bar.tradingDate < tradingDate, out, receipt.receivedAt);
    const { releaseAt, laterSessionFrom } = this.boundsOf(tradingDate);
    if (this.options.wallClock() >= releaseAt) {
      out.push(mapAlpacaDataMessage(message, receipt));
      return out;
    }
    this.hold({ symbol, message, origin: receipt.origin, tradingDate, releaseAt, laterSessionFrom });
    this.options.store?.save({ symbol, tradingDate, message, origin: receipt.origin });
    return out;
  }

  /**
   * Takes back the bars a previous run held (from {@link DailyBarHoldStore.load}), unless a bar of the same
   * symbol and date was received since (it is newer). Call {@link releaseDue} afterwards: a bar whose session
   * closed meanwhile is due at once.
   */
  restore(bars: readonly HeldDailyBar[]): void {
    for (const { symbol, tradingDate, message, origin } of bars) {
      if (this.held.get(symbol)?.has(tradingDate)) continue;
      this.hold({ symbol, message, origin, tradingDate, ...this.boundsOf(tradingDate) });
    }
  }

  private hold(bar: HeldBar): void {
    const symbolBars = this.held.get(bar.symbol) ?? new Map<string, HeldBar>();
    symbolBars.set(bar.tradingDate, bar);
    this.held.set(bar.symbol, symbolBars);
  }

  /** Maps and releases every held bar whose release time the wall clock has reached, in that order. */
  releaseDue(): SourceRecord[] {
    if (this.held.size === 0) return [];
    const now = this.options.wallClock();
    const due: HeldBar[] = [];
    for (const [symbol, bars] of this.held) {
      for (const [date, bar] of bars) {
        if (bar.releaseAt <= now) {
          due.push(bar);
          bars.delete(date);
        }
      }
      if (bars.size === 0) this.held.delete(symbol);
    }
    return due.sort((a, b) => a.releaseAt - b.releaseAt).map((bar) => this.release(bar));
  }

  /** Epoch ms UTC of the earliest release of a held bar, or undefined when none is held. */
  nextReleaseAt(): number | undefined {
    let next: number | undefined;
    for (const bars of this.held.values()) for (const bar of bars.values()) if (next === undefined || bar.releaseAt < next) next = bar.releaseAt;
    return next;
  }

  /** Maps a held bar, ingested now (or when the later-session message that releases it was received, if later). */
  private release(bar: HeldBar, receivedAt = 0): SourceRecord {
    this.options.store?.forget(bar.symbol, bar.tradingDate);
    return mapAlpacaDataMessage(bar.message, { receivedAt: Math.max(this.options.wallClock(), receivedAt), origin: bar.origin });
  }

  private releaseSymbol(symbol: string, bars: Map<string, HeldBar>, release: (bar: HeldBar) => boolean, out: SourceRecord[], receivedAt: number): void {
    for (const [date, bar] of [...bars].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!release(bar)) continue;
      out.push(this.release(bar, receivedAt));
      bars.delete(date);
    }
    if (bars.size === 0) this.held.delete(symbol);
  }

  private boundsOf(tradingDate: string): { releaseAt: number; laterSessionFrom: number } {
    const contractClose = sessionCloseEpochMs(tradingDate);
    const earliestValid = contractClose - MAX_EVENT_TIME_AHEAD_OF_INGEST_MS;
    try {
      const session = this.calendar.sessionOf(tradingDate);
      const next = this.calendar.sessionOf(this.calendar.nextSession(tradingDate));
      if (session !== undefined && next !== undefined) return { releaseAt: Math.max(session.closeTime, earliestValid), laterSessionFrom: next.openTime };
    } catch {
      // Outside the calendar: the contract's close below (a live stream must not die of an outdated calendar).
    }
    return { releaseAt: contractClose, laterSessionFrom: contractClose + 17.5 * 3_600_000 };
  }
}
