import {
  type OfficialClose,
  type PreviousCloseReference,
  resolveSessionPreviousClose,
  type SessionPreviousClose,
  tradingDateOf,
} from '@tickwire/indicators';
import {
  BarAggregator,
  type BarAggregatorSnapshot,
  ChangeThresholdAlerter,
  type ChangeThresholdSnapshot,
  MovingAverageCrossDetector,
  type MovingAverageCrossSnapshot,
  type OhlcvBar,
  VolumeSpikeDetector,
  type VolumeSpikeSnapshot,
  type ChangeThresholdAlert,
  type MovingAverageCrossSignal,
  type VolumeSpikeAlert,
  TradeLedger,
  type TradeLedgerSnapshot,
} from '@tickwire/indicators';
import type { EnrichmentSettings } from './enrichment-settings';

/** Latest trade and best bid/offer of a symbol; prices USD, sizes shares, times epoch ms UTC. */
export interface LatestMarket {
  lastPrice: number | null;
  lastTradeTime: number | null;
  bidPrice: number | null;
  bidSize: number | null;
  askPrice: number | null;
  askSize: number | null;
  lastQuoteTime: number | null;
  /** Latest event time applied (trade or quote). */
  lastEventTime: number | null;
  /**
   * Whether trading is halted after the symbol's latest trading status (Alpaca `s`; see
   * `market.trading-status.v1`), false before any. Optional: older snapshots restore as not halted.
   */
  halted?: boolean;
}

/**
 * Ids of a symbol's latest trades and quotes kept to recognise an exact re-send: 256 per symbol.
 *
 * A re-sent record follows its original closely in the symbol's partition: a producer retrying a
 * send, or restarted and re-sending what it had in flight (ingest-producer: up to PUBLISH_MAX_IN_FLIGHT
 * batches of PUBLISH_BATCH_SIZE records across all symbols). 256 ids cover a burst of that many of one
 * symbol's events between original and copy; a trade re-sent later than that lands in a closed
 * 1-minute window and goes to market.trades.v1.late instead (still never enriched twice), a quote is
 * enriched again under the same id (downstream writes are idempotent by id). The window is part of
 * the snapshot (about 9 KB per symbol in the changelog: 256 ids of 32 hex characters), so it survives
 * restarts and rebalances.
 */
export const RECENT_EVENT_ID_WINDOW = 256;

/** Official closes kept per symbol: the latest session's and the one before it. */
export const OFFICIAL_CLOSES_KEPT = 2;

/** Plain-JSON state of one {@link SymbolProcessor}: what the changelog topic stores per symbol. */
export interface SymbolProcessorSnapshot {
  readonly version: 1;
  readonly symbol: string;
  readonly market: LatestMarket;
  readonly bars: BarAggregatorSnapshot;
  readonly sma: MovingAverageCrossSnapshot;
  readonly ema: MovingAverageCrossSnapshot;
  readonly volume: VolumeSpikeSnapshot;
  /** Change alerts of trades versus the previous close. */
  readonly intradayChange: ChangeThresholdSnapshot;
  /** Change alerts of daily closes versus the previous close (a separate clock: daily history is years apart from ticks). */
  readonly dailyChange: ChangeThresholdSnapshot;
  /**
   * Ids of the latest trades and quotes, oldest first, at most {@link RECENT_EVENT_ID_WINDOW}. Optional:
   * snapshots written before duplicate detection restore with an empty window.
   */
  readonly recentEventIds?: readonly string[];
  /**
   * Trades (with source ids) of the recent 1-minute windows, to restate a bar after a correction or
   * cancel (see TradeLedger). Optional: older snapshots restore with an empty ledger.
   */
  readonly ledger?: TradeLedgerSnapshot;
  /**
   * The latest official closes the feed delivered (the `market.bars.daily.v1` close of a session), at most
   * {@link OFFICIAL_CLOSES_KEPT}, oldest first: the latest is the previous close of the next session, the
   * one before it stays the previous close of trades after the latest close (post-market of its own
   * session). Optional: snapshots written before it restore without (the reference seeds then).
   */
  readonly officialCloses?: readonly OfficialClose[];
  /** Trading date (`YYYY-MM-DD`) of the latest trade: the session the symbol's state belongs to. */
  readonly session?: string | null;
}

