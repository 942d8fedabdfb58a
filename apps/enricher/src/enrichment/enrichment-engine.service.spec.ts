import {
  ALERT_V1_FIXTURES,
  BAR_DAILY_V1_FIXTURES,
  type BarDailyV1Event,
  alertV1EventSchema,
  bar1mV1EventSchema,
  BAR_1M_V1_FIXTURES,
  ENRICHED_V1_FIXTURES,
  enrichedV1EventSchema,
  type QuoteV1Event,
  type TradeV1Event,
} from '@tickwire/contracts';
import { type DailyBarRow, PreviousCloseReference } from '@tickwire/indicators';
import { LobsterReplaySource, type MarketEvent } from '@tickwire/market-sources';
import { readDailyBarsCsv, referenceDailyFilePaths } from '@tickwire/reference-data';
import {
  type EngineOutput,
  EnrichmentEngine,
  idleFlushEventTime,
  RejectedEventError,
} from './enrichment-engine.service';
import { DEFAULT_ENRICHMENT_SETTINGS, type EnrichmentSettings } from './enrichment-settings';
import { RECENT_EVENT_ID_WINDOW } from './symbol-processor';

const INGEST_TIME = 1_795_284_000_000;
const PROCESSING_TIME = 1_795_284_000_003;

/** The golden fixtures' settings: 1 % threshold (aapl-price-change-down-1pct), k = 3 (aapl-volume-spike-20x3). */
const FIXTURE_SETTINGS: EnrichmentSettings = {
  ...DEFAULT_ENRICHMENT_SETTINGS,
  changeThresholdPercent: 1,
  volumeSpikeMultiplier: 3,
};

let aaplEvents: MarketEvent[];
let reference: PreviousCloseReference;

beforeAll(async () => {
  aaplEvents = [];
  for await (const record of new LobsterReplaySource({ symbols: ['AAPL'], wallClock: () => INGEST_TIME })) {
    if (record.kind === 'event') aaplEvents.push(record.event);
  }
  const rows: DailyBarRow[] = [];
  for await (const item of readDailyBarsCsv(referenceDailyFilePaths()[0] as string))
    if (item.kind === 'bar') rows.push(item.bar);
  reference = new PreviousCloseReference(rows);
}, 120_000);

/** Feeds events in order (trades and quotes merged by event time, as LOBSTER recorded them). */
function run(
  engine: EnrichmentEngine,
  events: readonly MarketEvent[],
  into: EngineOutput,
  withReference: PreviousCloseReference = reference,
): void {
  for (const event of events) {
    const out =
      event.schema === 'market.trade.v1'
        ? engine.processTrade(event as TradeV1Event, withReference)
        : engine.processQuote(event as QuoteV1Event, withReference);
    into.enriched.push(...out.enriched);
    into.bars.push(...out.bars);
    into.alerts.push(...out.alerts);
    into.late.push(...out.late);
  }
}

function collect(): EngineOutput {
  return { enriched: [], bars: [], alerts: [], late: [], corrections: [], halts: [] };
}

/** Equal, with non-integer numbers within 1e-12 relative (sums and averages may round differently). */
function expectClose(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number' && !Number.isInteger(expected)) {
    expect([path, Math.abs(actual - expected) / Math.abs(expected) < 1e-12]).toEqual([path, true]);
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    expect([path, actual]).toEqual([path, expected]);
  }
}

