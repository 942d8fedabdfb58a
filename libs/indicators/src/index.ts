/**
 * @tickwire/indicators: pure streaming market-data logic (no I/O): event-time OHLCV bars, previous-close
 * reference data, change-threshold, moving-average-cross and volume-spike alerts. Every class keeps its
 * state as plain JSON (`snapshot()` / `restore()`) so a service can persist it across restarts.
 */
export * from './market-types';
export * from './trading-date';
export * from './bar-aggregator';
export * from './previous-close';
export * from './change-threshold-alert';
export * from './moving-average-cross';
export * from './volume-spike';
export * from './trade-ledger';
export * from './sessions/us-equity-calendar';
export * from './sessions/session-previous-close';
