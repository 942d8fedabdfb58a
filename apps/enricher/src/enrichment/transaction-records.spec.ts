import type { OutgoingRecord } from '@tickwire/kafka';
import {
  latestChangelogRecords,
  SEND_CHUNK_BYTES,
  SEND_CHUNK_RECORDS,
  sendChunks,
} from './transaction-records';

const changelog = 'enricher-changelog';
const snapshot = (symbol: string, version: string | null, partition = 0): OutgoingRecord => ({
  topic: changelog,
  partition,
  key: symbol,
  value: version,
});
const enriched = (symbol: string, n: number): OutgoingRecord => ({
  topic: 'market.enriched.v1',
  key: symbol,
  value: `e${n}`,
});

describe('latestChangelogRecords', () => {
  it('keeps only the last changelog record per symbol and every other record in order', () => {
    const records = [
      enriched('AAPL', 1),
      snapshot('AAPL', 'v1'),
      snapshot('MSFT', null),
      enriched('AAPL', 2),
      snapshot('AAPL', 'v2'),
      snapshot('MSFT', 'v1'),
      snapshot('GOOG', 'v1', 1),
    ];
    expect(
      latestChangelogRecords(records, changelog).map((r) => `${String(r.key)}=${String(r.value)}`),
    ).toEqual(['AAPL=e1', 'AAPL=e2', 'AAPL=v2', 'MSFT=v1', 'GOOG=v1']);
  });

  it('keeps a final tombstone', () => {
    const records = [snapshot('AAPL', 'v1'), snapshot('AAPL', null)];
    expect(latestChangelogRecords(records, changelog)).toEqual([snapshot('AAPL', null)]);
  });
});

describe('sendChunks', () => {
  it('splits by record count', () => {
    const records = Array.from({ length: SEND_CHUNK_RECORDS * 2 + 1 }, (_, i) => enriched('A', i));
    expect(sendChunks(records).map((chunk) => chunk.length)).toEqual([
      SEND_CHUNK_RECORDS,
      SEND_CHUNK_RECORDS,
      1,
    ]);
  });

  it('splits by bytes, so no partition batch nears the broker limit, and keeps the order', () => {
    const big = (n: number): OutgoingRecord => ({ topic: changelog, key: `S${n}`, value: 'x'.repeat(9_000) });
    const records = Array.from({ length: 200 }, (_, i) => big(i));
    const chunks = sendChunks(records);
    for (const chunk of chunks)
      expect(
        chunk.reduce((sum, r) => sum + String(r.key).length + String(r.value).length, 0),
      ).toBeLessThanOrEqual(SEND_CHUNK_BYTES);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(records);
  });

  it('sends a record larger than the chunk on its own', () => {
    const huge: OutgoingRecord = { topic: 't', key: 'k', value: Buffer.alloc(SEND_CHUNK_BYTES + 1) };
    expect(sendChunks([enriched('A', 1), huge, enriched('A', 2)]).map((c) => c.length)).toEqual([1, 1, 1]);
  });
});
