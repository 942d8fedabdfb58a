import { TOPICS } from '@tickwire/contracts';
import { IterableSource, rejectedRecord, type MarketDataSource, type SourceRecord } from '@tickwire/market-sources';
import { SequentialSource } from './sequential-source';

const record = (n: number): SourceRecord =>
  rejectedRecord(TOPICS.trades, 'SchemaViolation', `row ${n}`, { source: 'test', raw: String(n), origin: `line ${n}`, receivedAt: 0 });
const rows = (records: SourceRecord[]) => records.map((r) => (r.kind === 'rejected' ? r.raw : ''));

async function drain(source: MarketDataSource): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of source) out.push(r);
  return out;
}

describe('SequentialSource', () => {
  it('reads the sources one after the other, creating each only when reached', async () => {
    const created: string[] = [];
    const source = new SequentialSource('both', [
      () => (created.push('first'), new IterableSource([record(1), record(2)])),
      () => (created.push('second'), new IterableSource([record(3)])),
    ]);
    const iterator = source[Symbol.asyncIterator]();
    await iterator.next();
    expect(created).toEqual(['first']);
    const rest: SourceRecord[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value);
    expect(rows(rest)).toEqual(['2', '3']);
    expect(created).toEqual(['first', 'second']);
  });

  it('stops after the limit, across sources, and closes what it opened', async () => {
    const inner = new IterableSource([record(1), record(2), record(3)]);
    const source = new SequentialSource('limited', [() => new IterableSource([record(0)]), () => inner, () => new IterableSource([record(9)])], 3);
    expect(rows(await drain(source))).toEqual(['0', '1', '2']);
    expect(inner.closed).toBe(true);
  });

  it('ends the iteration on close() and refuses a second iteration', async () => {
    async function* endless(): AsyncGenerator<SourceRecord> {
      for (let n = 0; ; n++) {
        yield record(n);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const source = new SequentialSource('endless', [() => new IterableSource(endless())]);
    const seen: SourceRecord[] = [];
    for await (const r of source) {
      seen.push(r);
      if (seen.length === 3) await source.close();
    }
    expect(seen.length).toBeLessThanOrEqual(4);
    expect(() => source[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});
