/// <reference lib="dom" />
// The waitForFunction callbacks run in the page, hence the DOM types.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dailyIndexName } from '@tickwire/resources';
import { createLocalOpenSearch } from '@tickwire/testing';
import { type Browser, chromium } from 'playwright-core';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { bar1m, enrichedQuote, enrichedTrade, priceAlert, uniqueSymbol } from '../testing/market-event-builders';

/** Debian's Chromium (tools/scripts/ensure-chromium.sh installs it). */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(__dirname, '../../../../tmp/consumer-gateway-live-page.png');
const ENSURE_CHROMIUM = join(__dirname, '../../../../tools/scripts/ensure-chromium.sh');

/**
 * The live page in headless Chromium against the gateway on the local stack: tiles from snapshots,
 * history bars in the chart, then live trades, quotes, bars and alerts. Saves a screenshot to
 * tmp/consumer-gateway-live-page.png.
 */
describe('live page in headless Chromium', () => {
  let gateway: GatewayTestHarness;
  let browser: Browser;
  const openSearch = createLocalOpenSearch();
  const [first, second] = [uniqueSymbol(), uniqueSymbol()];
  const open = Date.UTC(2012, 5, 21, 13, 30);

  beforeAll(async () => {
    // A fresh machine has no browser: the test installs Debian's package itself (apt-get, as root).
    if (!existsSync(CHROMIUM)) execFileSync('bash', [ENSURE_CHROMIUM], { stdio: 'inherit', timeout: 600_000 });
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing after ${ENSURE_CHROMIUM}`);
    // 60 minutes of history for the chart, as opensearch-indexer writes it.
    const body: object[] = [];
    let close = 100;
    for (let i = 0; i < 60; i++) {
      close = Math.round((close + Math.sin(i / 5) * 0.8 + (i % 7 === 0 ? -0.6 : 0.3)) * 100) / 100;
      const bar = bar1m(first, open + i * 60_000, close);
      const spread = 0.2 + (i % 4) * 0.1;
      const doc = { ...bar.payload, open: close - 0.1, high: close + spread, low: close - spread - 0.1, id: bar.id, schema: bar.schema, eventTime: bar.eventTime, ingestTime: bar.ingestTime, source: bar.source };
      body.push({ index: { _index: dailyIndexName('bars-1m', bar.eventTime), _id: bar.id } }, doc);
    }
    expect((await openSearch.bulk({ body, refresh: true })).body.errors).toBe(false);
    // The tiles' state is in symbol-state before the gateway starts: it warms its snapshots from it.
    const lastEventTime = open + 60 * 60_000;
    gateway = await GatewayTestHarness.start(
      {},
      {
        symbolState: [
          { symbol: first, lastEventTime, lastPrice: close, bidPrice: close - 0.01, askPrice: close + 0.01 },
          { symbol: second, lastEventTime, lastPrice: 50, bidPrice: 49.99, askPrice: 50.02 },
        ],
      },
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 900_000); // installing Chromium on a fresh machine takes minutes

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await openSearch.close();
  });

  it('shows tiles, the bar chart and live alerts, and saves a screenshot', async () => {
    const key = await gateway.createKey({ channels: ['enriched', 'bars', 'alerts'], symbols: [first, second] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${gateway.running.url}/#key=${key}&symbols=${first},${second}`);

    const tile = (symbol: string) => page.locator(`.tile[data-symbol="${symbol}"]`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('live'));
    await page.waitForFunction((symbol) => document.querySelector(`.tile[data-symbol="${symbol}"] .last`)?.textContent === '50.00', second);
    expect(await tile(second).locator('.quote').textContent()).toBe('bid 49.99 / ask 50.02');
    await page.waitForFunction(() => / \(60\)$/.test(document.getElementById('chart-title')?.textContent ?? ''));
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);

    // Live: a trade moves the second tile (previous close 100 in the builders: change -> price - 100).
    const now = open + 61 * 60_000;
    await gateway.produce([
      enrichedTrade(second, 103.5, now, 1),
      enrichedQuote(first, 99.5, 99.6, now + 1, 2),
      bar1m(first, open + 60 * 60_000, 101),
      priceAlert(first, now + 2),
    ]);
    await page.waitForFunction((symbol) => document.querySelector(`.tile[data-symbol="${symbol}"] .last`)?.textContent === '103.50', second);
    expect(await tile(second).locator('.change').textContent()).toBe('+3.50 %');
    await page.waitForFunction(() => document.querySelectorAll('#alerts li').length === 1);
    expect(await page.locator('#alerts li').first().textContent()).toContain(first);
    await page.waitForFunction((symbol) => document.querySelector(`.tile[data-symbol="${symbol}"] .quote`)?.textContent === 'bid 99.50 / ask 99.60', first);

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