/** What one trade did to the symbol. */
export interface TradeOutcome {
  /** False when the trade's window was already closed: it was not aggregated (late). */
  readonly accepted: boolean;
  /** Watermark of the symbol when the trade arrived (for the late record's header), epoch ms; null before any trade. */
  readonly watermark: number | null;
  readonly reference: SessionPreviousClose | undefined;
  readonly changePercent: number | null;
  readonly changeAlert?: ChangeThresholdAlert;
  /** Bars this trade closed, oldest first, each with the alerts its close raised. */
  readonly bars: readonly ClosedBar[];
}

/**
 * What a correction or cancel did to the symbol's bars (see {@link SymbolProcessor.amendTrade}):
 * `restated` a published bar (new `revision`), `pending` an open window (its bar will come out
 * amended), `bar-emptied` a published bar lost its every trade, `not-found` the trade is not kept.
 */
export type TradeAmendmentOutcome =
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'pending'; readonly startTime: number }
  | {
      readonly outcome: 'restated';
      readonly startTime: number;
      readonly bar: OhlcvBar;
      readonly revision: number;
    }
  | { readonly outcome: 'bar-emptied'; readonly startTime: number; readonly revision: number };

/** A completed 1-minute bar and the alerts it raised. */
export interface ClosedBar {
  readonly bar: OhlcvBar;
  readonly crosses: readonly MovingAverageCrossSignal[];
  readonly volumeSpike?: VolumeSpikeAlert;
}

/**
 * All per-symbol state of the enricher in one object, so that it can be snapshotted and restored as
 * a unit (one changelog record per symbol) and so that one symbol's outcome depends only on its own
 * event order (what Kafka guarantees per key):
 * latest trade / quote, @tickwire/indicators' BarAggregator (1-minute OHLCV + VWAP), SMA and EMA
 * MovingAverageCrossDetectors over bar closes, VolumeSpikeDetector, and two ChangeThresholdAlerters
 * (trades; daily closes).
 */
export class SymbolProcessor {
  private readonly market: LatestMarket;
  private readonly bars: BarAggregator;
  private readonly sma: MovingAverageCrossDetector;
  private readonly ema: MovingAverageCrossDetector;
  private readonly volume: VolumeSpikeDetector;
  private readonly intradayChange: ChangeThresholdAlerter;
  private readonly dailyChange: ChangeThresholdAlerter;
  /** Recent trade/quote ids, oldest first, and the same as a set for O(1) lookups. */
  private readonly recentIds: string[];
  private readonly recentIdSet: Set<string>;
  /** Trades of the recent windows, to restate their bars (see TradeLedger). */
  private readonly ledger: TradeLedger;
  /** Ascending by trading date, at most OFFICIAL_CLOSES_KEPT. */
  private readonly officialCloses: OfficialClose[];
  private session: string | undefined;
  /** The last resolved previous close, per trading date and reference object (events of a session share it). */
  private resolved:
    | {
        tradingDate: string;
        reference: PreviousCloseReference | undefined;
        value: SessionPreviousClose | undefined;
      }
    | undefined;

  /** A fresh processor, or one continuing `snapshot` exactly (settings of durations/thresholds from `settings`). */
  constructor(
    readonly symbol: string,
    private readonly settings: EnrichmentSettings,
    snapshot?: SymbolProcessorSnapshot,
  ) {
    const barOptions = {
      maxOutOfOrdernessMs: settings.maxOutOfOrdernessMs,
      allowedLatenessMs: settings.allowedLatenessMs,
    };
    const change = { thresholdPercent: settings.changeThresholdPercent };
    const spike = { multiplier: settings.volumeSpikeMultiplier, lookback: settings.volumeSpikeLookback };
    if (snapshot === undefined) {
      this.market = {
        lastPrice: null,
        lastTradeTime: null,
        bidPrice: null,
        bidSize: null,
        askPrice: null,
        askSize: null,
        lastQuoteTime: null,
        lastEventTime: null,
      };
      this.bars = new BarAggregator(barOptions);
      this.sma = new MovingAverageCrossDetector({
        kind: 'sma',
        fastPeriod: settings.fastPeriod,
        slowPeriod: settings.slowPeriod,
      });
      this.ema = new MovingAverageCrossDetector({
        kind: 'ema',
        fastPeriod: settings.fastPeriod,
        slowPeriod: settings.slowPeriod,
      });
      this.volume = new VolumeSpikeDetector(spike);
      this.intradayChange = new ChangeThresholdAlerter(change);
      this.dailyChange = new ChangeThresholdAlerter(change);
    } else {
      if (snapshot.version !== 1 || snapshot.symbol !== symbol) {
        throw new RangeError(
          `snapshot of ${String(snapshot.symbol)} v${String(snapshot.version)} cannot restore ${symbol}`,
        );
      }
      this.market = { ...snapshot.market };
      this.bars = BarAggregator.restore(snapshot.bars, barOptions);
      this.sma = MovingAverageCrossDetector.restore(snapshot.sma);
      this.ema = MovingAverageCrossDetector.restore(snapshot.ema);
      this.volume = VolumeSpikeDetector.restore(snapshot.volume, spike);
      this.intradayChange = ChangeThresholdAlerter.restore(snapshot.intradayChange, change);
      this.dailyChange = ChangeThresholdAlerter.restore(snapshot.dailyChange, change);
    }
    this.recentIds = [...(snapshot?.recentEventIds ?? [])].slice(-RECENT_EVENT_ID_WINDOW);
    this.recentIdSet = new Set(this.recentIds);
    const ledgerOptions = { retainMs: settings.restatementRetainMs };
    this.ledger = snapshot?.ledger
      ? TradeLedger.restore(snapshot.ledger, ledgerOptions)
      : new TradeLedger(ledgerOptions);
    this.officialCloses = [...(snapshot?.officialCloses ?? [])];
    this.session = snapshot?.session ?? undefined;
  }

