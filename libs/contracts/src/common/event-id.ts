import { createHash } from 'node:crypto';

/**
 * Deterministic event ids: the same input record always yields the same id, so a replay, a retry or
 * a duplicate delivery overwrites instead of duplicating (OpenSearch `_id`, DynamoDB keys, S3 dedupe).
 *
 * Recipe (v1, frozen; changing it is a breaking change): join the identifying parts with the ASCII
 * unit separator U+001F, hash with SHA-256 and keep the first 32 hex digits (128 bits; collision
 * probability ~1e-20 at 1e9 events per day for a century). Parts are plain strings/integers, so the
 * id can be recomputed in any language.
 */
export const EVENT_ID_HEX_LENGTH = 32;
const SEPARATOR = '\u001f';

/**
 * Hashes identifying parts into a 32-hex-digit id (see the recipe above).
 * @param parts ordered parts; `undefined` parts are encoded as the empty string.
 * @returns lower-case hex string of length {@link EVENT_ID_HEX_LENGTH}.
 * @throws TypeError if a number part is not a safe integer (floats would make ids depend on formatting).
 */
export function hashEventId(parts: readonly (string | number | bigint | undefined)[]): string {
  const encoded = parts.map((part) => {
    if (typeof part === 'number' && !Number.isSafeInteger(part)) {
      throw new TypeError(`event id parts must be strings or safe integers, got ${part}`);
    }
    return part === undefined ? '' : String(part);
  });
  return createHash('sha256').update(encoded.join(SEPARATOR), 'utf8').digest('hex').slice(0, EVENT_ID_HEX_LENGTH);
}

/** Identifying fields of a raw market event (trade or quote). */
export interface MarketEventIdInput {
  /** Schema name, e.g. `market.trade.v1` (a LOBSTER row can yield a trade and a quote: they must differ). */
  schema: string;
  /** Data source, e.g. `lobster`. */
  source: string;
  symbol: string;
  /** Event time, epoch ms UTC; used when `eventTimeNs` is absent (as `eventTime * 1e6` in ns). */
  eventTime: number;
  /** Event time, epoch ns UTC decimal string, when the source has it. */
  eventTimeNs?: string;
  /**
   * Source-assigned identity within the same timestamp: the venue trade id, or a sequence number
   * (for LOBSTER the 1-based row number in the message file, because one sweep yields several rows
   * with the same nanosecond timestamp). Required in practice whenever timestamps can repeat.
   */
  sequence?: string | number;
}

/**
 * Id of a raw trade or quote: `hashEventId([schema, source, symbol, eventTimeNs, sequence])`, where
 * `eventTimeNs` defaults to `eventTime` ms followed by six zeros. Pure, no I/O.
 * @throws TypeError if `eventTime` or a numeric `sequence` is not a safe integer.
 */
export function buildMarketEventId(input: MarketEventIdInput): string {
  if (!Number.isSafeInteger(input.eventTime)) throw new TypeError(`eventTime must be integer epoch ms, got ${input.eventTime}`);
  const eventTimeNs = input.eventTimeNs ?? `${input.eventTime}000000`;
  return hashEventId([input.schema, input.source, input.symbol, eventTimeNs, input.sequence]);
}