describe('EnrichmentEngine on the real AAPL session (LOBSTER 2012-06-21)', () => {
  let output: EngineOutput;

  beforeAll(() => {
    output = collect();
    const engine = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    run(engine, aaplEvents, output);
    const end = engine.advanceTo(Number.MAX_SAFE_INTEGER, INGEST_TIME);
    output.bars.push(...end.bars);
    output.alerts.push(...end.alerts);
  });

  it('enriches every trade and quote once, each valid under market.enriched.v1', () => {
    expect(output.enriched).toHaveLength(aaplEvents.length);
    // Outputs are assembled, not parsed (assembleEvent): each must be exactly what the schema's parse gives.
    for (const event of output.enriched) expect(enrichedV1EventSchema.parse(event)).toEqual(event);
    expect(new Set(output.enriched.map((e) => e.id)).size).toBe(aaplEvents.length);
    expect(output.late).toEqual([]);
  });

  it('reproduces the golden enriched fixtures (first trade, quote after the sweep, last trade with SMA/EMA 5/20)', () => {
    // The stale-close fixture is the first trade against another reference (see "previous close" below).
    for (const fixture of ENRICHED_V1_FIXTURES.filter((f) => !f.name.includes('stale-close'))) {
      const ours = output.enriched.find((event) => event.id === fixture.event.id);
      expect([fixture.name, ours !== undefined]).toEqual([fixture.name, true]);
      expectClose(ours, fixture.event, fixture.name);
    }
  });

  it('emits one bar per traded minute, valid and equal to the golden AAPL bars', () => {
    for (const bar of output.bars) expect(bar1mV1EventSchema.parse(bar)).toEqual(bar);
    const minutes = new Set(
      aaplEvents.filter((e) => e.schema === 'market.trade.v1').map((e) => Math.floor(e.eventTime / 60_000)),
    );
    expect(output.bars).toHaveLength(minutes.size);
    for (const fixture of BAR_1M_V1_FIXTURES.filter((f) => f.event.payload.symbol === 'AAPL')) {
      expectClose(
        output.bars.find((bar) => bar.id === fixture.event.id),
        fixture.event,
        fixture.name,
      );
    }
  });

  it('raises the golden AAPL alerts (1 % down, SMA 5/20 golden and death cross, volume spike 3 x 20), all valid', () => {
    for (const alert of output.alerts) expect(alertV1EventSchema.parse(alert)).toEqual(alert);
    for (const fixture of ALERT_V1_FIXTURES) {
      const ours = output.alerts.find((alert) => alert.id === fixture.event.id);
      expect([fixture.name, ours !== undefined]).toEqual([fixture.name, true]);
      expectClose(ours, fixture.event, fixture.name);
    }
    // Once per crossing: the 1 % band is crossed a few times, not on every tick below it.
    const thresholdAlerts = output.alerts.filter((a) => a.payload.alertType === 'price-change-threshold');
    const ticksBelow = output.enriched.filter(
      (e) => e.payload.kind === 'trade' && (e.payload.changePercent ?? 0) <= -1,
    ).length;
    expect(thresholdAlerts.length).toBeGreaterThan(0);
    expect(thresholdAlerts.length).toBeLessThan(ticksBelow / 10);
  });

  it('continues identically after a snapshot/restore through JSON mid-session (what the changelog does)', () => {
    const half = Math.floor(aaplEvents.length / 2);
    const first = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    const resumed = collect();
    run(first, aaplEvents.slice(0, half), resumed);
    const snapshot = JSON.parse(JSON.stringify(first.snapshotOf('AAPL'))) as Parameters<
      EnrichmentEngine['restore']
    >[1];
    const second = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    second.restore('AAPL', snapshot);
    run(second, aaplEvents.slice(half), resumed);
    const end = second.advanceTo(Number.MAX_SAFE_INTEGER, INGEST_TIME);
    resumed.bars.push(...end.bars);
    resumed.alerts.push(...end.alerts);
    expect(resumed.enriched).toEqual(output.enriched);
    expect(resumed.bars).toEqual(output.bars);
    expect(resumed.alerts).toEqual(output.alerts);
  });
});

