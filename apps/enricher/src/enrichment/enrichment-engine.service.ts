import {
  type AlertV1Event,
  type AlertV1Payload,
  type Bar1mV1Event,
  type BarDailyV1Event,
  assembleEvent,
  type CorrectionV1Event,
  type CorrectionV1Payload,
  type HaltV1Event,
  isHaltedState,
  type TradeCancelV1Event,
  type TradeCorrectionV1Event,
  type TradingStatusV1Event,
  type EnrichedV1Event,
  type QuoteV1Event,
  type TradeV1Event,
  bar1mV1EventId,
  type DeadLetterErrorClass,
  type FeedSequence,
  type TickwireEvent,
} from '@tickwire/contracts';
import {
  type PreviousClose,
  type PreviousCloseReference,
  type SessionPreviousClose,
  tradingDateOf,
} from '@tickwire/indicators';
import type { EnrichmentSettings } from './enrichment-settings';
import {
  type ClosedBar,
  type TradeAmendmentOutcome,
  RECENT_EVENT_ID_WINDOW,
  SymbolProcessor,
  type SymbolProcessorSnapshot,
} from './symbol-processor';

/**
 * An input the engine refuses, for the dead-letter topic: `errorClass` is what libs/kafka's
 * describeError writes to `x-dlq-error-class` (and the `reason` label of tickwire_dlq_records_total).
 * Thrown before the engine changed any state, so the rest of the batch is unaffected.
 */
export class RejectedEventError extends Error {
  override readonly name = 'RejectedEventError';

