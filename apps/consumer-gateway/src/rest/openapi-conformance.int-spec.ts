import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLocalOpenSearch, pythonToolVenv } from '@tickwire/testing';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { indexAsIndexer } from '../testing/search-history';
import {
  bar1m,
  enrichedQuote,
  enrichedTrade,
  priceAlert,
  uniqueSymbol,
} from '../testing/market-event-builders';

/** schemathesis from PyPI, pinned: the latest release on 2026-12-07. */
const SCHEMATHESIS = 'schemathesis==4.32.5';
/**
 * Test cases per operation and phase: with 7 operations and every check this keeps the run (venv
 * already made) around a minute on the 2-core machine. Seeded, so a failure reproduces.
 */
const MAX_EXAMPLES = 25;
const SEED = 20261207;

/**
 * The served OpenAPI document against the gateway, as a customer's tooling reads it: schemathesis
 * runs every check it has (status codes, content types, response schemas and headers, negative data
 * refused, valid data accepted, missing auth, unsupported methods with Allow, ...) over all its
 * phases (examples, coverage, fuzzing, stateful) on every operation, with a key entitled to every
 * symbol, and must report no failure.
 */
describe('OpenAPI document conformance (schemathesis)', () => {
  let gateway: GatewayTestHarness;
  let key: string;
  let reportDir: string;
  const openSearch = createLocalOpenSearch();
  const symbol = uniqueSymbol();
  const minute = Date.UTC(2012, 5, 21, 13, 30);

  beforeAll(async () => {
    // Made first: a fresh machine spends most of this test's time in pip.
    const venv = pythonToolVenv([SCHEMATHESIS]);
    gateway = await GatewayTestHarness.start();
    key = await gateway.createKey({ symbols: ['*'] });
    // Some history and a snapshot, so responses with data are checked against their schemas too.
    await indexAsIndexer(openSearch, 'bars-1m', [
      bar1m(symbol, minute, 100),
      bar1m(symbol, minute + 60_000, 101),
    ]);
    await indexAsIndexer(openSearch, 'alerts', [priceAlert(symbol, minute + 30_000)]);
    await indexAsIndexer(openSearch, 'enriched', [
      enrichedTrade(symbol, 100.5, minute + 1_000, 1),
      enrichedQuote(symbol, 100.4, 100.6, minute + 2_000, 2),
    ]);
    await gateway.putSymbolState({
      symbol,
      lastEventTime: minute + 2_000,
      lastPrice: 100.5,
      bidPrice: 100.4,
      askPrice: 100.6,
    });
    reportDir = await mkdtemp(join(tmpdir(), 'tickwire-schemathesis-'));
    await venv;
  }, 600_000);

  afterAll(async () => {
    await gateway?.stop();
    await openSearch.close();
    if (reportDir) await rm(reportDir, { recursive: true, force: true });
  });

  it('finds no failure with every check', async () => {
    const venv = await pythonToolVenv([SCHEMATHESIS]);
    const args = [
      'run',
      `${gateway.running.url}/docs-json`,
      '--checks',
      'all',
      '--max-examples',
      String(MAX_EXAMPLES),
      '--seed',
      String(SEED),
      '--workers',
      '2',
      '--header',
      `x-api-key: ${key}`,
      '--request-timeout',
      '10',
      '--generation-database',
      'none',
      '--report-dir',
      reportDir,
      '--no-color',
    ];
    // In the report folder: schemathesis keeps a cache of failures (.schemathesis/) in its working directory.
    const result = await promisify(execFile)(venv.bin('st'), args, {
      cwd: reportDir,
      timeout: 170_000,
      maxBuffer: 64 * 1024 * 1024,
    }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }),
    );
    if (result.code !== 0) console.log(result.output);
    expect(result.output).toMatch(/No issues found|passed/);
    expect(result.code).toBe(0);
  }, 180_000);
});
