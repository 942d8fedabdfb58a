import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GOLDEN_FIXTURES, type BarDailyV1Event } from '@tickwire/contracts';
import type { RejectedRecord, SourceRecord } from '../core/source-record';
import { DAILY_BARS_FILES, DAILY_CSV_HEADER, type DailyBarsFile } from './daily-bars-files';
import { DailyBarsReplaySource, compareDailyRecords } from './daily-bars-replay-source';

const FIXTURE_INGEST_TIME = (GOLDEN_FIXTURES['market.bar.daily.v1'][0] as { event: BarDailyV1Event }).event.ingestTime;
const dailyFixture = (name: string) => GOLDEN_FIXTURES['market.bar.daily.v1'].find((f) => f.name === name)?.event;

async function collect(source: DailyBarsReplaySource): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const record of source) out.push(record);
  return out;
}

/** Writes gzip daily CSVs (header + rows) into a temp data dir; returns the dir. */
function dailyDir(files: Record<string, string[]>, header = DAILY_CSV_HEADER.join(',')): string {
  const dir = mkdtempSync(join(tmpdir(), 'daily-'));
  mkdirSync(join(dir, 'daily'));
  for (const [name, rows] of Object.entries(files)) writeFileSync(join(dir, 'daily', name), gzipSync(`${[header, ...rows].join('\n')}\n`));
  return dir;
}

describe('DailyBarsReplaySource (real S&P 500 file)', () => {
  let counts = { events: 0, rejected: 0, orderViolations: 0 };
  const rejectedSymbols = new Set<string>();
  let first: BarDailyV1Event | undefined;
  let last: BarDailyV1Event | undefined;

  beforeAll(async () => {
    let previous: SourceRecord | undefined;
    counts = { events: 0, rejected: 0, orderViolations: 0 };
    for await (const record of new DailyBarsReplaySource()) {
      if (previous && compareDailyRecords(previous, record) > 0 && record.kind === 'event') counts.orderViolations++;
      if (record.kind === 'event') {
        counts.events++;
        first ??= record.event as BarDailyV1Event;
        last = record.event as BarDailyV1Event;
        previous = record;
      } else {
        counts.rejected++;
        rejectedSymbols.add(record.symbol ?? '');
      }
    }
  }, 300_000);

  it('accounts for all 164,982 rows of the data README, in (date, symbol) order', () => {
    expect(counts.events + counts.rejected).toBe(164_982);
    expect(counts.orderViolations).toBe(0);
    expect(first?.payload).toMatchObject({ symbol: 'A', tradingDate: '2020-01-02', close: 85.95 });
    expect(last?.payload).toMatchObject({ symbol: 'ZTS', tradingDate: '2021-04-21', close: 170.15 });
  });

  it('dead-letters the 328 AT&T rows whose symbol column holds a file name (a quirk of the source data)', () => {
    expect(counts.rejected).toBe(328);
    expect([...rejectedSymbols]).toEqual(['T-2021-04-21.csv']);
  });
});

describe('DailyBarsReplaySource (history file, by symbol)', () => {
  it('reproduces the golden daily-bar fixtures and orders the merged groups by date', async () => {
    const records = await collect(new DailyBarsReplaySource({ files: [DAILY_BARS_FILES.lobsterSymbols], symbols: ['AAPL', 'AMZN', 'GOOGL'], wallClock: () => FIXTURE_INGEST_TIME }));
    const events = records.flatMap((r) => (r.kind === 'event' ? [r.event as BarDailyV1Event] : []));
    expect(records.length).toBe(events.length);
    const find = (symbol: string, date: string) => events.find((e) => e.payload.symbol === symbol && e.payload.tradingDate === date);
    expect(find('AAPL', '2012-06-20')).toEqual(dailyFixture('aapl-2012-06-20'));
    expect(find('AMZN', '2012-06-20')).toEqual(dailyFixture('amzn-2012-06-20'));
    expect(find('GOOGL', '2012-06-20')).toEqual(dailyFixture('googl-2012-06-20'));
    expect(find('AAPL', '2014-06-09')).toEqual(dailyFixture('aapl-2014-06-09-split-7-noisy'));
    const keys = events.map((e) => `${e.payload.tradingDate} ${e.payload.symbol}`);
    expect(keys).toEqual([...keys].sort());
    expect(keys[0]).toBe('1999-11-01 AAPL');
  }, 180_000);
});

