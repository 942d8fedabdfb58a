import type { AlertV1Event, BarDailyV1Event } from '@tickwire/contracts';
import { DEFAULT_SYMBOL_ALIASES, type DailyBarRow, PreviousCloseReference } from '@tickwire/indicators';
import { DailyBarsReplaySource } from '@tickwire/market-sources';
import { readDailyBarsCsv, referenceDailyFilePaths } from '@tickwire/reference-data';
import { EnrichmentEngine } from './enrichment-engine.service';
import { DEFAULT_ENRICHMENT_SETTINGS, type EnrichmentSettings } from './enrichment-settings';

/**
 * `npm start -- --once --dataset daily --reference-closes none` against the run with the reference, on
 * the enricher's own code path: the S&P 500 daily file as the ingest-producer replays it
 * (DailyBarsReplaySource: the same events, ids and order as market.bars.daily.v1), through
 * EnrichmentEngine.processDailyBar with per-symbol references built as PreviousCloseReader builds them
 * from DynamoDB (the symbol's reference rows plus its alias sources). Running the whole main job twice
 * would take minutes of the shared machine; the Kafka/DynamoDB plumbing around this call is the same in
 * both modes (REFERENCE_CLOSES only reaches the engine's settings).
 */
const INGEST_TIME = 1_795_284_000_000;

let bars: BarDailyV1Event[];
const references = new Map<string, PreviousCloseReference>();

beforeAll(async () => {
  bars = [];
  for await (const record of new DailyBarsReplaySource({ wallClock: () => INGEST_TIME }))
    if (record.kind === 'event') bars.push(record.event as BarDailyV1Event);
  const rowsBySymbol = new Map<string, DailyBarRow[]>();
  for (const path of referenceDailyFilePaths())
    for await (const item of readDailyBarsCsv(path)) {
      if (item.kind !== 'bar') continue;
      const rows = rowsBySymbol.get(item.bar.symbol) ?? [];
      // The two reference files overlap on 2020-2021 for the LOBSTER symbols: one row per date, as DynamoDB keeps it.
      if (rows.length === 0 || (rows[rows.length - 1] as DailyBarRow).tradingDate < item.bar.tradingDate)
        rows.push(item.bar);
      rowsBySymbol.set(item.bar.symbol, rows);
    }
  for (const symbol of new Set(bars.map((bar) => bar.payload.symbol))) {
    const sources = [
      symbol,
      ...DEFAULT_SYMBOL_ALIASES.filter((a) => a.symbol === symbol).map((a) => a.sourceSymbol),
    ];
    references.set(symbol, new PreviousCloseReference(sources.flatMap((s) => rowsBySymbol.get(s) ?? [])));
  }
}, 300_000);

function thresholdAlerts(settings: EnrichmentSettings): AlertV1Event[] {
  const engine = new EnrichmentEngine(settings, () => INGEST_TIME);
  const alerts: AlertV1Event[] = [];
  for (const bar of bars)
    alerts.push(...engine.processDailyBar(bar, references.get(bar.payload.symbol)).alerts);
  return alerts.filter((alert) => alert.payload.alertType === 'price-change-threshold');
}

describe('the S&P 500 daily bars with --reference-closes none (previous closes from the feed only)', () => {
  let seeded: AlertV1Event[];
  let feedOnly: AlertV1Event[];

  beforeAll(() => {
    seeded = thresholdAlerts(DEFAULT_ENRICHMENT_SETTINGS);
    feedOnly = thresholdAlerts({ ...DEFAULT_ENRICHMENT_SETTINGS, referenceCloses: 'none' });
  }, 300_000);

  it('replays the 164,654 well-formed bars of the file', () => {
    expect(bars).toHaveLength(164_982 - 328);
  });

  it('raises exactly the +/-5 % alerts of the run with the reference, split days included', () => {
    // The README's main-job table: 13,898 alerts = these 13,814 daily ones + the LOBSTER day's 84.
    expect(seeded).toHaveLength(13_814);
    expect(feedOnly.map((a) => [a.id, a.payload])).toEqual(seeded.map((a) => [a.id, a.payload]));
    // AAPL's and TSLA's 2020-08-31 splits are in both runs' previous closes (corporate actions from the reference).
    const tsla = feedOnly.find(
      (a) => a.payload.symbol === 'TSLA' && a.eventTime === Date.parse('2020-08-31T20:00:00Z'),
    );
    expect(tsla?.payload).toMatchObject({ direction: 'up', previousClose: 442.68 });
    expect(
      feedOnly.some((a) => a.payload.symbol === 'AAPL' && a.eventTime === Date.parse('2020-08-31T20:00:00Z')),
    ).toBe(false);
  });
});