describe('EnrichmentEngine feed sequence (tickwire-feed-seq)', () => {
  /** Numbers every output of `events` in emission order on its topic's counter, as the pipeline does. */
  const numbered = (engine: EnrichmentEngine, events: readonly MarketEvent[]) => {
    const output = collect();
    run(engine, events, output);
    return [...output.enriched, ...output.bars, ...output.alerts].map((event) =>
      engine.nextFeedSequence('AAPL', event.schema, event),
    );
  };

  it('counts each symbol\'s outputs per topic from 1 in one epoch named after its first output, deterministically', () => {
    const events = aaplEvents.slice(0, 50);
    const a = numbered(new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME), events);
    const b = numbered(new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME + 5), events);
    expect(a.map((seq) => seq.sequence)).toEqual(a.map((_, i) => i + 1));
    expect(new Set(a.map((seq) => seq.epoch)).size).toBe(1);
    expect(a[0]!.epoch).toMatch(/^[0-9a-f]{8}$/);
    // Another topic of the same symbol has its own counter, in the same epoch.
    const engine = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    numbered(engine, events);
    expect(engine.nextFeedSequence('AAPL', 'market.bar.1m.v1', BAR_1M_V1_FIXTURES[0]!.event)).toEqual({
      epoch: a[0]!.epoch,
      sequence: 1,
    });
    // The same input (a replay after an abort) names the same epoch and numbers.
    expect(b).toEqual(a);
    // Another life of the pipeline (new ingest times): another epoch.
    const later = events.map((event) => ({ ...event, ingestTime: event.ingestTime + 1 }));
    expect(numbered(new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME), later)[0]!.epoch).not.toBe(
      a[0]!.epoch,
    );
  });

  it('continues the counter after a snapshot/restore through JSON, and marks the symbol changed', () => {
    const first = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    const before = numbered(first, aaplEvents.slice(0, 20));
    expect(first.takeChangedSymbols()).toEqual(['AAPL']);
    const snapshot = JSON.parse(JSON.stringify(first.snapshotOf('AAPL'))) as Parameters<EnrichmentEngine['restore']>[1];
    expect(snapshot.feed?.epoch).toBe(before[0]!.epoch);
    expect(snapshot.feed?.sequences['market.enriched.v1']).toBe(20);
    const second = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    second.restore('AAPL', snapshot);
    const after = numbered(second, aaplEvents.slice(20, 30));
    expect(after[0]).toEqual({ epoch: before[0]!.epoch, sequence: 21 });
    // A snapshot written before the counter existed starts a new epoch at 1.
    const third = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    third.restore('AAPL', { ...snapshot, feed: undefined });
    expect(numbered(third, aaplEvents.slice(20, 21))[0]!.sequence).toBe(1);
  });
});

