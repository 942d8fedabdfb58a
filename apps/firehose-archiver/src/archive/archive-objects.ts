import { gzipSync } from 'node:zlib';
import type { TickwireEvent } from '@tickwire/contracts';
import type { ParsedRecord } from '@tickwire/kafka';
import { ARCHIVE_DATA_PREFIX, archiveObjectKey } from '@tickwire/resources';

/** One S3 object to write: key and gzip NDJSON body. */
export interface ArchiveObject {
  key: string;
  body: Buffer;
  /** Number of events (lines) in it. */
  count: number;
}

const HOUR_MS = 3_600_000;

/**
 * Groups events of ONE topic-partition into archive objects: one per UTC event-time hour (the
 * folder), named after the first record's offset in that hour, each a gzip of NDJSON (one envelope
 * per line, in offset order), as Kinesis Data Firehose delivers. The same batch always yields the
 * same keys, so a redelivery overwrites rather than duplicates.
 *
 * @throws Error when the items span more than one topic or partition (a caller bug).
 */
export function archiveObjects(items: readonly ParsedRecord<TickwireEvent>[]): ArchiveObject[] {
  const first = items[0];
  if (!first) return [];
  const groups = new Map<number, ParsedRecord<TickwireEvent>[]>();
  for (const item of items) {
    if (item.record.topic !== first.record.topic || item.record.partition !== first.record.partition) {
      throw new Error('archiveObjects: all items must come from one topic-partition');
    }
    const hour = Math.floor(item.event.eventTime / HOUR_MS);
    const group = groups.get(hour) ?? [];
    group.push(item);
    groups.set(hour, group);
  }
  return [...groups.values()].map((group) => {
    const head = group[0] as ParsedRecord<TickwireEvent>;
    const ndjson = group.map(({ event }) => `${JSON.stringify(event)}\n`).join('');
    return {
      key: archiveObjectKey({
        prefix: ARCHIVE_DATA_PREFIX,
        topic: head.record.topic,
        partition: head.record.partition,
        startOffset: head.record.offset,
        eventTime: head.event.eventTime,
      }),
      body: gzipSync(ndjson),
      count: group.length,
    };
  });
}
