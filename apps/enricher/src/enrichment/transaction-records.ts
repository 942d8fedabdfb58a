import type { OutgoingRecord } from '@tickwire/kafka';

/** Records per produce request inside a transaction. */
export const SEND_CHUNK_RECORDS = 500;
/**
 * Bytes (keys + values + headers) per produce request inside a transaction: keeps every partition's
 * record batch under the broker's max.message.bytes (1 MiB default; changelog snapshots are ~9 KiB).
 */
export const SEND_CHUNK_BYTES = 512 * 1024;

/**
 * Drops every changelog record of `changelogTopic` followed by a later one of the same key (a symbol
 * changed by several batches of one group commit): the transaction is atomic, so only the last
 * snapshot (or tombstone) per symbol can ever be read. Other records keep their order.
 */
export function latestChangelogRecords(
  records: readonly OutgoingRecord[],
  changelogTopic: string,
): OutgoingRecord[] {
  const last = new Map<string, number>();
  records.forEach((record, i) => {
    if (record.topic === changelogTopic) last.set(`${record.partition}:${String(record.key)}`, i);
  });
  return records.filter(
    (record, i) =>
      record.topic !== changelogTopic || last.get(`${record.partition}:${String(record.key)}`) === i,
  );
}

/**
 * Splits `records` into produce requests of at most SEND_CHUNK_RECORDS records and SEND_CHUNK_BYTES
 * bytes (a single larger record gets a request of its own), keeping their order.
 */
export function sendChunks(records: readonly OutgoingRecord[]): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let chunk: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (chunk.length > 0 && (chunk.length >= SEND_CHUNK_RECORDS || bytes + size > SEND_CHUNK_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

function recordBytes(record: OutgoingRecord): number {
  const length = (value: string | Buffer | null) =>
    value === null ? 0 : Buffer.isBuffer(value) ? value.length : Buffer.byteLength(value);
  let size = length(record.key) + length(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) size += name.length + length(value);
  return size;
}
