/// <reference lib="dom" />
// The waitForFunction/evaluate callbacks run in the page, hence the DOM types.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertV1Event, Bar1mV1Event } from '@tickwire/contracts';
import { dailyIndexName } from '@tickwire/resources';
import { createLocalOpenSearch } from '@tickwire/testing';
import { type Browser, chromium } from 'playwright-core';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { bar1m, enrichedQuote, enrichedTrade, priceAlert, uniqueSymbol } from '../testing/market-event-builders';

/** Debian's Chromium (tools/scripts/ensure-chromium.sh installs it). */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(__dirname, '../../../../tmp/consumer-gateway-live-page.png');
const ENSURE_CHROMIUM = join(__dirname, '../../../../tools/scripts/ensure-chromium.sh');

/** The page's debugging handle (`window.tickwire`): lightweight-charts' chart and series. */
interface ChartHandle {
  chart: { panes(): unknown[] };
  candles: { data(): readonly { time: number; close: number }[] };
  volume: { data(): readonly { time: number; value: number }[]; getPane(): { paneIndex(): number } };
  overlays: Record<'smaFast' | 'smaSlow' | 'emaFast' | 'emaSlow', { data(): readonly { time: number; value: number }[] }>;
  /** A chart time (New York wall clock as UTC seconds) as the crosshair label shows it. */
  formatChartTime(time: number): string;
}
declare global {
  interface Window {
    tickwire: ChartHandle;
    /** history.length when the document started loading (set by the test's init script). */
    historyLengthAtLoad: number;
  }
}

/** The OpenSearch document of an event, as opensearch-indexer writes it (payload flattened beside the envelope). */
function searchDocument(event: AlertV1Event | Bar1mV1Event): Record<string, unknown> {
  return { ...event.payload, id: event.id, schema: event.schema, eventTime: event.eventTime, ingestTime: event.ingestTime, source: event.source };
}

/** Mean of the last `n` values. */
const sma = (values: readonly number[], n: number) => values.slice(-n).reduce((sum, v) => sum + v, 0) / n;
/** EMA with alpha 2 / (n + 1) seeded with the first value (trading-signals, as the enricher). */
const ema = (values: readonly number[], n: number) => values.reduce((prev, v, i) => (i === 0 ? v : v * (2 / (n + 1)) + prev * (1 - 2 / (n + 1))), 0);

/**
 * The live page in headless Chromium (in Berlin time, so neither UTC nor New York is the browser's zone)
 * against the gateway on the local stack: the key leaves the address bar, tiles from snapshots, the
 * day's alert history from /v1/alerts, history bars with volume and SMA/EMA overlays in New York time
 * with the date, then live trades, quotes, bars and alerts, and the feed's state (replay finished,
 * market closed). Saves a screenshot to tmp/consumer-gateway-live-page.png.
 */