  constructor(
    /** `UnknownSymbol` (no reference data) or `DuplicateEvent` (id among the symbol's recent ones). */
    readonly errorClass: Extract<DeadLetterErrorClass, 'UnknownSymbol' | 'DuplicateEvent'>,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A trade or quote the engine did not apply because it came too late, routed verbatim to
 * `<its topic>.late`: `out-of-order` when its event time is before the symbol's last applied trade or
 * quote (applying it would emit the symbol's events out of event-time order), `window-closed` when a
 * trade's 1-minute window had already closed.
 */
export interface LateEvent {
  readonly event: TradeV1Event | QuoteV1Event;
  readonly reason: 'out-of-order' | 'window-closed';
  /**
   * The symbol's clock it was measured against, epoch ms UTC: its last applied event time
   * (`out-of-order`) or its bar watermark (`window-closed`).
   */
  readonly watermark: number;
}

/** Everything one input (or a clock advance) produced, in emission order per list. */
export interface EngineOutput {
  readonly enriched: EnrichedV1Event[];
  readonly bars: Bar1mV1Event[];
  readonly alerts: AlertV1Event[];
  readonly late: LateEvent[];
  /** Corrections and cancels as applied (`market.corrections.v1`). */
  readonly corrections: CorrectionV1Event[];
  /** Trading statuses as applied (`market.halts.v1`). */
  readonly halts: HaltV1Event[];
}

/** Latest state of one symbol, as written to DynamoDB `symbol-state`. Prices USD, times epoch ms UTC. */
export interface SymbolStateView {
  readonly symbol: string;
  readonly lastEventTime: number;
  readonly lastPrice: number | null;
  readonly previousClose: number | null;
  readonly previousCloseDate: string | null;
  readonly changePercent: number | null;
  readonly bidPrice: number | null;
  readonly askPrice: number | null;
  readonly bidSize: number | null;
  readonly askSize: number | null;
  /** Whether trading in the symbol is halted (latest trading status); DynamoDB `symbol-state` attribute `halted`. */
  readonly halted?: boolean;
}

/** Source of the previous-close reference of a symbol (already loaded: the engine is synchronous). */
export type ReferenceLookup = (symbol: string) => PreviousCloseReference | undefined;

/**
 * The event time the processing-time idle flush advances every symbol to, when no input arrived for
 * `idleFor` ms after the latest event time `streamTime` (epoch ms): past the end of the 1-minute
 * window holding `streamTime` by the allowed lateness and out-of-orderness (so that window and every
 * earlier one closes: the input is taken as complete up to its latest event), and never less than
 * `streamTime + idleFor` (the clock a live feed would have reached). A trade of those windows arriving
 * later is late.
 */
export function idleFlushEventTime(
  streamTime: number,
  idleFor: number,
  settings: Pick<EnrichmentSettings, 'allowedLatenessMs' | 'maxOutOfOrdernessMs'>,
): number {
  const windowEnd = Math.floor(streamTime / 60_000) * 60_000 + 60_000;
  return Math.max(
    windowEnd + settings.allowedLatenessMs + settings.maxOutOfOrdernessMs,
    streamTime + idleFor,
  );
}

/** An empty {@link EngineOutput}. */
export function emptyOutput(): EngineOutput {
  return { enriched: [], bars: [], alerts: [], late: [], corrections: [], halts: [] };
}

/**
 * The enricher's domain logic, free of Kafka and DynamoDB: raw `market.trade.v1` / `market.quote.v1`
 * / `market.bar.daily.v1` events in, contract-valid `market.enriched.v1`, `market.bar.1m.v1` and
 * `market.alert.v1` events (put in the envelope with @tickwire/contracts' assembleEvent: deterministic ids, not parsed again (inputs were validated; the engine spec checks every output against its schema)) and late
 * trades out. One {@link SymbolProcessor} per symbol holds all state; the engine tracks which symbols
 * changed since {@link takeChangedSymbols} so that only their snapshots are persisted.
 *
 * Event-time rules:
 * - order: a trade or quote whose event time is before the symbol's last applied trade or quote is
 *   late (`out-of-order`): not applied, not enriched, returned in `late`, so each symbol's enriched
 *   events leave in event-time order and none is computed from a later input (no look-ahead). The
 *   pipeline feeds the engine each task's inputs merged in event time (PartitionGroup), so only
 *   records that arrive later than its merge allows get here;
 * - trades: 1-minute bars on [t, t + 60 s) (BarAggregator, per-symbol watermark = max event time -
 *   maxOutOfOrdernessMs; a window closes once the watermark passes end + allowedLatenessMs); a trade
 *   in a closed window is late: not aggregated, not enriched, returned in `late`;
 * - previousClose = SymbolProcessor.previousCloseFor(trading date of eventTime): the official close of
 *   the previous session as the feed delivered it (`market.bars.daily.v1` close, kept in the symbol's
 *   state), the reference rows only seeding a symbol's first session (`settings.referenceCloses`),
 *   adjusted for the corporate actions going ex since; `previousCloseStale` when it is older than the
 *   previous session of the exchange calendar (no threshold alert then); changePercent of the latest
 *   trade price;
 * - `advanceTo(t)`: pushes every symbol's clock to t (idle symbols still close their bars).
 *
 * Refusals (thrown as {@link RejectedEventError} before any state changes, so the caller dead-letters
 * the record and goes on):
 * - `UnknownSymbol`: the reference data has no daily row for the symbol (nor for its alias source, e.g.
 *   2012 GOOG = GOOGL's history), i.e. it is not in the listed universe Tickwire serves; the LOBSTER
 *   symbols AAPL, AMZN and GOOG are known through data/market/daily/. Checked only when a reference is
 *   passed and `settings.unknownSymbols` is `dead-letter` (the default; `enrich` lets such symbols
 *   through with previousClose null, e.g. for the synthetic source's invented SYN0001...).
 * - `DuplicateEvent`: a trade or quote whose id is among the symbol's last RECENT_EVENT_ID_WINDOW
 *   handled ids (an exact re-send; ids are the contract's idempotency key). The window is part of the
 *   snapshot. Daily bars are not checked (their alert ids are deterministic, a re-send is harmless).
 *
 * Envelopes: enriched events copy the raw event's eventTime, eventTimeNs, ingestTime and source;
 * bars and bar alerts have eventTime = the bar's endTime and ingestTime = that of the trade (or clock
 * advance) that closed them; trade alerts copy the trade's envelope times.
 */
export class EnrichmentEngine {
  private readonly processors = new Map<string, SymbolProcessor>();
  private readonly changed = new Set<string>();
  /** Last source seen per symbol (bars carry the source of their trades). */
  private readonly sources = new Map<string, string>();
  /** Latest previous close per symbol, for the symbol-state view. */
  private readonly references = new Map<string, PreviousClose>();
  /** Symbols with daily history per reference object (references are immutable and cached by the caller). */
  private readonly histories = new WeakMap<PreviousCloseReference, ReadonlySet<string>>();
  /** Per symbol, its feed epoch and last output number per topic (`tickwire-feed-seq`, see nextFeedSequence). */
  private readonly feeds = new Map<string, SymbolFeed>();

  constructor(
    readonly settings: EnrichmentSettings,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Enriches a trade and aggregates it; returns its enriched record (unless late), the bars its
   * watermark closed with their alerts, and a change-threshold alert if it crossed the band.
   */
  processTrade(event: TradeV1Event, reference: PreviousCloseReference | undefined): EngineOutput {
    const { symbol } = event.payload;
    this.assertKnown(symbol, reference);
    this.assertNotDuplicate(event, 'trade');
    const processor = this.processorOf(symbol);
    processor.rememberEvent(event.id);
    const outOfOrder = this.outOfOrder(event, processor);
    if (outOfOrder) return outOfOrder;
    this.sources.set(symbol, event.source);
    const outcome = processor.applyTrade(
      {
        price: event.payload.price,
        size: event.payload.size,
        eventTime: event.eventTime,
        ...(event.payload.tradeId !== undefined ? { tradeId: event.payload.tradeId } : {}),
      },
      reference,
    );
    this.changed.add(symbol);
    const output = emptyOutput();
    // Bars closed before this trade's own effects: they precede it in event time.
    this.emitBars(symbol, outcome.bars, event.source, event.ingestTime, output);
    if (!outcome.accepted) {
      output.late.push({ event, reason: 'window-closed', watermark: outcome.watermark ?? event.eventTime });
      return output;
    }
    if (outcome.reference) this.references.set(symbol, outcome.reference);
    output.enriched.push(this.enrich(event, 'trade', processor, outcome.reference));
    if (outcome.changeAlert) {
      output.alerts.push(
        this.alert(event, { ...outcome.changeAlert, sourceEventId: event.id }, event.eventTime),
      );
    }
    return output;
  }

  /** Enriches a quote with the latest trade, previous close and averages. */
  processQuote(event: QuoteV1Event, reference: PreviousCloseReference | undefined): EngineOutput {
    const { symbol } = event.payload;
    this.assertKnown(symbol, reference);
    this.assertNotDuplicate(event, 'quote');
    const processor = this.processorOf(symbol);
    processor.rememberEvent(event.id);
    const outOfOrder = this.outOfOrder(event, processor);
    if (outOfOrder) return outOfOrder;
    this.sources.set(symbol, event.source);
    const { bidPrice, bidSize, askPrice, askSize } = event.payload;
    processor.applyQuote({ bidPrice, bidSize, askPrice, askSize, eventTime: event.eventTime });
    this.changed.add(symbol);
    const previousClose = processor.previousCloseFor(tradingDateOf(event.eventTime), reference);
    if (previousClose) this.references.set(symbol, previousClose);
    const output = emptyOutput();
    output.enriched.push(this.enrich(event, 'quote', processor, previousClose));
    return output;
  }

  /**
   * Measures a daily close against the (split-adjusted) previous close and returns the
   * `price-change-threshold` alert when the close crossed ±threshold (eventTime = the bar's eventTime,
   * sourceEventId = the daily bar's id). Daily bars produce no enriched record. The daily bar's event
   * time (the session close) advances the symbol's clock first: 1-minute bars still open before it
   * close and come out ahead of the daily alert.
   */
  processDailyBar(event: BarDailyV1Event, reference: PreviousCloseReference | undefined): EngineOutput {
    const { symbol, tradingDate, close } = event.payload;
    this.assertKnown(symbol, reference);
    const processor = this.processorOf(symbol);
    const output = emptyOutput();
    // The session close is the symbol's clock too: its open 1-minute windows end before it, so their
    // bars (and bar alerts) precede the daily alert in event time.
    if (processor.openWindows > 0)
      this.emitBars(
        symbol,
        processor.advanceTo(event.eventTime),
        this.sources.get(symbol) ?? event.source,
        event.ingestTime,
        output,
      );
    const result = processor.applyDailyClose({ tradingDate, close }, reference);
    this.changed.add(symbol);
    if (result.alert)
      output.alerts.push(this.alert(event, { ...result.alert, sourceEventId: event.id }, event.eventTime));
    return output;
  }

  /**
   * Applies a trade correction (`market.trade-correction.v1`): the original trade (by symbol and
   * `originalTradeId`) is replaced, in place, by the corrected price and size, and its 1-minute bar is
   * restated as a new revision of the same id when it was already published (see
   * {@link SymbolProcessor.amendTrade} for `pending` / `bar-emptied` / `not-found`). Returns the
   * customer correction (`market.correction.v1`) and the restated bar, if any. Never late-routed:
   * an amendment refers to an earlier trade by id, whatever its own time. Not checked against the
   * reference universe (it changes nothing for an unknown symbol: `not-found`).
   */
  processCorrection(event: TradeCorrectionV1Event): EngineOutput {
    const p = event.payload;
    const processor = this.processors.get(p.symbol);
    const amendment: TradeAmendmentOutcome =
      processor === undefined
        ? { outcome: 'not-found' }
        : processor.amendTrade(p.originalTradeId, {
            tradeId: p.correctedTradeId,
            price: p.correctedPrice,
            size: p.correctedSize,
          });
    return this.amendmentOutput(event, amendment, {
      kind: 'correction',
      tradeId: p.originalTradeId,
      originalPrice: p.originalPrice,
      originalSize: p.originalSize,
      correctedTradeId: p.correctedTradeId,
      correctedPrice: p.correctedPrice,
      correctedSize: p.correctedSize,
    });
  }

  /**
   * Applies a trade cancel or error (`market.trade-cancel.v1`): the trade (by symbol and `tradeId`) is
   * removed from its 1-minute bar, restated as in {@link processCorrection}.
   */
  processCancel(event: TradeCancelV1Event): EngineOutput {
    const p = event.payload;
    const processor = this.processors.get(p.symbol);
    const amendment: TradeAmendmentOutcome =
      processor === undefined ? { outcome: 'not-found' } : processor.amendTrade(p.tradeId, null);
    return this.amendmentOutput(event, amendment, {
      kind: p.action,
      tradeId: p.tradeId,
      originalPrice: p.price,
      originalSize: p.size,
    });
  }

  /**
   * Applies a trading status (`market.trading-status.v1`): the symbol's halted flag follows its
   * state (halted / quoting: halted; trading: not; other: unchanged) and the customer status
   * (`market.halt.v1`) carries the flag after it.
   */
  processTradingStatus(event: TradingStatusV1Event): EngineOutput {
    const p = event.payload;
    const processor = this.processorOf(p.symbol);
    const halted = processor.applyTradingStatus(isHaltedState(p.state));
    this.changed.add(p.symbol);
    const output = emptyOutput();
    output.halts.push(
      assembleEvent('market.halt.v1', {
        eventTime: event.eventTime,
        ...(event.eventTimeNs !== undefined ? { eventTimeNs: event.eventTimeNs } : {}),
        ingestTime: event.ingestTime,
        source: event.source,
        payload: {
          symbol: p.symbol,
          halted,
          state: p.state,
          statusCode: p.statusCode,
          ...(p.statusMessage !== undefined ? { statusMessage: p.statusMessage } : {}),
          ...(p.reasonCode !== undefined ? { reasonCode: p.reasonCode } : {}),
          ...(p.reasonMessage !== undefined ? { reasonMessage: p.reasonMessage } : {}),
          sourceEventId: event.id,
        },
      }),
    );
    return output;
  }

  /**
   * Advances every symbol's event-time clock to `eventTime` and returns the bars that closes (with
   * their alerts), ordered by end time then symbol. Used for idle symbols and at end of input.
   * @param eventTime epoch ms UTC
   * @param ingestTime envelope ingestTime of the emitted bars, epoch ms UTC (default: the clock)
   */
  advanceTo(eventTime: number, ingestTime: number = this.clock()): EngineOutput {
    const output = emptyOutput();
    for (const [symbol, processor] of [...this.processors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (processor.openWindows === 0) continue;
      const closed = processor.advanceTo(eventTime);
      if (closed.length === 0) continue;
      this.changed.add(symbol);
      this.emitBars(symbol, closed, this.sources.get(symbol) ?? 'lobster', ingestTime, output);
    }
    output.bars.sort((a, b) => a.eventTime - b.eventTime || (a.payload.symbol < b.payload.symbol ? -1 : 1));
    return output;
  }

  /** Symbols with open 1-minute windows. */
  get openWindowCount(): number {
    let count = 0;
    for (const processor of this.processors.values()) count += processor.openWindows;
    return count;
  }

  /** The symbol-state view of `symbol`, or undefined before its first trade or quote. */
  stateOf(symbol: string): SymbolStateView | undefined {
    const processor = this.processors.get(symbol);
    const market = processor?.latest();
    if (!market || market.lastEventTime === null) return undefined;
    const reference = this.references.get(symbol);
    const previousClose = reference?.previousClose ?? null;
    return {
      symbol,
      lastEventTime: market.lastEventTime,
      lastPrice: market.lastPrice,
      previousClose,
      previousCloseDate: reference?.previousCloseDate ?? null,
      changePercent:
        market.lastPrice !== null && previousClose !== null
          ? ((market.lastPrice - previousClose) / previousClose) * 100
          : null,
      bidPrice: market.bidPrice,
      askPrice: market.askPrice,
      bidSize: market.bidSize,
      askSize: market.askSize,
      halted: market.halted ?? false,
    };
  }

  /** Symbols whose state changed since the last call (and forgets them). */
  takeChangedSymbols(): string[] {
    const symbols = [...this.changed].sort();
    this.changed.clear();
    return symbols;
  }

  /**
   * Numbers the next output of `symbol` on `topic` for the `tickwire-feed-seq` header
   * (@tickwire/contracts SEQUENCE_HEADERS): the symbol's counter of that topic + 1, in the symbol's
   * current epoch. One counter per topic, because a reader dedupes per (topic, symbol) and the
   * interleaving of a symbol's outputs across topics (an enriched trade, the bar it closed) may
   * differ after a restore while each topic's own order does not. The counters are part of the
   * symbol's state (its snapshot, so the changelog), so after a failed transaction the restored state
   * numbers the same outputs the same way, and a read_uncommitted consumer drops what it already
   * forwarded. A symbol without counters (new, or restored from a snapshot written before they
   * existed) starts a new epoch named after its first numbered output (an FNV-1a hash of the
   * output's deterministic id and ingestTime): a replay of the same input after an abort names the
   * same epoch, a later life of the pipeline (a reset, a new day's replay) a different one. Marks the
   * symbol changed (its snapshot must be written with the counters).
   *
   * @param topic the output's topic
   * @param output the output event being numbered (its id and ingestTime name a new epoch)
   */
  nextFeedSequence(symbol: string, topic: string, output: TickwireEvent): FeedSequence {
    const feed = this.feeds.get(symbol) ?? { epoch: fnv1a32(`${output.id}|${output.ingestTime}`), sequences: {} };
    const sequence = (feed.sequences[topic] ?? 0) + 1;
    this.feeds.set(symbol, { epoch: feed.epoch, sequences: { ...feed.sequences, [topic]: sequence } });
    this.changed.add(symbol);
    return { epoch: feed.epoch, sequence };
  }

  /** Snapshot of one symbol (undefined if unknown): the changelog value. */
  snapshotOf(symbol: string): EngineSymbolSnapshot | undefined {
    const processor = this.processors.get(symbol);
    if (!processor) return undefined;
    const reference = this.references.get(symbol);
    return {
      processor: processor.snapshot(),
      source: this.sources.get(symbol) ?? null,
      reference: reference ?? null,
      feed: this.feeds.get(symbol) ?? null,
    };
  }

  /** Replaces the state of `symbol` with `snapshot` (a changelog record). */
  restore(symbol: string, snapshot: EngineSymbolSnapshot): void {
    this.processors.set(symbol, new SymbolProcessor(symbol, this.settings, snapshot.processor));
    if (snapshot.source !== null) this.sources.set(symbol, snapshot.source);
    else this.sources.delete(symbol);
    if (snapshot.reference !== null) this.references.set(symbol, snapshot.reference);
    else this.references.delete(symbol);
    if (snapshot.feed?.sequences) this.feeds.set(symbol, snapshot.feed);
    else this.feeds.delete(symbol);
  }

  /** Drops all state (before a full restore). */
  clear(): void {
    this.processors.clear();
    this.changed.clear();
    this.sources.clear();
    this.references.clear();
    this.feeds.clear();
  }

  /** Number of symbols with state. */
  get symbolCount(): number {
    return this.processors.size;
  }

  /** @throws RejectedEventError `UnknownSymbol` (see the class doc). */
  private assertKnown(symbol: string, reference: PreviousCloseReference | undefined): void {
    if (reference === undefined || (this.settings.unknownSymbols ?? 'dead-letter') === 'enrich') return;
    let history = this.histories.get(reference);
    if (history === undefined) this.histories.set(reference, (history = new Set(reference.symbols())));
    // An alias applies before its switch date: on the earliest date the alias source (GOOG -> GOOGL) shows.
    if (history.has(symbol) || history.has(reference.sourceSymbolOf(symbol, '1900-01-01'))) return;
    throw new RejectedEventError(
      'UnknownSymbol',
      `symbol ${symbol} has no reference daily bars (not in the reference universe)`,
    );
  }

  /** @throws RejectedEventError `DuplicateEvent` (see the class doc). */
  private assertNotDuplicate(event: TradeV1Event | QuoteV1Event, kind: 'trade' | 'quote'): void {
    if (this.processors.get(event.payload.symbol)?.hasRecentEvent(event.id) !== true) return;
    throw new RejectedEventError(
      'DuplicateEvent',
      `${kind} ${event.id} of ${event.payload.symbol} was already handled (one of its last ${RECENT_EVENT_ID_WINDOW} events)`,
    );
  }

  /**
   * The output of an event older than the symbol's last applied trade or quote (see the class doc),
   * or undefined when it is in order. Its id is remembered (a re-send is still a DuplicateEvent).
   */
  private outOfOrder(
    event: TradeV1Event | QuoteV1Event,
    processor: SymbolProcessor,
  ): EngineOutput | undefined {
    const last = processor.lastEventTime;
    if (last === null || event.eventTime >= last) return undefined;
    this.changed.add(event.payload.symbol);
    const output = emptyOutput();
    output.late.push({ event, reason: 'out-of-order', watermark: last });
    return output;
  }

  private processorOf(symbol: string): SymbolProcessor {
    let processor = this.processors.get(symbol);
    if (!processor) {
      processor = new SymbolProcessor(symbol, this.settings);
      this.processors.set(symbol, processor);
    }
    return processor;
  }

  private enrich(
    event: TradeV1Event | QuoteV1Event,
    kind: 'trade' | 'quote',
    processor: SymbolProcessor,
    reference: SessionPreviousClose | undefined,
  ): EnrichedV1Event {
    const market = processor.latest();
    const previousClose = reference?.previousClose ?? null;
    const lastPrice = kind === 'trade' ? (event as TradeV1Event).payload.price : market.lastPrice;
    // A quote carries its own bid/ask even when an out-of-order quote did not replace the state.
    const quote = kind === 'quote' ? (event as QuoteV1Event).payload : undefined;
    const common = {
      symbol: event.payload.symbol,
      sourceEventId: event.id,
      previousClose,
      previousCloseDate: reference?.previousCloseDate ?? null,
      ...(reference !== undefined ? { previousCloseStale: reference.stale } : {}),
      changePercent:
        lastPrice !== null && previousClose !== null
          ? ((lastPrice - previousClose) / previousClose) * 100
          : null,
      lastPrice,
      bidPrice: quote?.bidPrice ?? market.bidPrice,
      askPrice: quote?.askPrice ?? market.askPrice,
      bidSize: quote?.bidSize ?? market.bidSize,
      askSize: quote?.askSize ?? market.askSize,
      ...processor.averages(),
      fastPeriod: this.settings.fastPeriod,
      slowPeriod: this.settings.slowPeriod,
      processingTime: this.clock(),
    };
    const payload =
      kind === 'trade'
        ? { kind: 'trade' as const, trade: (event as TradeV1Event).payload, ...common }
        : { kind: 'quote' as const, quote: (event as QuoteV1Event).payload, ...common };
    return assembleEvent('market.enriched.v1', {
      eventTime: event.eventTime,
      ...(event.eventTimeNs !== undefined ? { eventTimeNs: event.eventTimeNs } : {}),
      ingestTime: event.ingestTime,
      source: event.source,
      payload,
    });
  }

  /** The customer correction of an amendment, and the restated bar when it restated one. */
  private amendmentOutput(
    event: TradeCorrectionV1Event | TradeCancelV1Event,
    amendment: TradeAmendmentOutcome,
    fields: Omit<CorrectionV1Payload, 'symbol' | 'sourceEventId' | 'outcome' | 'barId' | 'barRevision'>,
  ): EngineOutput {
    const { symbol } = event.payload;
    const output = emptyOutput();
    const envelope = {
      eventTime: event.eventTime,
      ...(event.eventTimeNs !== undefined ? { eventTimeNs: event.eventTimeNs } : {}),
      ingestTime: event.ingestTime,
      source: event.source,
    };
    if (amendment.outcome === 'restated') {
      // Same id and eventTime (its end) as the first publication; the higher revision wins downstream.
      output.bars.push(
        assembleEvent('market.bar.1m.v1', {
          eventTime: amendment.bar.endTime,
          ingestTime: event.ingestTime,
          source: this.sources.get(symbol) ?? event.source,
          payload: { ...amendment.bar, revision: amendment.revision, restatedBy: event.id },
        }),
      );
    }
    if (amendment.outcome !== 'not-found') this.changed.add(symbol);
    const bar =
      amendment.outcome === 'not-found'
        ? {}
        : {
            barId: bar1mV1EventId({ symbol, startTime: amendment.startTime }),
            ...(amendment.outcome === 'pending' ? {} : { barRevision: amendment.revision }),
          };
    output.corrections.push(
      assembleEvent('market.correction.v1', {
        ...envelope,
        payload: { symbol, sourceEventId: event.id, ...fields, outcome: amendment.outcome, ...bar },
      }),
    );
    return output;
  }

  private emitBars(
    symbol: string,
    closed: readonly ClosedBar[],
    source: string,
    ingestTime: number,
    output: EngineOutput,
  ): void {
    for (const { bar, crosses, volumeSpike } of closed) {
      const barEvent = assembleEvent('market.bar.1m.v1', {
        eventTime: bar.endTime,
        ingestTime,
        source,
        payload: { ...bar },
      });
      output.bars.push(barEvent);
      const sourceEventId = bar1mV1EventId(bar);
      const envelope = { source, ingestTime };
      for (const cross of crosses)
        output.alerts.push(this.alert(envelope, { ...cross, sourceEventId }, bar.endTime));
      if (volumeSpike)
        output.alerts.push(this.alert(envelope, { ...volumeSpike, sourceEventId }, bar.endTime));
    }
    if (closed.length > 0) this.changed.add(symbol);
  }

  private alert(
    envelope: { source: string; ingestTime: number; eventTimeNs?: string; eventTime?: number },
    payload: AlertV1Payload,
    eventTime: number,
  ): AlertV1Event {
    const eventTimeNs = envelope.eventTime === eventTime ? envelope.eventTimeNs : undefined;
    return assembleEvent('market.alert.v1', {
      eventTime,
      ...(eventTimeNs !== undefined ? { eventTimeNs } : {}),
      ingestTime: envelope.ingestTime,
      source: envelope.source,
      payload,
    });
  }
}

/**
 * The changelog value of one symbol: processor state plus the last source and previous close seen,
 * and its feed numbering (absent in snapshots written before it existed).
 */
export interface EngineSymbolSnapshot {
  readonly processor: SymbolProcessorSnapshot;
  readonly source: string | null;
  readonly reference: PreviousClose | null;
  readonly feed?: SymbolFeed | null;
}

/** A symbol's feed numbering: its epoch and the number of its last output per topic. */
export interface SymbolFeed {
  readonly epoch: string;
  readonly sequences: Readonly<Record<string, number>>;
}

/** FNV-1a 32-bit hash of `text` (UTF-16 code units), 8 hex digits: a short deterministic name. */
function fnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
