/**
 * Renders bench/results/<date>.md again from its .json (e.g. after a wording change of the table):
 *
 *   npx tsx tools/bench/render-results.ts bench/results/2026-11-21.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { BenchResults } from './report/bench-results';
import { renderMarkdown } from './report/markdown-report';

const file = process.argv[2];
if (!file?.endsWith('.json')) {
  process.stderr.write('usage: tsx tools/bench/render-results.ts bench/results/<date>.json\n');
  process.exit(2);
}
const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
writeFileSync(file.replace(/\.json$/, '.md'), renderMarkdown(results));