  /** Whether the symbol is halted (after its latest trading status). */
  get halted(): boolean {
    return this.market.halted ?? false;
  }

  /**
   * Applies a trading status: `halted` true or false, or undefined for a status that says nothing about
   * halting (the flag stays). @returns the flag after it.
   */
  applyTradingStatus(halted: boolean | undefined): boolean {
    if (halted !== undefined) this.market.halted = halted;
    return this.halted;
  }

  /**
   * Applies a correction (`replacement`: the corrected trade id, price USD and size shares) or a cancel
   * (`replacement` null) to the kept trade `tradeId` and says what became of its bar (see
   * {@link TradeAmendmentOutcome}). Indicators already fed with the bar (SMA/EMA, volume baseline) and
   * the last price are not rewound.
   */
  amendTrade(
    tradeId: string,
    replacement: { tradeId: string; price: number; size: number } | null,
  ): TradeAmendmentOutcome {
    const result = this.ledger.amend(tradeId, replacement, this.symbol);
    if (result.outcome === 'not-found') return result;
    const { startTime, bar } = result;
    if (this.bars.hasOpenWindow(this.symbol, startTime)) return { outcome: 'pending', startTime };
    const revision = this.ledger.nextRevision(startTime);
    return bar === undefined
      ? { outcome: 'bar-emptied', startTime, revision }
      : { outcome: 'restated', startTime, bar, revision };
  }

  /**
   * The previous close for the session of `tradingDate` (see indicators' resolveSessionPreviousClose):
   * the official close the feed recorded, the reference seeding only what the feed has not delivered
   * (never, with settings.referenceCloses `none`), ex-date adjusted, `stale` when older than the
   * previous session.
   * @param tradingDate `YYYY-MM-DD`, America/New_York
   */
  previousCloseFor(
    tradingDate: string,
    reference: PreviousCloseReference | undefined,
  ): SessionPreviousClose | undefined {
    const cached = this.resolved;
    if (cached !== undefined && cached.tradingDate === tradingDate && cached.reference === reference)
      return cached.value;
    let official: OfficialClose | undefined;
    for (const close of this.officialCloses) if (close.tradingDate < tradingDate) official = close;
    const value = resolveSessionPreviousClose(
      this.symbol,
      tradingDate,
      official,
      reference,
      this.settings.referenceCloses ?? 'seed',
    );
    this.resolved = { tradingDate, reference, value };
    return value;
  }

  /** The latest official close recorded from the feed, if any. */
  latestOfficialClose(): OfficialClose | undefined {
    return this.officialCloses[this.officialCloses.length - 1];
  }

  /** True when `id` is among the symbol's last {@link RECENT_EVENT_ID_WINDOW} trade/quote ids. */
  hasRecentEvent(id: string): boolean {
    return this.recentIdSet.has(id);
  }

  /** Remembers a handled trade/quote id, forgetting the oldest beyond {@link RECENT_EVENT_ID_WINDOW}. */
  rememberEvent(id: string): void {
    if (this.recentIdSet.has(id)) return;
    this.recentIds.push(id);
    this.recentIdSet.add(id);
    if (this.recentIds.length > RECENT_EVENT_ID_WINDOW)
      this.recentIdSet.delete(this.recentIds.shift() as string);
  }

  /** Latest event time applied (trade or quote), epoch ms UTC; null before the first. */
  get lastEventTime(): number | null {
    return this.market.lastEventTime;
  }

