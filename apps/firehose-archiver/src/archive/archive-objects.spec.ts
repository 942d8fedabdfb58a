import { gunzipSync } from 'node:zlib';
import { TOPICS, TRADE_V1_FIXTURES, type TickwireEvent } from '@tickwire/contracts';
import type { KafkaRecord, ParsedRecord } from '@tickwire/kafka';
import { archiveObjects } from './archive-objects';

const HOUR_MS = 3_600_000;

function item(offset: number, eventTimeShiftMs: number, partition = 0): ParsedRecord<TickwireEvent> {
  const base = TRADE_V1_FIXTURES[0]!.event;
  const event = { ...base, eventTime: base.eventTime + eventTimeShiftMs } as TickwireEvent;
  const record: KafkaRecord = { topic: TOPICS.trades, partition, offset: String(offset), key: null, value: null, headers: {}, timestamp: 0 };
  return { record, event };
}

describe('archiveObjects', () => {
  it('writes one gzip NDJSON object per event-time hour, named by its first offset', () => {
    const objects = archiveObjects([item(100, 0), item(101, 1), item(102, HOUR_MS), item(103, 2)]);
    expect(objects).toHaveLength(2);
    const [first, second] = objects;
    expect(first!.key).toMatch(/^raw\/market\.trades\.v1\/year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\/market\.trades\.v1\+0\+00000000000000000100\.json\.gz$/);
    expect(second!.key).toMatch(/\+00000000000000000102\.json\.gz$/);
    const lines = gunzipSync(first!.body).toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => (JSON.parse(line) as TickwireEvent).eventTime - TRADE_V1_FIXTURES[0]!.event.eventTime)).toEqual([0, 1, 2]);
    expect(first!.count).toBe(3);
    expect(second!.count).toBe(1);
  });

  it('is deterministic, so a redelivered batch overwrites the same keys', () => {
    const batch = [item(5, 0), item(6, HOUR_MS)];
    expect(archiveObjects(batch).map((object) => object.key)).toEqual(archiveObjects(batch).map((object) => object.key));
  });

  it('refuses a batch mixing partitions', () => {
    expect(() => archiveObjects([item(1, 0, 0), item(2, 0, 1)])).toThrow(/one topic-partition/);
    expect(archiveObjects([])).toEqual([]);
  });
});
