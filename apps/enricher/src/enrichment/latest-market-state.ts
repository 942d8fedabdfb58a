import type { QuoteV1Event, TradeV1Event } from '@tickwire/contracts';

/** The latest trade and quote seen for one symbol. Prices USD, sizes shares, times epoch ms UTC. */
export interface SymbolMarketState {
  symbol: string;
  lastTrade?: { price: number; size: number; eventTime: number };
  lastQuote?: { bidPrice: number; bidSize: number; askPrice: number; askSize: number; eventTime: number };
}

/**
 * Per-symbol latest trade and best bid/offer, the state enrichment reads (change vs. last price,
 * spread). Kafka keeps each symbol ordered within its partition, but a replay or a late source can
 * still deliver an older event; an event older than the state it would replace is ignored, so the
 * state only moves forward in event time (same rule as the `symbol-state` table's conditional write).
 */
export class LatestMarketState {
  private readonly bySymbol = new Map<string, SymbolMarketState>();

  /** Applies a trade; returns false (state unchanged) when it is older than the last trade. */
  applyTrade(event: TradeV1Event): boolean {
    const state = this.stateOf(event.payload.symbol);
    if (state.lastTrade && event.eventTime < state.lastTrade.eventTime) return false;
    state.lastTrade = { price: event.payload.price, size: event.payload.size, eventTime: event.eventTime };
    return true;
  }

  /** Applies a quote; returns false (state unchanged) when it is older than the last quote. */
  applyQuote(event: QuoteV1Event): boolean {
    const state = this.stateOf(event.payload.symbol);
    if (state.lastQuote && event.eventTime < state.lastQuote.eventTime) return false;
    const { bidPrice, bidSize, askPrice, askSize } = event.payload;
    state.lastQuote = { bidPrice, bidSize, askPrice, askSize, eventTime: event.eventTime };
    return true;
  }

  /** The state of `symbol`, or undefined before its first event. */
  get(symbol: string): Readonly<SymbolMarketState> | undefined {
    return this.bySymbol.get(symbol);
  }

  /** Number of symbols seen. */
  get size(): number {
    return this.bySymbol.size;
  }

  private stateOf(symbol: string): SymbolMarketState {
    let state = this.bySymbol.get(symbol);
    if (!state) {
      state = { symbol };
      this.bySymbol.set(symbol, state);
    }
    return state;
  }
}
