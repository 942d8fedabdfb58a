/**
 * Customers' API keys and Alpaca-compatible credentials: generation, SHA-256 hashing, and the DynamoDB `customer-api-keys` store with
 * per-key entitlements (channels, symbols) and limits (connections, symbols).
 */
export * from './api-key';
export * from './alpaca-credentials';
export * from './customer-api-key-store';
