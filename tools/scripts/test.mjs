#!/usr/bin/env node
// `npm test`: lint, typecheck and every project's tests (unit + integration on the real local stack)
// through Nx, then one closing line `tests: N passed, N failed, N skipped` for the whole workspace.
//
// Integration tests start the local stack themselves (Jest globalSetup from @tickwire/testing) when it
// is not running. When this run found the stack down and runs in CI, it stops the stack at the end so
// no server outlives the run. Extra arguments go to Nx, e.g. `npm test -- -p contracts`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const summaryDir = join(root, 'tmp', 'test-summary');
rmSync(summaryDir, { recursive: true, force: true });
mkdirSync(summaryDir, { recursive: true });

const run = (cmd, args, opts = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...opts.env } }).status ?? 1;

const stackWasUp =
  spawnSync('npx', ['tsx', 'tools/stack/cli.ts', 'status'], { cwd: root, stdio: 'ignore' }).status === 0;

const extra = process.argv.slice(2);
const targets = ['lint', 'typecheck', 'test'];
const status = run(
  'npx',
  ['nx', 'run-many', '-t', ...targets, '--skip-nx-cache', '--outputStyle=static', '--parallel=2', ...extra],
  { env: { TICKWIRE_TEST_SUMMARY_DIR: summaryDir, NX_DAEMON: 'false', FORCE_COLOR: '0' } },
);

if (!stackWasUp && process.env.CI) run('npx', ['tsx', 'tools/stack/cli.ts', 'down']);

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const file of readdirSync(summaryDir)) {
  const s = JSON.parse(readFileSync(join(summaryDir, file), 'utf8'));
  totals.passed += s.passed;
  totals.failed += s.failed;
  totals.skipped += s.skipped;
}
if (status !== 0 && totals.failed === 0) totals.failed = 1; // lint/typecheck/setup failure: never report green
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status);
