/**
 * Limits every Tickwire record must respect beyond its zod schema. Checked by the contract parser
 * (`safeParseEvent`, `safeParseEventValue`) and by `buildEvent`, so producers and consumers agree.
 */

/**
 * Largest record value Tickwire accepts on a catalog topic: 64 KiB of UTF-8 JSON.
 *
 * Why this number: the largest valid raw record is about 1.5 KiB (an envelope of bounded fields plus
 * a trade with 16 conditions, a 64-character trade id and a 128-character id; an enriched record
 * carrying such a trade stays under 4 KiB). 64 KiB leaves 16x room for optional fields added within
 * a version, and stays far below the broker's per-record limit (`message.max.bytes`, default
 * 1,048,588 bytes in Apache Kafka, also MSK's default), so an oversized record still reaches a topic
 * and its DLQ instead of failing the producer. A consumer rejects a larger value before decoding it
 * (`OversizedRecord`), which also bounds the memory one bad record can cost.
 */
export const MAX_EVENT_RECORD_BYTES = 64 * 1024;

/**
 * How far an event's `eventTime` may lie after its `ingestTime` (epoch ms): 1 hour.
 *
 * An event cannot happen after Tickwire received it; only the two clocks' disagreement can make it
 * look so. Exchange and broker clocks are synchronised to within milliseconds (FINRA Rule 6820 / the
 * CAT NMS Plan require 50 ms to NIST for member firms), so anything beyond that is a wrong clock,
 * time zone or unit at the source. The tolerance is Apache Kafka's own for record timestamps in the
 * future: the broker default `log.message.timestamp.after.max.ms` = 3,600,000 ms since Kafka 4.0
 * (KIP-1030). It is wide enough for an hour's time-zone slip of a source's wall clock to be caught
 * only when it errs into the future by more than an hour.
 *
 * There is no lower bound relative to ingestTime: replays (LOBSTER 2012, daily history from 1999)
 * legitimately ingest events years after they happened. Far-past values are caught by the absolute
 * range of `epochMsSchema` ([1990-01-01, 2100-01-01)) and, for trades, by the enricher's watermark
 * (a trade behind a closed 1-minute window goes to `market.trades.v1.late`).
 */
export const MAX_EVENT_TIME_AHEAD_OF_INGEST_MS = 3_600_000;

/**
 * The reason a record value is larger than {@link MAX_EVENT_RECORD_BYTES}, or undefined when it is not.
 * A string is measured in UTF-8 bytes, encoding it only when its length alone does not decide (n UTF-16
 * code units take between n and 3n UTF-8 bytes), so the common case costs nothing.
 * @param value Kafka record value: UTF-8 bytes or a string.
 */
export function oversizedReason(value: string | Uint8Array): string | undefined {
  if (typeof value === 'string' && value.length * 3 <= MAX_EVENT_RECORD_BYTES) return undefined;
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value).byteLength : value.byteLength;
  if (bytes <= MAX_EVENT_RECORD_BYTES) return undefined;
  return `value is ${bytes} bytes, above the ${MAX_EVENT_RECORD_BYTES}-byte record limit`;
}

/**
 * The reason a record's event time lies too far after its ingest time, or undefined when it does not.
 * @param eventTime epoch ms UTC; @param ingestTime epoch ms UTC.
 */
export function clockSkewReason(eventTime: number, ingestTime: number): string | undefined {
  const ahead = eventTime - ingestTime;
  if (ahead <= MAX_EVENT_TIME_AHEAD_OF_INGEST_MS) return undefined;
  return `eventTime ${new Date(eventTime).toISOString()} is ${ahead} ms after ingestTime ${new Date(ingestTime).toISOString()} (at most ${MAX_EVENT_TIME_AHEAD_OF_INGEST_MS} ms allowed)`;
}