  /** Latest trade/quote view (a copy). */
  latest(): LatestMarket {
    return { ...this.market };
  }

  /** Fast/slow SMA and EMA of 1-minute closes (USD), null while warming up. */
  averages(): {
    smaFast: number | null;
    smaSlow: number | null;
    emaFast: number | null;
    emaSlow: number | null;
  } {
    const sma = this.sma.averagesOf(this.symbol);
    const ema = this.ema.averagesOf(this.symbol);
    return {
      smaFast: sma?.fast ?? null,
      smaSlow: sma?.slow ?? null,
      emaFast: ema?.fast ?? null,
      emaSlow: ema?.slow ?? null,
    };
  }

  /**
   * Applies a trade: aggregates it into its 1-minute window (unless late), runs the bar alerts on every
   * bar the trade's watermark advance closed, rolls the session on the first trade of a new trading date
   * ({@link rollSession}), updates the last price when the trade is not older than the last one, and
   * measures the change versus the session's previous close ({@link previousCloseFor}).
   *
   * @param price USD > 0; size shares; eventTime epoch ms UTC
   * @throws RangeError on an invalid trade (the contract parser rejects those before)
   */
  applyTrade(
    trade: { price: number; size: number; eventTime: number; tradeId?: string },
    reference: PreviousCloseReference | undefined,
  ): TradeOutcome {
    const watermark = this.bars.watermarkOf(this.symbol) ?? null;
    const previousPrice = this.market.lastPrice;
    const result = this.bars.add({
      symbol: this.symbol,
      price: trade.price,
      size: trade.size,
      eventTime: trade.eventTime,
    });
    if (!result.late) this.ledger.add(trade);
    // Bars this trade closed belong to earlier windows: their alerts use the state before any session roll.
    const closed = this.closeBars(result.bars);
    const tradingDate = tradingDateOf(trade.eventTime);
    if (!result.late) this.rollSession(tradingDate, previousPrice, reference);
    if (this.market.lastTradeTime === null || trade.eventTime >= this.market.lastTradeTime) {
      this.market.lastPrice = trade.price;
      this.market.lastTradeTime = trade.eventTime;
    }
    this.touch(trade.eventTime);
    const previousClose = this.previousCloseFor(tradingDate, reference);
    let changePercent: number | null = null;
    let changeAlert: ChangeThresholdAlert | undefined;
    if (previousClose !== undefined) {
      const update = this.intradayChange.update({ symbol: this.symbol, price: trade.price }, previousClose);
      changePercent = update.changePercent;
      changeAlert = update.alert;
    }
    return {
      accepted: !result.late,
      watermark,
      reference: previousClose,
      changePercent,
      ...(changeAlert ? { changeAlert } : {}),
      bars: closed,
    };
  }

  /**
   * The session roll, on the first trade of a later trading date than the symbol's session:
   * - the SMA/EMA history is put on the new share basis when corporate actions of `reference` went ex in
   *   between (factor = adjusted / unadjusted last price, see PreviousCloseReference.adjustClose), so a
   *   split or a dividend at the open raises no false cross; the averages otherwise keep their history
   *   across sessions (the overnight move is a real move of the price);
   * - the volume-spike baseline restarts (VolumeSpikeDetector.resetBaseline: per-session baselines);
   * - previous close, change % and the change alert's arming follow the trading date by themselves
   *   ({@link previousCloseFor}, ChangeThresholdAlerter re-arms on a new trading date).
   */
  private rollSession(
    tradingDate: string,
    previousPrice: number | null,
    reference: PreviousCloseReference | undefined,
  ): void {
    const session = this.session;
    if (session !== undefined && tradingDate <= session) return;
    this.session = tradingDate;
    if (session === undefined) return;
    if (reference !== undefined && previousPrice !== null) {
      const adjusted = reference.adjustClose(this.symbol, previousPrice, session, tradingDate);
      if (adjusted.corporateAction !== 'none') {
        const factor = adjusted.previousClose / adjusted.unadjustedPreviousClose;
        this.sma.rescale(this.symbol, factor);
        this.ema.rescale(this.symbol, factor);
      }
    }
    this.volume.resetBaseline(this.symbol);
  }

