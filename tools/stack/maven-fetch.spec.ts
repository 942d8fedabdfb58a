import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFetched, mavenFetch } from './maven-fetch';
import { StackError } from './stack-errors';

describe('mavenFetch', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'maven-fetch-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const spec = () => ({ pom: join(dir, 'none.pom.xml'), properties: {}, outputDir: join(dir, 'lib') });

  it('reuses a complete earlier fetch without running Maven', async () => {
    mkdirSync(spec().outputDir);
    writeFileSync(join(spec().outputDir, '.tickwire-complete'), 'x');
    expect(isFetched(spec().outputDir)).toBe(true);
    // An empty PATH would make any Maven run fail: resolving proves it was not needed.
    await expect(mavenFetch(spec(), { PATH: '' })).resolves.toBe(spec().outputDir);
  });

  it('does not trust a folder left by an interrupted fetch', () => {
    mkdirSync(spec().outputDir);
    writeFileSync(join(spec().outputDir, 'half.jar'), 'x');
    expect(isFetched(spec().outputDir)).toBe(false);
  });

  it('says how to get Maven when mvn is missing', async () => {
    const fetching = mavenFetch(spec(), { PATH: join(dir, 'empty-bin') });
    await expect(fetching).rejects.toBeInstanceOf(StackError);
    await expect(mavenFetch(spec(), { PATH: '' })).rejects.toThrow(/mvn not found on PATH/);
  });
});