describe('live page in headless Chromium', () => {
  let gateway: GatewayTestHarness;
  let browser: Browser;
  const openSearch = createLocalOpenSearch();
  const [first, second] = [uniqueSymbol(), uniqueSymbol()];
  const open = Date.UTC(2012, 5, 21, 13, 30); // 09:30 New York (EDT)
  const closes: number[] = [];
  const volumes: number[] = [];
  // The day's alerts in OpenSearch, and one of the day before (not shown).
  const historyAlerts = [priceAlert(first, open + 15 * 60_000), priceAlert(second, open + 20 * 60_000), priceAlert(first, open + 45 * 60_000 + 500)];
  const dayBeforeAlert = priceAlert(first, open - 86_400_000 + 60_000);

  beforeAll(async () => {
    // A fresh machine has no browser: the test installs Debian's package itself (apt-get, as root).
    if (!existsSync(CHROMIUM)) execFileSync('bash', [ENSURE_CHROMIUM], { stdio: 'inherit', timeout: 600_000 });
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing after ${ENSURE_CHROMIUM}`);
    // 60 minutes of history for the chart, as opensearch-indexer writes it, and the alerts.
    const body: object[] = [];
    let close = 100;
    for (let i = 0; i < 60; i++) {
      close = Math.round((close + Math.sin(i / 5) * 0.8 + (i % 7 === 0 ? -0.6 : 0.3)) * 100) / 100;
      closes.push(close);
      volumes.push(1000 + i * 37);
      const bar = bar1m(first, open + i * 60_000, close);
      const spread = 0.2 + (i % 4) * 0.1;
      const doc = { ...searchDocument(bar), open: close - 0.1, high: close + spread, low: close - spread - 0.1, volume: volumes[i] };
      body.push({ index: { _index: dailyIndexName('bars-1m', bar.eventTime), _id: bar.id } }, doc);
    }
    for (const alert of [...historyAlerts, dayBeforeAlert]) {
      body.push({ index: { _index: dailyIndexName('alerts', alert.eventTime), _id: alert.id } }, searchDocument(alert));
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

  it('shows tiles, alert history, the chart with volume and SMA/EMA in New York time, live updates and the feed state', async () => {
    const key = await gateway.createKey({ channels: ['enriched', 'bars', 'alerts'], symbols: [first, second] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Before the page's own script: replaceState, unlike pushState, adds no entry to this length.
    await page.addInitScript(() => {
      window.historyLengthAtLoad = history.length;
    });
    await page.goto(`${gateway.running.url}/#key=${key}&symbols=${first},${second}&idle=3`);
    const text = async (selector: string) => (await page.locator(selector).first().textContent()) ?? '';

    // The key leaves the address bar at once, without a new history entry; the tab keeps it for reloads.
    expect(await page.evaluate(() => location.href)).toBe(`${gateway.running.url}/#symbols=${first},${second}&idle=3`);
    expect(await page.evaluate(() => history.length)).toBe(await page.evaluate(() => window.historyLengthAtLoad));
    expect(await page.evaluate(() => sessionStorage.getItem('tickwire-key'))).toBe(key);

    const tile = (symbol: string) => page.locator(`.tile[data-symbol="${symbol}"]`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('live'));
    await page.waitForFunction((symbol) => document.querySelector(`.tile[data-symbol="${symbol}"] .last`)?.textContent === '50.00', second);
    expect(await tile(second).locator('.quote').textContent()).toBe('bid 49.99 / ask 50.02');
    await page.waitForFunction(() => / \(60\) · New York time$/.test(document.getElementById('chart-title')?.textContent ?? ''));
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);

    // Alert history: the day's three (newest first, New York time with the date), not the day before's.
    await page.waitForFunction(() => document.querySelectorAll('#alerts li').length === 3);
    expect(await page.locator('#alerts li').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.id))).toEqual(
      [...historyAlerts].reverse().map((alert) => alert.id),
    );
    expect(await page.locator('#alerts li .time').allTextContents()).toEqual(['2012-06-21 10:15:00 ET', '2012-06-21 09:50:00 ET', '2012-06-21 09:45:00 ET']);
    expect(await text('#alerts li strong')).toBe(first);

    // The chart: New York wall clock on the time scale (09:30 ET, not 13:30 UTC or 15:30 Berlin), candles,
    // volume in a pane of its own, SMA/EMA 5/20 of the closes from the 20th bar on (as the enricher's).
    const chartState = () =>
      page.evaluate(() => {
        const { chart, candles, volume, overlays } = window.tickwire;
        return {
          panes: chart.panes().length,
          candleTimes: candles.data().map((point) => point.time),
          volumePane: volume.getPane().paneIndex(),
          volumes: volume.data().map((point) => point.value),
          overlays: Object.fromEntries(Object.entries(overlays).map(([name, series]) => [name, series.data().map((point) => point.value)])),
          overlayFirstTime: overlays.smaSlow.data()[0]?.time,
        };
      });
    let chart = await chartState();
    expect(chart.panes).toBe(2);
    expect(chart.volumePane).toBe(1);
    expect(chart.candleTimes[0]).toBe(Date.UTC(2012, 5, 21, 9, 30) / 1000);
    expect(chart.volumes).toEqual(volumes);
    expect(chart.overlayFirstTime).toBe(Date.UTC(2012, 5, 21, 9, 49) / 1000);
    for (const name of ['smaFast', 'smaSlow', 'emaFast', 'emaSlow']) expect(chart.overlays[name]).toHaveLength(41);
    expect(chart.overlays['smaFast']!.at(-1)).toBeCloseTo(sma(closes, 5), 9);
    expect(chart.overlays['smaSlow']!.at(-1)).toBeCloseTo(sma(closes, 20), 9);
    expect(chart.overlays['emaFast']!.at(-1)).toBeCloseTo(ema(closes, 5), 9);
    expect(chart.overlays['emaSlow']!.at(-1)).toBeCloseTo(ema(closes, 20), 9);
    expect(chart.overlays['smaSlow']![0]).toBeCloseTo(sma(closes.slice(0, 20), 20), 9);
    // The legend: the latest bar with its date and New York time, volume and the averages.
    const legend = await text('#legend');
    expect(legend).toContain('Thu 2012-06-21 10:29 ET');
    expect(legend).toContain(`V ${volumes[59]!.toLocaleString('en-US')}`);
    expect(legend).toContain(`SMA 5 ${sma(closes, 5).toFixed(2)}`);
    expect(legend).toContain(`SMA 20 ${sma(closes, 20).toFixed(2)}`);
    expect(legend).toContain(`EMA 5 ${ema(closes, 5).toFixed(2)}`);
    expect(legend).toContain(`EMA 20 ${ema(closes, 20).toFixed(2)}`);
    expect(await page.evaluate(() => window.tickwire.formatChartTime(Date.UTC(2012, 5, 21, 16, 0) / 1000))).toBe('Thu 2012-06-21 16:00 ET');

    // No frame for idle (3 s) on a feed an hour or more behind the clock: the replay has finished; 10:30
    // New York is inside the session, so the market is not closed.
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('replay finished · '));
    expect(await text('#status')).not.toContain('market closed');
    expect(await text('#clock')).toBe('data time 2012-06-21 10:30:00 ET');

    // Live: a trade moves the second tile (previous close 100 in the builders: change -> price - 100).
    const now = open + 61 * 60_000;
    const liveAlert = priceAlert(first, now + 2);
    await gateway.produce([
      enrichedTrade(second, 103.5, now, 1),
      enrichedQuote(first, 99.5, 99.6, now + 1, 2),
      bar1m(first, open + 60 * 60_000, 101),
      liveAlert,
      historyAlerts[2]!, // already shown from the history: not shown twice
    ]);
    await page.waitForFunction((symbol) => document.querySelector(`.tile[data-symbol="${symbol}"] .last`)?.textContent === '103.50', second);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('live (replay) · '));
    expect(await tile(second).locator('.change').textContent()).toBe('+3.50 %');
    await page.waitForFunction(() => document.querySelectorAll('#alerts li').length === 4);
    expect(await page.evaluate(() => (document.querySelector('#alerts li') as HTMLElement).dataset.id)).toBe(liveAlert.id);
    expect(await text('#alerts li .time')).toBe('2012-06-21 10:31:00 ET');
    await page.waitForFunction((symbol) => document.querySelector(`.tile[data-symbol="${symbol}"] .quote`)?.textContent === 'bid 99.50 / ask 99.60', first);
    await page.waitForFunction(() => / \(61\) · New York time$/.test(document.getElementById('chart-title')?.textContent ?? ''));
    chart = await chartState();
    expect(chart.volumes.at(-1)).toBe(16390);
    expect(chart.overlays['smaFast']).toHaveLength(42);
    expect(chart.overlays['smaFast']!.at(-1)).toBeCloseTo(sma([...closes, 101], 5), 9);
    expect(chart.overlays['emaSlow']!.at(-1)).toBeCloseTo(ema([...closes, 101], 20), 9);
    expect(await page.locator('#alerts li').count()).toBe(4);

    // The session's last bar (15:59, complete at 16:00 New York): the market has closed; then the
    // replay falls idle and has finished.
    await gateway.produce([bar1m(first, Date.UTC(2012, 5, 21, 19, 59), 101.2)]);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('live (replay) · market closed · '));
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('replay finished · market closed · '));
    expect(await text('#clock')).toBe('data time 2012-06-21 16:00:00 ET');

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);

    // A reload finds the key in the tab's sessionStorage (the address no longer has it).
    await page.reload();
    await page.waitForFunction(() => /^(live \(replay\)|replay finished) · /.test(document.getElementById('status')?.textContent ?? ''));
    await page.waitForFunction(() => document.querySelectorAll('#alerts li').length === 3); // the history (the live ones are not indexed here)
    expect(await page.evaluate(() => location.href)).not.toContain(key);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('says market closed by the NYSE calendar: on a live feed by the clock, in a replay by the data (early close at 13:00)', async () => {
    const [third, fourth, quiet] = [uniqueSymbol(), uniqueSymbol(), uniqueSymbol()];
    const key = await gateway.createKey({ channels: ['enriched', 'bars', 'alerts'], symbols: [third, fourth, quiet] });
    const pageErrors: string[] = [];
    const status = async (url: string, fixedTime?: number) => {
      const page = await browser.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      if (fixedTime !== undefined) await page.clock.setFixedTime(fixedTime);
      await page.goto(url);
      await page.waitForFunction(() => / · it-customer-/.test(document.getElementById('status')?.textContent ?? ''));
      return page;
    };
    const statusText = async (page: Awaited<ReturnType<typeof status>>) => (await page.locator('#status').textContent()) ?? '';

    // A live feed (no data yet, so the clock decides): 10:00 New York on a Monday is a session; a
    // Saturday and Christmas Day 2026 (a Friday) are not.
    const quietUrl = `${gateway.running.url}/#key=${key}&symbols=${quiet}`;
    const monday = await status(quietUrl, Date.UTC(2026, 11, 7, 15, 0));
    expect(await statusText(monday)).toMatch(/^live · /);
    const saturday = await status(quietUrl, Date.UTC(2026, 11, 5, 17, 0));
    expect(await statusText(saturday)).toMatch(/^market closed · /);
    const christmas = await status(quietUrl, Date.UTC(2026, 11, 25, 15, 0));
    expect(await statusText(christmas)).toMatch(/^market closed · /);

    // A replay of 2012-11-23, the day after Thanksgiving, which closed at 13:00 New York (EST, UTC-5).
    const replay = await status(`${gateway.running.url}/#key=${key}&symbols=${third},${fourth}`);
    await gateway.produce([enrichedTrade(third, 101, Date.UTC(2012, 10, 23, 17, 59), 1)]);
    await replay.waitForFunction(() => document.getElementById('clock')?.textContent === 'data time 2012-11-23 12:59:00 ET');
    expect(await statusText(replay)).toMatch(/^live \(replay\) · it-customer-/);
    await gateway.produce([enrichedTrade(fourth, 50, Date.UTC(2012, 10, 23, 18, 0), 1)]);
    await replay.waitForFunction(() => document.getElementById('clock')?.textContent === 'data time 2012-11-23 13:00:00 ET');
    await replay.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('live (replay) · market closed · '));
    expect(pageErrors).toEqual([]);
    for (const page of [monday, saturday, christmas, replay]) await page.close();
  });
});