describe('DailyBarsReplaySource (crafted files)', () => {
  const row = (symbol: string, date: string, close = '10.5') => `${symbol},${date},10.0,11.0,9.5,${close},10.2,1000,0.0,1.0`;
  const byDate: DailyBarsFile = { path: 'daily/a.csv.gz', layout: 'by-date' };
  const bySymbol: DailyBarsFile = { path: 'daily/b.csv.gz', layout: 'by-symbol' };

  it('merges files, emits an identical duplicate once and rejects a conflicting one', async () => {
    const dir = dailyDir({
      'a.csv.gz': [row('AAA', '2020-01-02'), row('BBB', '2020-01-02'), row('AAA', '2020-01-03')],
      'b.csv.gz': [row('AAA', '2020-01-02'), row('AAA', '2020-01-03', '10.9'), row('CCC', '2020-01-01')],
    });
    const records = await collect(new DailyBarsReplaySource({ dataDir: dir, files: [byDate, bySymbol] }));
    expect(records.map((r) => (r.kind === 'event' ? `${r.event.payload.symbol}@${(r.event as BarDailyV1Event).payload.tradingDate}` : `rejected:${r.reason}`))).toEqual([
      'CCC@2020-01-01',
      'AAA@2020-01-02',
      'BBB@2020-01-02',
      'AAA@2020-01-03',
      expect.stringMatching(/^rejected:conflicting duplicate of bar [0-9a-f]{32}/),
    ]);
  });

  it('rejects out-of-order and malformed rows with their line, and keeps going', async () => {
    const dir = dailyDir({ 'a.csv.gz': [row('BBB', '2020-01-02'), row('AAA', '2020-01-02'), 'CCC,2020-01-03,10', row('DDD', '2020-01-03', '12.5'), row('EEE', '2020-01-03').replace('1000', '')] });
    const records = await collect(new DailyBarsReplaySource({ dataDir: dir, files: [byDate] }));
    const rejected = records.filter((r): r is RejectedRecord => r.kind === 'rejected');
    expect(rejected.map((r) => [r.errorClass, r.origin])).toEqual([
      ['LateEvent', 'daily/a.csv.gz line 3'],
      ['SchemaViolation', 'daily/a.csv.gz line 4'],
      ['SchemaViolation', 'daily/a.csv.gz line 5'],
      ['SchemaViolation', 'daily/a.csv.gz line 6'],
    ]);
    expect(rejected[0]?.reason).toContain('row out of order');
    expect(rejected[1]?.reason).toContain('row has 3 fields, expected 10');
    expect(rejected[2]?.reason).toContain('close must be within [low, high]');
    expect(rejected[3]?.reason).toContain('payload.volume: volume must be a finite number, got NaN');
    expect(rejected[0]?.raw).toBe(row('AAA', '2020-01-02'));
    expect(records.filter((r) => r.kind === 'event')).toHaveLength(1);
  });

  it('fails on a file with an unexpected header', async () => {
    const dir = dailyDir({ 'a.csv.gz': [row('AAA', '2020-01-02')] }, 'ticker,date,open');
    await expect(collect(new DailyBarsReplaySource({ dataDir: dir, files: [byDate] }))).rejects.toThrow(/header "ticker,date,open" is not symbol,date/);
  });

  it('fails on a by-symbol file whose groups are not contiguous', async () => {
    const dir = dailyDir({ 'b.csv.gz': [row('AAA', '2020-01-02'), row('BBB', '2020-01-02'), row('AAA', '2020-01-03')] });
    await expect(collect(new DailyBarsReplaySource({ dataDir: dir, files: [bySymbol] }))).rejects.toThrow(/rows of AAA are not contiguous/);
  });
});
