import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RejectedRecord, SourceRecord } from '../core/source-record';
import { lobsterFilePath } from './lobster-files';
import { readLobsterSymbol, type LobsterSymbolOptions } from './lobster-symbol-reader';

/** Writes a small LOBSTER pair (message + orderbook) for symbol TEST on 2012-06-21 and returns the data dir. */
function lobsterDir(messages: string[], books: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'lobster-'));
  mkdirSync(join(dir, 'lobster'));
  writeFileSync(lobsterFilePath(dir, 'TEST', '2012-06-21', 'message'), gzipSync(`${messages.join('\n')}\n`));
  writeFileSync(lobsterFilePath(dir, 'TEST', '2012-06-21', 'orderbook'), gzipSync(`${books.join('\n')}\n`));
  return dir;
}

async function read(dataDir: string, overrides: Partial<LobsterSymbolOptions> = {}): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const record of readLobsterSymbol({ dataDir, symbol: 'TEST', date: '2012-06-21', trades: true, quotes: 'all', venue: 'XNAS', wallClock: () => 1_795_284_000_000, ...overrides })) {
    out.push(record);
  }
  return out;
}

const rejections = (records: SourceRecord[]) => records.filter((r): r is RejectedRecord => r.kind === 'rejected');

describe('readLobsterSymbol on crafted files', () => {
  it('maps an execution of a resting buy order (+1) to a seller-initiated trade, then the quote of the same row', async () => {
    const records = await read(lobsterDir(['34200.5,4,1,100,1000000,1'], ['1000100,200,1000000,300']));
    expect(records.map((r) => r.kind === 'event' && r.event.schema)).toEqual(['market.trade.v1', 'market.quote.v1']);
    expect(records[0]).toMatchObject({ event: { eventTimeNs: '1340285400500000000', eventTime: 1340285400500, payload: { price: 100, size: 100, aggressorSide: 'sell', sequence: 1 } } });
    expect(records[1]).toMatchObject({ event: { payload: { bidPrice: 100, bidSize: 300, askPrice: 100.01, askSize: 200, sequence: 1 } } });
  });

  it('rejects bad rows with a reason, the raw lines and their location, and keeps going', async () => {
    const records = await read(
      lobsterDir(
        [
          '34200.1,1,1,100,1000000,1', // fine
          '34200.2,4,1,100,1000000,0', // direction 0
          '34200.3,4,1,100', // 4 fields
          'abc,1,1,100,1000000,1', // bad time
          '34200.5,4,1,-5,1000000,-1', // negative size
          '34200.6,1,1,100,1000000,1', // crossed quote
          '34200.7,1,1,100,1000000,1', // empty bid side
          '34200.8,1,1,100,1000000,1', // no orderbook row
        ],
        ['1000100,200,1000000,300', '1000100,200,1000000,300', '1000100,200,1000000,300', '1000100,200,1000000,300', '1000100,200,1000000,300', '1000000,200,1000100,300', '1000100,200,-9999999999,0'],
      ),
    );
    const rejected = rejections(records);
    expect(rejected.map((r) => [r.topic, r.errorClass, r.reason])).toEqual([
      ['market.trades.v1', 'SchemaViolation', 'direction must be 1 or -1, got "0"'],
      ['market.trades.v1', 'SchemaViolation', 'message line has 4 fields, expected 6 (time,type,order_id,size,price,direction)'],
      ['market.quotes.v1', 'SchemaViolation', expect.stringContaining('LOBSTER time must be seconds after midnight')],
      ['market.trades.v1', 'SchemaViolation', expect.stringContaining('payload.size: size must be > 0 shares')],
      ['market.quotes.v1', 'SchemaViolation', expect.stringContaining('crossed quote')],
      ['market.quotes.v1', 'SchemaViolation', expect.stringContaining('empty book side')],
      ['market.quotes.v1', 'SchemaViolation', 'message line 8 has no orderbook line (files not aligned)'],
    ]);
    expect(rejected[0]).toMatchObject({ raw: '34200.2,4,1,100,1000000,0', symbol: 'TEST', source: 'lobster', receivedAt: 1_795_284_000_000 });
    expect(rejected[0]?.origin).toBe('lobster/TEST_2012-06-21_34200000_57600000_message_1.csv.gz line 2');
    expect(rejected[4]?.raw).toBe('34200.6,1,1,100,1000000,1\n1000000,200,1000100,300');
    // The valid quotes of the bad-trade rows are still emitted (rows 1, 2, 5).
    expect(records.filter((r) => r.kind === 'event').map((r) => (r.kind === 'event' ? `${r.event.schema}#${(r.event.payload as { sequence: number }).sequence}` : ''))).toEqual([
      'market.quote.v1#1',
      'market.quote.v1#2',
      'market.quote.v1#5',
    ]);
  });

  it('rejects orderbook rows without a message row', async () => {
    const rejected = rejections(await read(lobsterDir(['34200.1,1,1,100,1000000,1'], ['1000100,200,1000000,300', '1000100,200,1000000,300'])));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ topic: 'market.quotes.v1', reason: 'orderbook line 2 has no message line (files not aligned)', raw: '1000100,200,1000000,300' });
  });
});