describe('EnrichmentEngine previous close: the official close from the feed, the reference only as seed', () => {
  const fixture = (name: string) => {
    const found = ENRICHED_V1_FIXTURES.find((f) => f.name === name);
    if (found === undefined) throw new Error(`no fixture ${name}`);
    return found.event;
  };
  const dailyBar = (name: string): BarDailyV1Event => {
    const found = BAR_DAILY_V1_FIXTURES.find((f) => f.name === name);
    if (found === undefined) throw new Error(`no fixture ${name}`);
    return found.event;
  };
  /** A static reference file that ends on 2012-06-19 (it lacks AAPL's 2012-06-20 close). */
  let olderReference: PreviousCloseReference;
  beforeAll(async () => {
    const rows: DailyBarRow[] = [];
    for await (const item of readDailyBarsCsv(referenceDailyFilePaths()[0] as string))
      if (item.kind === 'bar' && item.bar.tradingDate <= '2012-06-19') rows.push(item.bar);
    olderReference = new PreviousCloseReference(rows);
  }, 120_000);

  function session(engine: EnrichmentEngine, withReference: PreviousCloseReference): EngineOutput {
    const output = collect();
    run(engine, aaplEvents, output, withReference);
    return output;
  }

  it('takes the previous close from the daily bar the feed delivered at the session end', () => {
    const engine = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    engine.processDailyBar(dailyBar('aapl-2012-06-20'), olderReference);
    const output = session(engine, olderReference);
    expectClose(
      output.enriched.find((e) => e.id === fixture('aapl-first-trade-enriched').id),
      fixture('aapl-first-trade-enriched'),
      'feed close',
    );
    expect(output.alerts.some((a) => a.payload.alertType === 'price-change-threshold')).toBe(true);
  });

  it('flags a previous close older than the previous session as stale and raises no threshold alert', () => {
    const engine = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    const output = session(engine, olderReference);
    expectClose(
      output.enriched.find((e) => e.id === fixture('aapl-first-trade-stale-close-enriched').id),
      fixture('aapl-first-trade-stale-close-enriched'),
      'stale close',
    );
    expect(output.enriched.every((e) => e.payload.previousCloseStale === true)).toBe(true);
    // AAPL fell 1.7 % against 587.41 during the session: a 1 % band would have alerted on a current close.
    expect(output.enriched.some((e) => (e.payload.changePercent ?? 0) <= -1)).toBe(true);
    expect(output.alerts.filter((a) => a.payload.alertType === 'price-change-threshold')).toEqual([]);
    expect(engine.stateOf('AAPL')).toMatchObject({ previousClose: 587.41, previousCloseDate: '2012-06-19' });
  });

  it("with referenceCloses 'none' has no previous close until the feed delivered one", () => {
    const settings: EnrichmentSettings = { ...FIXTURE_SETTINGS, referenceCloses: 'none' };
    const without = session(new EnrichmentEngine(settings, () => PROCESSING_TIME), reference);
    expect(
      without.enriched.every((e) => e.payload.previousClose === null && e.payload.changePercent === null),
    ).toBe(true);
    expect(without.enriched[0]?.payload).not.toHaveProperty('previousCloseStale');
    const engine = new EnrichmentEngine(settings, () => PROCESSING_TIME);
    engine.processDailyBar(dailyBar('aapl-2012-06-20'), reference);
    expect(
      session(engine, reference).enriched.find((e) => e.id === fixture('aapl-first-trade-enriched').id)
        ?.payload,
    ).toMatchObject({ previousClose: 585.741, previousCloseDate: '2012-06-20', previousCloseStale: false });
  });

  it('keeps the official close in the changelog snapshot (restored through JSON, the next session uses it)', () => {
    const engine = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    engine.processDailyBar(dailyBar('aapl-2012-06-20'), olderReference);
    const snapshot = JSON.parse(JSON.stringify(engine.snapshotOf('AAPL'))) as Parameters<
      EnrichmentEngine['restore']
    >[1];
    expect(snapshot.processor.officialCloses).toEqual([{ tradingDate: '2012-06-20', close: 585.741 }]);
    const restored = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    restored.restore('AAPL', snapshot);
    expect(session(restored, olderReference).enriched[0]?.payload).toMatchObject({
      previousClose: 585.741,
      previousCloseStale: false,
    });
  });

  it('measures the next daily close against the recorded one and keeps the two latest closes on an older re-send', () => {
    const engine = new EnrichmentEngine(FIXTURE_SETTINGS, () => PROCESSING_TIME);
    engine.processDailyBar(dailyBar('aapl-2012-06-20'), olderReference);
    const next = engine.processDailyBar(dailyBar('aapl-2012-06-21'), olderReference);
    // 577.67 vs 585.741: -1.38 %, beyond the 1 % band of these settings.
    expect(next.alerts.map((a) => a.payload)).toEqual([
      expect.objectContaining({
        alertType: 'price-change-threshold',
        direction: 'down',
        previousClose: 585.741,
      }),
    ]);
    engine.processDailyBar(dailyBar('aapl-2012-06-20'), olderReference);
    expect(engine.snapshotOf('AAPL')?.processor.officialCloses).toEqual([
      { tradingDate: '2012-06-20', close: 585.741 },
      { tradingDate: '2012-06-21', close: 577.67 },
    ]);
  });

  it("keeps the previous session's close for trades after the session's own daily bar (post-market), also with 'none'", () => {
    const engine = new EnrichmentEngine(
      { ...FIXTURE_SETTINGS, referenceCloses: 'none' },
      () => PROCESSING_TIME,
    );
    engine.processDailyBar(dailyBar('aapl-2012-06-20'), reference);
    engine.processDailyBar(dailyBar('aapl-2012-06-21'), reference);
    const last = aaplEvents.filter((e) => e.schema === 'market.trade.v1').at(-1) as TradeV1Event;
    const postMarket = { ...last, eventTime: Date.parse('2012-06-21T20:30:00Z'), eventTimeNs: undefined };
    expect(engine.processTrade(postMarket, reference).enriched[0]?.payload).toMatchObject({
      previousClose: 585.741,
      previousCloseDate: '2012-06-20',
      previousCloseStale: false,
    });
  });
});

