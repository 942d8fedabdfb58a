/**
 * The raw archive in S3, laid out the way Kinesis Data Firehose lays out its delivery: gzip NDJSON
 * objects under `<prefix>/<topic>/year=YYYY/month=MM/day=DD/hour=HH/` by event time (UTC), with
 * deterministic object names so a redelivery overwrites instead of duplicating.
 */

/** Default archive bucket. */
export const ARCHIVE_BUCKET = 'tickwire-archive';
/** Prefix of successfully archived records. */
export const ARCHIVE_DATA_PREFIX = 'raw';
/** Prefix of records that failed validation, stored with the reason (Firehose's error output prefix). */
export const ARCHIVE_ERROR_PREFIX = 'errors';

/** Identifies one archive object: the first record's topic, partition and offset, and its event time. */
export interface ArchiveObjectRef {
  readonly prefix: string;
  readonly topic: string;
  readonly partition: number;
  /** Offset of the first record in the object. */
  readonly startOffset: string | number | bigint;
  /** Event time that selects the hour folder, epoch ms UTC. */
  readonly eventTime: number;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Object key `<prefix>/<topic>/year=YYYY/month=MM/day=DD/hour=HH/<topic>+<partition>+<startOffset>.json.gz`.
 * The hour is that of `eventTime` in UTC. Offsets are zero-padded to 20 digits so keys sort numerically.
 *
 * @throws RangeError when eventTime is not a finite epoch ms, or partition/offset are negative.
 */
export function archiveObjectKey(ref: ArchiveObjectRef): string {
  if (!Number.isFinite(ref.eventTime)) throw new RangeError(`eventTime must be epoch ms, got ${ref.eventTime}`);
  const offset = BigInt(ref.startOffset);
  if (ref.partition < 0 || !Number.isInteger(ref.partition) || offset < 0n) {
    throw new RangeError(`partition and startOffset must be non-negative integers (${ref.partition}, ${offset})`);
  }
  const t = new Date(ref.eventTime);
  const folder = `year=${t.getUTCFullYear()}/month=${pad2(t.getUTCMonth() + 1)}/day=${pad2(t.getUTCDate())}/hour=${pad2(t.getUTCHours())}`;
  const name = `${ref.topic}+${ref.partition}+${offset.toString().padStart(20, '0')}.json.gz`;
  return `${ref.prefix}/${ref.topic}/${folder}/${name}`;
}
