import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type ExchangeCalendarData, XNYS_CALENDAR_DATA } from '@tickwire/indicators';

/** The page's HTML, read once (it sits next to this file in the source tree and is copied by the build). */
const PAGE_HTML = readFileSync(join(__dirname, 'live-page.html'), 'utf8');
/**
 * lightweight-charts' standalone browser build (global `LightweightCharts`): next to the bundle in a
 * build (webpack copies it), else from node_modules. The package exports only ESM and package.json,
 * hence the path from package.json's directory (and createRequire, which bundlers leave alone).
 */
const CHARTS_FILE = 'lightweight-charts.standalone.production.js';
const CHARTS_SCRIPT = readFileSync(
  existsSync(join(__dirname, CHARTS_FILE))
    ? join(__dirname, CHARTS_FILE)
    : join(dirname(createRequire(__filename).resolve('lightweight-charts/package.json')), 'dist', CHARTS_FILE),
  'utf8',
);

/**
 * The live page at `/`: a tile per symbol (last, change %, bid/ask), 1-minute candlesticks with SMA/EMA
 * overlays and a volume pane (lightweight-charts; history from `/v1/bars` then live bars), the alerts
 * (the day's history from `/v1/alerts`, then live), times in New York with the date, and the feed's
 * state (live, replay finished, market closed), all over the gateway's own public protocols with the
 * customer's API key (`/#key=tw_...&symbols=AAPL,AMZN`; a fragment never reaches the server, so the key
 * stays out of access logs, and the page takes it out of the address bar once read).
 */
@ApiExcludeController()
@Controller()
export class LivePageController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(): string {
    return PAGE_HTML;
  }

  @Get('assets/lightweight-charts.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400')
  chartsLibrary(): string {
    return CHARTS_SCRIPT;
  }

  /**
   * The NYSE calendar (regular hours, closed weekdays, early closes; local times America/New_York) the
   * page decides "market closed" with; public data, no key needed.
   */
  @Get('assets/xnys-calendar.json')
  @Header('cache-control', 'public, max-age=86400')
  exchangeCalendar(): ExchangeCalendarData {
    return XNYS_CALENDAR_DATA;
  }
}