describe('EnrichmentEngine across sessions (exchange calendar, session roll, corporate actions)', () => {
  const base = () => aaplEvents.find((e) => e.schema === 'market.trade.v1') as TradeV1Event;
  let sequence = 0;
  const trade = (eventTime: number, price: number, size = 100): TradeV1Event => {
    sequence += 1;
    return {
      ...base(),
      id: `${'f'.repeat(24)}${String(sequence).padStart(8, '0')}`,
      eventTime,
      eventTimeNs: undefined,
      payload: { ...base().payload, price, size, sequence },
    } as TradeV1Event;
  };
  /** One trade a minute from 09:30 ET of `date` (EDT), prices from `prices`. */
  const minutes = (date: string, prices: readonly number[], size = 100): TradeV1Event[] =>
    prices.map((price, i) => trade(Date.parse(`${date}T13:30:00Z`) + i * 60_000 + 1_000, price, size));
  const feed = (engine: EnrichmentEngine, trades: readonly TradeV1Event[]): EngineOutput => {
    const output = collect();
    for (const t of trades) {
      const out = engine.processTrade(t, reference);
      output.enriched.push(...out.enriched);
      output.bars.push(...out.bars);
      output.alerts.push(...out.alerts);
    }
    return output;
  };
  const rising = (from: number, step: number, count: number) =>
    Array.from({ length: count }, (_, i) => Math.round((from + i * step) * 100) / 100);

  it('AAPL 4-for-1 on 2020-08-31: the open is measured against 499.23 / 4, and the split raises no cross, spike or change alert', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    // Friday 2020-08-28: a steady rise (the fast SMA above the slow one), 100 shares a minute.
    const friday = feed(engine, minutes('2020-08-28', rising(495, 0.1, 40)));
    expect(friday.alerts.filter((a) => a.payload.alertType !== 'ma-cross')).toEqual([]);
    // Monday 2020-08-31, ex-date of the 4-for-1 split: the same rise at a quarter of the price, four times the shares.
    const monday = feed(engine, minutes('2020-08-31', rising(125, 0.025, 40), 400));
    expect(monday.enriched[0]?.payload).toMatchObject({
      previousClose: 124.8075,
      previousCloseDate: '2020-08-28',
      previousCloseStale: false,
    });
    expect(monday.alerts).toEqual([]);
    const averages = monday.enriched.at(-1)?.payload;
    expect(averages?.smaFast).toBeGreaterThan(averages?.smaSlow as number);
    expect(averages?.smaSlow).toBeLessThan(130);
  });

  it('without the corporate action the same two sessions raise the false death cross (the test can fail)', () => {
    const noActions = new PreviousCloseReference(
      [{ symbol: 'AAPL', tradingDate: '2020-08-28', close: 499.23 }],
      { corporateActions: [] },
    );
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    for (const t of minutes('2020-08-28', rising(495, 0.1, 40))) engine.processTrade(t, noActions);
    const alerts = minutes('2020-08-31', rising(125, 0.025, 40), 400).flatMap(
      (t) => engine.processTrade(t, noActions).alerts,
    );
    expect(alerts.map((a) => a.payload.alertType)).toEqual(
      expect.arrayContaining(['ma-cross', 'price-change-threshold']),
    );
  });

  it('Thanksgiving 2020: the 2020-11-27 early session takes the 2020-11-25 close, not stale; a missing session is', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    feed(engine, minutes('2020-11-25', [116, 116.1]));
    const friday = feed(engine, minutes('2020-11-27', [116.5]));
    expect(friday.enriched[0]?.payload).toMatchObject({
      previousCloseDate: '2020-11-25',
      previousCloseStale: false,
    });
    const engine2 = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    const gapped = new PreviousCloseReference([{ symbol: 'AAPL', tradingDate: '2020-11-24', close: 115.17 }]);
    const out = engine2.processTrade(minutes('2020-11-27', [130])[0] as TradeV1Event, gapped);
    // +12.9 % against a close two sessions old: flagged, no alert.
    expect(out.enriched[0]?.payload).toMatchObject({
      previousCloseDate: '2020-11-24',
      previousCloseStale: true,
    });
    expect(out.alerts).toEqual([]);
  });
});