  /** Applies a quote (best bid/offer) unless it is older than the last quote; returns whether it was applied. */
  applyQuote(quote: {
    bidPrice: number;
    bidSize: number;
    askPrice: number;
    askSize: number;
    eventTime: number;
  }): boolean {
    if (this.market.lastQuoteTime !== null && quote.eventTime < this.market.lastQuoteTime) return false;
    this.market.bidPrice = quote.bidPrice;
    this.market.bidSize = quote.bidSize;
    this.market.askPrice = quote.askPrice;
    this.market.askSize = quote.askSize;
    this.market.lastQuoteTime = quote.eventTime;
    this.touch(quote.eventTime);
    return true;
  }

  /**
   * Measures a session's daily close (the official close of `market.bars.daily.v1`) against the previous
   * close of its trading date ({@link previousCloseFor}: ex-date adjusted; a stale one raises no alert),
   * then records it as an official close, the previous close of the next session. A bar of a recorded
   * date replaces that close; one older than every kept close (an old session re-sent) is measured but
   * not recorded.
   *
   * @param bar close USD > 0, tradingDate `YYYY-MM-DD`
   */
  applyDailyClose(
    bar: { tradingDate: string; close: number },
    reference: PreviousCloseReference | undefined,
  ): {
    reference: SessionPreviousClose | undefined;
    changePercent: number | null;
    alert?: ChangeThresholdAlert;
  } {
    const previousClose = this.previousCloseFor(bar.tradingDate, reference);
    this.recordOfficialClose({ tradingDate: bar.tradingDate, close: bar.close });
    if (previousClose === undefined) return { reference: undefined, changePercent: null };
    const update = this.dailyChange.update({ symbol: this.symbol, price: bar.close }, previousClose);
    return {
      reference: previousClose,
      changePercent: update.changePercent,
      ...(update.alert ? { alert: update.alert } : {}),
    };
  }

  private recordOfficialClose(close: OfficialClose): void {
    const kept = this.officialCloses.filter((c) => c.tradingDate !== close.tradingDate);
    if (kept.length >= OFFICIAL_CLOSES_KEPT && close.tradingDate < (kept[0] as OfficialClose).tradingDate)
      return;
    kept.push(close);
    kept.sort((a, b) => (a.tradingDate < b.tradingDate ? -1 : 1));
    this.officialCloses.splice(0, this.officialCloses.length, ...kept.slice(-OFFICIAL_CLOSES_KEPT));
    this.resolved = undefined;
  }

  /** Advances the bar clock to `eventTime` (idle symbol) and returns the bars that closes. */
  advanceTo(eventTime: number): ClosedBar[] {
    return this.closeBars(this.bars.advanceTo(eventTime));
  }

  /** Number of open 1-minute windows. */
  get openWindows(): number {
    return this.bars.openWindowCount;
  }

  /** Plain-JSON state (see {@link SymbolProcessorSnapshot}). */
  snapshot(): SymbolProcessorSnapshot {
    return {
      version: 1,
      symbol: this.symbol,
      market: { ...this.market },
      bars: this.bars.snapshot(),
      sma: this.sma.snapshot(),
      ema: this.ema.snapshot(),
      volume: this.volume.snapshot(),
      intradayChange: this.intradayChange.snapshot(),
      dailyChange: this.dailyChange.snapshot(),
      recentEventIds: [...this.recentIds],
      ...(this.ledger.size > 0 ? { ledger: this.ledger.snapshot() } : {}),
      officialCloses: this.officialCloses.map((c) => ({ ...c })),
      session: this.session ?? null,
    };
  }

  private touch(eventTime: number): void {
    if (this.market.lastEventTime === null || eventTime > this.market.lastEventTime)
      this.market.lastEventTime = eventTime;
  }

  /**
   * The closed bars with their alerts; a window amended while open closes with its amended bar, or
   * with none when its every trade was withdrawn.
   */
  private closeBars(bars: readonly OhlcvBar[]): ClosedBar[] {
    const closed: ClosedBar[] = [];
    for (const bar of bars) {
      const amended = this.ledger.amendedBarOf(this.symbol, bar.startTime);
      if (amended === undefined) closed.push(this.closeBar(bar));
      else if (amended.bar !== undefined) closed.push(this.closeBar(amended.bar));
    }
    return closed;
  }

  private closeBar(bar: OhlcvBar): ClosedBar {
    const crosses: MovingAverageCrossSignal[] = [];
    for (const detector of [this.sma, this.ema]) {
      const cross = detector.update(bar);
      if (cross && this.settings.crossAlertKinds.includes(detector.kind)) crosses.push(cross);
    }
    const volumeSpike = this.volume.update(bar);
    return { bar, crosses, ...(volumeSpike ? { volumeSpike } : {}) };
  }
}
