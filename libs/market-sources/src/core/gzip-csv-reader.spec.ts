import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { csvRowText, readGzipCsv, readGzipCsvBatches, type CsvRow } from './gzip-csv-reader';
import { decimalField, integerField } from './csv-fields';

const dir = mkdtempSync(join(tmpdir(), 'gzip-csv-'));
function file(name: string, content: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
async function rows(path: string, fromLine?: number): Promise<CsvRow[]> {
  const out: CsvRow[] = [];
  for await (const row of readGzipCsv(path, fromLine === undefined ? {} : { fromLine })) out.push(row);
  return out;
}

describe('readGzipCsv', () => {
  it('reads CRLF and LF files with line numbers, skipping a header with fromLine', async () => {
    const path = file('a.csv.gz', gzipSync('h1,h2\r\n1,2\r\n3,4\r\n'));
    expect(await rows(path, 2)).toEqual([
      { fields: ['1', '2'], line: 2 },
      { fields: ['3', '4'], line: 3 },
    ]);
    expect((await rows(file('b.csv.gz', gzipSync('x\ny\n')))).map((r) => r.line)).toEqual([1, 2]);
  });

  it('keeps rows with a different field count, and an empty line as one empty field', async () => {
    const found = await rows(file('c.csv.gz', gzipSync('1,2,3\n4\n\n5,6,7\n')));
    expect(found.map((r) => r.fields)).toEqual([['1', '2', '3'], ['4'], [''], ['5', '6', '7']]);
    expect(found.map(csvRowText)).toEqual(['1,2,3', '4', '', '5,6,7']);
  });

  it('streams a large file in batches', async () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `${i},${i * 2}`).join('\n');
    let count = 0;
    let batches = 0;
    let last: CsvRow | undefined;
    for await (const batch of readGzipCsvBatches(file('d.csv.gz', gzipSync(lines)))) {
      batches++;
      count += batch.length;
      last = batch[batch.length - 1];
    }
    expect(count).toBe(200_000);
    expect(batches).toBeGreaterThan(1);
    expect(last).toEqual({ fields: ['199999', '399998'], line: 200_000 });
  });

  it('fails on corrupt gzip data and on a missing file', async () => {
    await expect(rows(file('e.csv.gz', 'not gzip at all'))).rejects.toThrow(/incorrect header check/);
    await expect(rows(join(dir, 'missing.csv.gz'))).rejects.toThrow(/ENOENT/);
  });

  it('ends with an AbortError when aborted', async () => {
    const controller = new AbortController();
    const iterator = readGzipCsv(file('f.csv.gz', gzipSync(Array.from({ length: 100_000 }, (_, i) => String(i)).join('\n'))), { signal: controller.signal });
    await iterator.next();
    controller.abort();
    await expect((async () => {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) void next;
    })()).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('integerField / decimalField', () => {
  it('convert only well-formed numbers', () => {
    expect(['40', '-1', '0'].map(integerField)).toEqual([40, -1, 0]);
    expect(['', ' 5', '0x10', '1e3', '4.5', undefined].map(integerField)).toEqual(Array(6).fill(Number.NaN));
    expect(['585.741', '7.00000700001', '1e-4', '.5', '-2', '3.'].map(decimalField)).toEqual([585.741, 7.00000700001, 1e-4, 0.5, -2, 3]);
    expect(['', 'NaN', 'Infinity', '1,5', undefined].map(decimalField)).toEqual(Array(5).fill(Number.NaN));
  });
});
