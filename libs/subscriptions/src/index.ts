/**
 * Pure subscription logic of the consumer gateway: channels, the client protocol's messages and
 * error codes, per-connection subscriptions, entitlements and limits, rate limiting, the conflating
 * outbound buffer, the last-value cache snapshots come from, and AppSync-style filters. No I/O.
 */
export * from './channels';
export * from './protocol-errors';
export * from './client-messages';
export * from './subscription-set';
export * from './entitlements';
export * from './token-bucket';
export * from './conflating-outbox';
export * from './last-value-cache';
export * from './filter-expression';
export * from './market-messages';
export * from './bounded-async-queue';
