import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readDailyBarsCsv, type ReferenceDailyBar } from './daily-bars-csv-reader';
import { referenceDailyFilePaths } from './default-reference-files';

describe('readDailyBarsCsv', () => {
  it('reads the real S&P 500 file: 164,982 bars and the 328 AT&T rows with a file name as symbol', async () => {
    const [, sp500] = referenceDailyFilePaths();
    let bars = 0;
    const rejected: string[] = [];
    let aaplSplit: ReferenceDailyBar | undefined;
    for await (const item of readDailyBarsCsv(sp500 as string)) {
      if (item.kind === 'bar') {
        bars += 1;
        if (item.bar.symbol === 'AAPL' && item.bar.tradingDate === '2020-08-31') aaplSplit = item.bar;
      } else rejected.push(item.text);
    }
    expect(bars).toBe(164_982 - 328);
    expect(rejected).toHaveLength(328);
    expect(rejected.every((text) => text.startsWith('T-2021-04-21.csv,'))).toBe(true);
    expect(aaplSplit).toEqual({
      symbol: 'AAPL',
      tradingDate: '2020-08-31',
      open: 127.58,
      high: 131,
      low: 126,
      close: 129.04,
      adjustedClose: 128.624702503,
      volume: 223505733,
      dividendAmount: 0,
      splitCoefficient: 4,
    });
  }, 60_000);

  it('rejects wrong field counts and non-positive prices, and refuses another header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'daily-csv-'));
    try {
      const good = join(dir, 'good.csv.gz');
      await writeFile(
        good,
        gzipSync(
          'symbol,date,open,high,low,close,adjusted_close,volume,dividend_amount,split_coefficient\nAAPL,2020-01-02,1,2,1,0,1,5,0,1\nAAPL,2020-01-03,1,2\n',
        ),
      );
      const items = [];
      for await (const item of readDailyBarsCsv(good)) items.push(item);
      expect(items.map((item) => (item.kind === 'rejected' ? item.reason : 'bar'))).toEqual([
        'close must be a finite number > 0, got "0"',
        'row has 4 fields, expected 10',
      ]);
      const bad = join(dir, 'bad.csv.gz');
      await writeFile(bad, gzipSync('sym,date\nAAPL,2020-01-02\n'));
      await expect(async () => {
        for await (const item of readDailyBarsCsv(bad)) void item;
      }).rejects.toThrow(/header "sym,date"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
