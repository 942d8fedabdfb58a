/**
 * Producer side of the contract tests: the indicator logic, run on the real LOBSTER session, reproduces
 * the golden `market.bar.1m.v1` and `market.alert.v1` fixtures of @tickwire/contracts, and every bar and
 * alert it emits passes the contract's payload schema (with the ids the enricher will add).
 */
import {
  ALERT_V1_FIXTURES,
  alertV1PayloadSchema,
  type AlertV1Event,
  BAR_1M_V1_FIXTURES,
  bar1mV1EventId,
  bar1mV1PayloadSchema,
} from '@tickwire/contracts';

import { BarAggregator } from './bar-aggregator';
import { ChangeThresholdAlerter } from './change-threshold-alert';
import type { OhlcvBar } from './market-types';
import { MovingAverageCrossDetector } from './moving-average-cross';
import { PreviousCloseReference } from './previous-close';
import {
  LOBSTER_SYMBOLS,
  type LobsterSymbol,
  type LobsterTrade,
  readDailyRows,
  readLobsterTrades,
  REAL_DATA_TIMEOUT_MS,
} from './testing/market-data-files';
import { VolumeSpikeDetector } from './volume-spike';

/** Payload of a golden alert fixture without its sourceEventId, for comparison with our output. */
function fixturePayload(name: string): Record<string, unknown> {
  const fixture = ALERT_V1_FIXTURES.find((f) => f.name === name);
  if (fixture === undefined) throw new Error(`no alert fixture ${name}`);
  const rest: Record<string, unknown> = { ...(fixture.event as AlertV1Event).payload };
  delete rest['sourceEventId'];
  return rest;
}

/** Expects equal objects, numbers within 1e-12 relative (sums may be taken in another order). */
function expectSameValues(actual: object | undefined, expected: Record<string, unknown>): void {
  expect(actual).toBeDefined();
  const a = actual as Record<string, unknown>;
  expect(Object.keys(a).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) {
    if (typeof value === 'number' && !Number.isInteger(value)) {
      expect(Math.abs((a[key] as number) - value) / Math.abs(value)).toBeLessThan(1e-12);
    } else {
      expect([key, a[key]]).toEqual([key, value]);
    }
  }
}

describe('indicators reproduce the @tickwire/contracts golden fixtures', () => {
  const trades = new Map<LobsterSymbol, LobsterTrade[]>();
  const bars = new Map<LobsterSymbol, OhlcvBar[]>();
  let reference: PreviousCloseReference;
  beforeAll(async () => {
    for (const symbol of LOBSTER_SYMBOLS) {
      const all = await readLobsterTrades(symbol);
      trades.set(symbol, all);
      const aggregator = new BarAggregator();
      const out = all.flatMap((t) => aggregator.add(t).bars);
      bars.set(symbol, out.concat(aggregator.flush()));
    }
    reference = new PreviousCloseReference(await readDailyRows('lobsterSymbols'));
  }, REAL_DATA_TIMEOUT_MS);

  it('bars: every golden 1-minute bar, and every bar we emit passes bar1mV1PayloadSchema', () => {
    expect(BAR_1M_V1_FIXTURES.length).toBeGreaterThanOrEqual(3);
    for (const fixture of BAR_1M_V1_FIXTURES) {
      const golden = fixture.event.payload;
      const ours = bars.get(golden.symbol as LobsterSymbol)?.find((b) => b.startTime === golden.startTime);
      expectSameValues(ours, golden);
      expect(fixture.event.id).toBe(bar1mV1EventId(ours as OhlcvBar));
    }
    for (const series of bars.values()) for (const bar of series) bar1mV1PayloadSchema.parse(bar);
  });

  it('ma-cross: the first SMA(5)/SMA(20) golden and death crosses of AAPL', () => {
    const detector = new MovingAverageCrossDetector({ kind: 'sma', fastPeriod: 5, slowPeriod: 20 });
    const signals = (bars.get('AAPL') ?? []).flatMap((bar) => {
      const signal = detector.update(bar);
      return signal ? [{ signal, bar }] : [];
    });
    expectSameValues(
      signals.find((s) => s.signal.cross === 'golden')?.signal,
      fixturePayload('aapl-sma-5-20-golden-cross'),
    );
    expectSameValues(
      signals.find((s) => s.signal.cross === 'death')?.signal,
      fixturePayload('aapl-sma-5-20-death-cross'),
    );
    for (const { signal, bar } of signals)
      alertV1PayloadSchema.parse({ ...signal, sourceEventId: bar1mV1EventId(bar) });
    for (const kind of ['ema'] as const) {
      const ema = new MovingAverageCrossDetector({ kind });
      for (const bar of bars.get('AAPL') ?? []) {
        const signal = ema.update(bar);
        if (signal) alertV1PayloadSchema.parse({ ...signal, sourceEventId: bar1mV1EventId(bar) });
      }
    }
  });

  it('volume-spike: the first AAPL bar above 3 x the mean of the previous 20 (k=3, n=20)', () => {
    const detector = new VolumeSpikeDetector({ multiplier: 3, lookback: 20 });
    const alerts = (bars.get('AAPL') ?? []).flatMap((bar) => {
      const alert = detector.update(bar);
      return alert ? [{ alert, bar }] : [];
    });
    expectSameValues(alerts[0]?.alert, fixturePayload('aapl-volume-spike-20x3'));
    for (const { alert, bar } of alerts)
      alertV1PayloadSchema.parse({ ...alert, sourceEventId: bar1mV1EventId(bar) });
  });

  it('price-change-threshold: the first AAPL trade at or below -1 % versus the 2012-06-20 close', () => {
    const alerter = new ChangeThresholdAlerter({ thresholdPercent: 1 });
    const alerts = (trades.get('AAPL') ?? []).flatMap((trade) => {
      const ref = reference.previousCloseAt(trade.symbol, trade.eventTime);
      const alert = ref && alerter.update(trade, ref).alert;
      return alert ? [alert] : [];
    });
    expectSameValues(alerts[0], fixturePayload('aapl-price-change-down-1pct'));
    for (const alert of alerts) alertV1PayloadSchema.parse({ ...alert, sourceEventId: 'trade-id' });
  });
});
