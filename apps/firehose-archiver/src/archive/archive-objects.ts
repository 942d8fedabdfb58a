import { gzipSync } from 'node:zlib';
import type { ContractErrorClass } from '@tickwire/contracts';
import type { KafkaRecord } from '@tickwire/kafka';
import { archiveObjectKey } from '@tickwire/resources';

/**
 * One buffered record: its offset, the time that picks its hour folder, and its NDJSON line (without
 * the newline). Data records are filed by event time; records that failed validation have no
 * trustworthy event time and are filed by their Kafka record timestamp (≈ arrival time, as Firehose
 * files its error output), which is just as deterministic on redelivery.
 */
export interface BufferedEntry {
  kind: 'data' | 'error';
  offset: bigint;
  /** epoch ms UTC: eventTime for data, the Kafka record timestamp for errors. */
  time: number;
  line: string;
}

/** One S3 object to write. */
export interface ArchiveObject {
  kind: 'data' | 'error';
  key: string;
  /** gzip of the NDJSON text. */
  body: Buffer;
  /** Number of records (lines). */
  records: number;
  firstOffset: bigint;
  lastOffset: bigint;
}

/** Where a topic-partition's objects go. */
export interface ArchiveTarget {
  topic: string;
  partition: number;
  /** Key prefix of valid records, e.g. `raw`. */
  dataPrefix: string;
  /** Key prefix of records that failed validation, e.g. `errors`. */
  errorPrefix: string;
}

const HOUR_MS = 3_600_000;

/**
 * The NDJSON line of a valid record: the record value exactly as produced (the event JSON), so the
 * archive is byte-for-byte what travelled on Kafka. Only a value containing line breaks (pretty-printed
 * JSON: breaks can only sit between tokens) is compacted, since a raw break would split the line.
 */
export function dataLine(value: Buffer): string {
  const text = value.toString('utf8');
  return /[\r\n]/.test(text) ? JSON.stringify(JSON.parse(text)) : text;
}

/**
 * The NDJSON line of a record that failed validation, Firehose error-output style:
 * `{ reason, errorClass, topic, partition, offset, timestamp, rawValue, rawValueEncoding }`; the raw value
 * is kept as UTF-8 text when it is valid UTF-8, else base64 (null for a tombstone).
 */
export function errorLine(record: KafkaRecord, errorClass: ContractErrorClass, reason: string): string {
  let rawValue: string | null = null;
  let rawValueEncoding: 'utf8' | 'base64' = 'utf8';
  if (record.value !== null) {
    try {
      rawValue = new TextDecoder('utf-8', { fatal: true }).decode(record.value);
    } catch {
      rawValue = record.value.toString('base64');
      rawValueEncoding = 'base64';
    }
  }
  return JSON.stringify({
    reason,
    errorClass,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    rawValue,
    rawValueEncoding,
  });
}

/**
 * Splits the buffered records of ONE topic-partition (in offset order) into their archive groups: one
 * per kind (data / error) and UTC hour of `time`, each in offset order. The group of a record depends
 * only on the record itself, so every owner of the partition groups it alike.
 */
export function groupArchiveEntries(entries: readonly BufferedEntry[]): BufferedEntry[][] {
  const groups = new Map<string, BufferedEntry[]>();
  for (const entry of entries) {
    const group = `${entry.kind}:${Math.floor(entry.time / HOUR_MS)}`;
    const members = groups.get(group);
    if (members) members.push(entry);
    else groups.set(group, [entry]);
  }
  return [...groups.values()];
}

/**
 * One archive object of `members` (records of one group, see {@link groupArchiveEntries}, in offset
 * order): a gzip of their NDJSON lines, keyed
 * `<prefix>/<topic>/year=YYYY/month=MM/day=DD/hour=HH/<topic>+<partition>+<startOffset>.json.gz` where
 * startOffset is the offset of the first member (@tickwire/resources' archiveObjectKey, the naming of
 * Confluent's S3 sink). Deterministic: the same members always give the same key and body.
 *
 * @throws RangeError when `members` is empty, or (from archiveObjectKey) for a non-finite time.
 */
export function buildArchiveObject(members: readonly BufferedEntry[], target: ArchiveTarget): ArchiveObject {
  const head = members[0];
  const tail = members[members.length - 1];
  if (!head || !tail) throw new RangeError('buildArchiveObject: no records');
  return {
    kind: head.kind,
    key: archiveObjectKey({
      prefix: head.kind === 'data' ? target.dataPrefix : target.errorPrefix,
      topic: target.topic,
      partition: target.partition,
      startOffset: head.offset,
      eventTime: head.time,
    }),
    body: gzipSync(members.map((entry) => `${entry.line}\n`).join('')),
    records: members.length,
    firstOffset: head.offset,
    lastOffset: tail.offset,
  };
}

/**
 * Groups the buffered records of ONE topic-partition (in offset order) into archive objects, one per
 * group ({@link groupArchiveEntries}, {@link buildArchiveObject}). ArchiveService builds one group at a
 * time instead, since an object already in the bucket may cover only part of a group.
 *
 * @throws RangeError (from archiveObjectKey) for a non-finite time.
 */
export function buildArchiveObjects(
  entries: readonly BufferedEntry[],
  target: ArchiveTarget,
): ArchiveObject[] {
  return groupArchiveEntries(entries).map((members) => buildArchiveObject(members, target));
}
