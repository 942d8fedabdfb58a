/**
 * @tickwire/reference-data: the daily reference bars in DynamoDB (`reference-daily-bars`): a
 * streaming loader from data/market/daily/ (BatchWriteItem, parallel, idempotent) and a per-symbol
 * reader that builds @tickwire/indicators' PreviousCloseReference.
 */
export * from './daily-bars-csv-reader';
export * from './default-reference-files';
export * from './reference-daily-bars-loader';
export * from './previous-close-reader';