describe('EnrichmentEngine rules', () => {
  const trade = (eventTime: number, price: number, sequence: number): TradeV1Event => {
    const base = aaplEvents.find((e) => e.schema === 'market.trade.v1') as TradeV1Event;
    return {
      ...base,
      id: `${base.id.slice(0, 24)}${String(sequence).padStart(8, '0')}`,
      eventTime,
      eventTimeNs: undefined,
      payload: { ...base.payload, price, sequence },
    } as TradeV1Event;
  };
  const t0 = Date.UTC(2012, 5, 21, 13, 30); // 09:30 ET

  it("routes a trade older than its symbol's last event to late (out-of-order), even inside the allowed lateness", () => {
    const engine = new EnrichmentEngine(
      { ...DEFAULT_ENRICHMENT_SETTINGS, allowedLatenessMs: 5_000 },
      () => PROCESSING_TIME,
    );
    engine.processTrade(trade(t0 + 1_000, 585, 1), reference);
    // 09:31:04: the watermark is past 09:31 but within 5 s lateness: the 09:30 window is still open.
    expect(engine.processTrade(trade(t0 + 64_000, 586, 2), reference).bars).toEqual([]);
    // A 09:30:30 trade now would be enriched after 09:31:04: out of event-time order, so late.
    const outOfOrder = engine.processTrade(trade(t0 + 30_000, 584, 3), reference);
    expect(outOfOrder.late).toEqual([
      {
        event: expect.objectContaining({ eventTime: t0 + 30_000 }),
        reason: 'out-of-order',
        watermark: t0 + 64_000,
      },
    ]);
    expect(outOfOrder.enriched).toEqual([]);
    // 09:31:06 closes 09:30 with its one on-time trade: the late one is not in it.
    const closing = engine.processTrade(trade(t0 + 66_000, 587, 4), reference);
    expect(closing.bars.map((b) => [b.payload.startTime, b.payload.tradeCount, b.payload.low])).toEqual([
      [t0, 1, 585],
    ]);
    // A trade at the symbol's last event time is in order (ties keep arrival order).
    expect(engine.processTrade(trade(t0 + 66_000, 587.5, 5), reference).late).toEqual([]);
  });

  it("routes a quote older than its symbol's last trade or quote to late, and keeps it out of the state", () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    engine.processTrade(trade(t0 + 2_000, 585, 1), reference);
    const base = aaplEvents.find((e) => e.schema === 'market.quote.v1') as QuoteV1Event;
    const quote = (eventTime: number, bidPrice: number): QuoteV1Event =>
      ({
        ...base,
        id: `${base.id.slice(0, 24)}${String(eventTime % 1e8).padStart(8, '0')}`,
        eventTime,
        eventTimeNs: undefined,
        payload: { ...base.payload, symbol: 'AAPL', bidPrice, askPrice: bidPrice + 0.1 },
      }) as QuoteV1Event;
    const late = engine.processQuote(quote(t0 + 1_000, 584.9), reference);
    expect(late.late).toEqual([expect.objectContaining({ reason: 'out-of-order', watermark: t0 + 2_000 })]);
    expect(late.enriched).toEqual([]);
    expect(engine.stateOf('AAPL')?.bidPrice).toBeNull();
    expect(engine.processQuote(quote(t0 + 2_000, 584.95), reference).enriched).toHaveLength(1);
  });

  it('routes a trade of a window the clock already closed to late (window-closed)', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    engine.processTrade(trade(t0 + 1_000, 585, 1), reference);
    expect(engine.advanceTo(t0 + 60_000).bars).toHaveLength(1);
    expect(engine.processTrade(trade(t0 + 59_000, 583, 2), reference).late).toEqual([
      {
        event: expect.objectContaining({ eventTime: t0 + 59_000 }),
        reason: 'window-closed',
        watermark: t0 + 60_000,
      },
    ]);
  });

  it('idle flush time: closes the minute of the latest event (after lateness), or follows the idle clock when later', () => {
    const last = t0 + 59 * 60_000 + 59_913; // 10:29:59.913
    const noLateness = { allowedLatenessMs: 0, maxOutOfOrdernessMs: 0 };
    expect(idleFlushEventTime(last, 2_000, noLateness)).toBe(t0 + 60 * 60_000 + 1_913);
    expect(idleFlushEventTime(t0 + 5_000, 2_000, noLateness)).toBe(t0 + 60_000);
    expect(
      idleFlushEventTime(t0 + 5_000, 2_000, { allowedLatenessMs: 5_000, maxOutOfOrdernessMs: 1_000 }),
    ).toBe(t0 + 66_000);
    // Through the engine: the open minute closes, and a later trade of it is late.
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    engine.processTrade(trade(t0 + 5_000, 585, 1), reference);
    expect(
      engine
        .advanceTo(idleFlushEventTime(t0 + 5_000, 2_000, DEFAULT_ENRICHMENT_SETTINGS))
        .bars.map((b) => b.id),
    ).toEqual([`AAPL:${t0}`]);
    expect(engine.processTrade(trade(t0 + 6_000, 585.5, 2), reference).late).toHaveLength(1);
  });

  it('closes the last minute on advanceTo, and not twice', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    engine.processTrade(trade(t0 + 1_000, 585, 1), reference);
    expect(engine.advanceTo(t0 + 59_999).bars).toEqual([]);
    expect(engine.advanceTo(t0 + 60_000).bars.map((b) => b.id)).toEqual([`AAPL:${t0}`]);
    expect(engine.advanceTo(t0 + 120_000).bars).toEqual([]);
    expect(engine.openWindowCount).toBe(0);
  });

  it('daily closes: alerts on real moves, not on split days (AAPL 4:1), TSLA +12.57 % on its 5:1 split day alerts up', () => {
    const rows: DailyBarRow[] = [
      { symbol: 'AAPL', tradingDate: '2020-08-28', close: 499.23 },
      { symbol: 'AAPL', tradingDate: '2020-08-31', close: 129.04, splitCoefficient: 4 },
      { symbol: 'TSLA', tradingDate: '2020-08-28', close: 2213.4 },
      { symbol: 'TSLA', tradingDate: '2020-08-31', close: 498.32, splitCoefficient: 5 },
    ];
    const daily = new PreviousCloseReference(rows);
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    const bar = (symbol: string, close: number, splitCoefficient: number) => ({
      schema: 'market.bar.daily.v1' as const,
      id: `${symbol.toLowerCase().padEnd(4, 'x')}${'0'.repeat(28)}`,
      eventTime: Date.UTC(2020, 7, 31, 20),
      ingestTime: INGEST_TIME,
      source: 'alphavantage-daily',
      payload: {
        symbol,
        tradingDate: '2020-08-31',
        open: close,
        high: close,
        low: close,
        close,
        adjustedClose: close,
        volume: 1,
        dividendAmount: 0,
        splitCoefficient,
      },
    });
    expect(engine.processDailyBar(bar('AAPL', 129.04, 4), daily).alerts).toEqual([]);
    const tsla = engine.processDailyBar(bar('TSLA', 498.32, 5), daily).alerts;
    expect(tsla.map((a) => [a.payload.alertType, (a.payload as { direction: string }).direction])).toEqual([
      ['price-change-threshold', 'up'],
    ]);
    expect((tsla[0]?.payload as { changePercent: number }).changePercent).toBeCloseTo(12.569, 2);
    alertV1EventSchema.parse(tsla[0]);
  });

  it("a daily close advances the symbol's clock: its open 1-minute bar closes first, in event-time order", () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    engine.processTrade(trade(t0 + 1_000, 585, 1), reference);
    const close = Date.UTC(2012, 5, 21, 20);
    const output = engine.processDailyBar(
      {
        schema: 'market.bar.daily.v1',
        id: `aapl${'0'.repeat(28)}`,
        eventTime: close,
        ingestTime: INGEST_TIME,
        source: 'lobster',
        payload: {
          symbol: 'AAPL',
          tradingDate: '2012-06-21',
          open: 585,
          high: 585,
          low: 585,
          close: 585,
          adjustedClose: 585,
          volume: 1,
          dividendAmount: 0,
          splitCoefficient: 1,
        },
      },
      reference,
    );
    expect(output.bars.map((b) => b.id)).toEqual([`AAPL:${t0}`]);
    expect(engine.openWindowCount).toBe(0);
  });

  const rejection = (work: () => unknown): [string, string] | 'accepted' => {
    try {
      work();
      return 'accepted';
    } catch (error) {
      if (!(error instanceof RejectedEventError)) throw error;
      return [error.errorClass, error.message];
    }
  };

  it('dead-letters an exact duplicate without touching state, also after a snapshot/restore', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    const first = trade(t0 + 1_000, 585, 1);
    expect(engine.processTrade(first, reference).enriched).toHaveLength(1);
    engine.takeChangedSymbols();
    const before = engine.snapshotOf('AAPL');
    expect(rejection(() => engine.processTrade(first, reference))).toEqual([
      'DuplicateEvent',
      expect.stringContaining(`trade ${first.id} of AAPL was already handled`),
    ]);
    expect([engine.snapshotOf('AAPL'), engine.takeChangedSymbols()]).toEqual([before, []]);

    const quote = aaplEvents.find((e) => e.schema === 'market.quote.v1') as QuoteV1Event;
    engine.processQuote(quote, reference);
    const restored = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    restored.restore('AAPL', JSON.parse(JSON.stringify(engine.snapshotOf('AAPL'))) as never);
    expect(rejection(() => restored.processTrade(first, reference))[0]).toBe('DuplicateEvent');
    expect(rejection(() => restored.processQuote(quote, reference))[0]).toBe('DuplicateEvent');
    // A new trade of the same minute is still enriched.
    expect(restored.processTrade(trade(t0 + 2_000, 585.1, 2), reference).enriched).toHaveLength(1);
  });

  it('keeps a bounded window of recent ids: the oldest is forgotten, snapshots hold at most the window', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    const trades = Array.from({ length: RECENT_EVENT_ID_WINDOW + 1 }, (_, i) => trade(t0 + i, 585, i + 1));
    for (const t of trades) engine.processTrade(t, reference);
    expect(engine.snapshotOf('AAPL')?.processor.recentEventIds).toHaveLength(RECENT_EVENT_ID_WINDOW);
    expect(rejection(() => engine.processTrade(trades[1] as TradeV1Event, reference))[0]).toBe(
      'DuplicateEvent',
    );
    // The first fell out of the window: handled as a trade again (same minute, still open).
    expect(rejection(() => engine.processTrade(trades[0] as TradeV1Event, reference))).toBe('accepted');
  });

  it('restores a snapshot written before duplicate detection (no recentEventIds) with an empty window', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    const first = trade(t0 + 1_000, 585, 1);
    engine.processTrade(first, reference);
    const { recentEventIds, ...older } = engine.snapshotOf('AAPL')?.processor ?? { recentEventIds: [] };
    expect(recentEventIds).toEqual([first.id]);
    const restored = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    restored.restore('AAPL', { processor: older as never, source: 'lobster', reference: null });
    expect(rejection(() => restored.processTrade(first, reference))).toBe('accepted');
  });

  it('dead-letters a symbol without reference data (UnknownSymbol) unless the policy is enrich; aliases count as known', () => {
    const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS, () => PROCESSING_TIME);
    const unknown = { ...trade(t0 + 1_000, 10, 1), payload: { ...trade(t0, 10, 1).payload, symbol: 'NOPE' } };
    expect(rejection(() => engine.processTrade(unknown, reference))).toEqual([
      'UnknownSymbol',
      'symbol NOPE has no reference daily bars (not in the reference universe)',
    ]);
    expect(engine.symbolCount).toBe(0);
    // GOOG's 2012 history is GOOGL's (DEFAULT_SYMBOL_ALIASES).
    const goog = { ...unknown, payload: { ...unknown.payload, symbol: 'GOOG' } };
    expect(rejection(() => engine.processTrade(goog, reference))).toBe('accepted');
    // Without a reference source there is nothing to check against.
    expect(rejection(() => engine.processTrade({ ...unknown, id: 'a'.repeat(32) }, undefined))).toBe(
      'accepted',
    );
    const lenient = new EnrichmentEngine(
      { ...DEFAULT_ENRICHMENT_SETTINGS, unknownSymbols: 'enrich' },
      () => PROCESSING_TIME,
    );
    expect(lenient.processTrade(unknown, reference).enriched[0]?.payload.previousClose).toBeNull();
  });
});
