/**
 * Kafka topic names of the Tickwire event streams: one place, used by every service, the local
 * stack's provisioning and infra/.
 *
 * Naming: `market.<stream>.v<major>`. Within a version only optional fields may be added; a breaking
 * change is a new `.v2` topic. Dead letters of topic T go to `T.dlq` (see {@link dlqTopic}); events
 * later than a window's allowed lateness go to `T.late` (see {@link lateTopic}).
 */
export const TOPICS = {
  /** Raw trades (executions), keyed by symbol. */
  trades: 'market.trades.v1',
  /** Raw level-1 quotes (best bid/offer), keyed by symbol. */
  quotes: 'market.quotes.v1',
  /** Raw daily OHLCV bars (reference/end-of-day data), keyed by symbol. */
  barsDaily: 'market.bars.daily.v1',
  /**
   * Raw 1-minute bars as the SOURCE computed them (Alpaca `b`), keyed by symbol. Not the enricher's
   * bars (`market.bars.1m.v1`, computed from Tickwire's own trades): a source's bar may cover another
   * trade set (e.g. IEX only) and is published as received, never restated.
   */
  barsSource1m: 'market.bars.source.1m.v1',
  /** Raw trade corrections (Alpaca `c`): a trade's price, size or conditions replaced, keyed by symbol. */
  tradeCorrections: 'market.trade-corrections.v1',
  /** Raw trade cancels and errors (Alpaca `x`): a trade withdrawn, keyed by symbol. */
  tradeCancels: 'market.trade-cancels.v1',
  /** Raw trading statuses (Alpaca `s`): halts, pauses, resumptions, keyed by symbol. */
  tradingStatus: 'market.trading-status.v1',
  /** Trades and quotes enriched with previous close, change % and indicators, keyed by symbol. */
  enriched: 'market.enriched.v1',
  /** 1-minute tumbling OHLCV bars with VWAP and trade count, keyed by symbol. */
  bars1m: 'market.bars.1m.v1',
  /** Threshold, moving-average cross and volume-spike alerts, keyed by symbol. */
  alerts: 'market.alerts.v1',
  /** Trade corrections and cancels as the enricher applied them (with the restated bar's id and revision), keyed by symbol. */
  corrections: 'market.corrections.v1',
  /** Halts, pauses and resumptions as the enricher applied them (the symbol's halted flag), keyed by symbol. */
  halts: 'market.halts.v1',
} as const;

export type TopicKey = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicKey];

/** Topics that ingest-producer writes (raw input). */
export const RAW_TOPICS: readonly TopicName[] = [
  TOPICS.trades,
  TOPICS.quotes,
  TOPICS.barsDaily,
  TOPICS.barsSource1m,
  TOPICS.tradeCorrections,
  TOPICS.tradeCancels,
  TOPICS.tradingStatus,
];
/**
 * Raw topics that amend earlier trades or a symbol's state rather than adding prints (corrections,
 * cancels, trading statuses). The enricher reads them as non-blocking inputs of its event-time merge.
 */
export const AMENDMENT_TOPICS: readonly TopicName[] = [TOPICS.tradeCorrections, TOPICS.tradeCancels, TOPICS.tradingStatus];
/** Topics that enricher writes and customers may read. */
export const CUSTOMER_TOPICS: readonly TopicName[] = [TOPICS.enriched, TOPICS.bars1m, TOPICS.alerts, TOPICS.corrections, TOPICS.halts];
/** Every main (non-DLQ) topic. */
export const ALL_TOPICS: readonly TopicName[] = [...RAW_TOPICS, ...CUSTOMER_TOPICS];

/**
 * Topics that have a `.late` companion: the inputs of event-time windows (1-minute bars), whose
 * records can fall behind the watermark.
 */
export const LATE_TOPICS: readonly TopicName[] = [TOPICS.trades, TOPICS.quotes];

/** Dead-letter topic of `topic`, e.g. `market.trades.v1.dlq`. */
export function dlqTopic(topic: TopicName): `${TopicName}.dlq` {
  return `${topic}.dlq`;
}

/** Late-event topic of `topic`: events behind the watermark by more than the allowed lateness. */
export function lateTopic(topic: TopicName): `${TopicName}.late` {
  return `${topic}.late`;
}
