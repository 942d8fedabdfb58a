import {
  type ChangeReference,
  type ChangeThresholdAlert,
  ChangeThresholdAlerter,
  type ChangeThresholdSnapshot,
  changePercent,
} from './change-threshold-alert';
import { PreviousCloseReference } from './previous-close';
import {
  type DailyCsvRow,
  LOBSTER_SYMBOLS,
  readDailyRows,
  readLobsterTrades,
  REAL_DATA_TIMEOUT_MS,
} from './testing/market-data-files';

const DAY: ChangeReference = { previousClose: 100, tradingDate: '2020-03-16' };
const tick = (price: number, eventTime = 0, symbol = 'XYZ') => ({ symbol, price, eventTime });

/** Feeds prices and returns the directions of the alerts raised. */
function directions(alerter: ChangeThresholdAlerter, prices: number[], reference = DAY): string[] {
  return prices.flatMap((price, i) => {
    const alert = alerter.update(tick(price, i), reference).alert;
    return alert === undefined ? [] : [alert.direction];
  });
}

describe('changePercent', () => {
  it('is (price - previousClose) / previousClose * 100 and rejects a non-positive reference', () => {
    expect(changePercent(105, 100)).toBeCloseTo(5, 12);
    expect(changePercent(577.635, 585.741)).toBeCloseTo(-1.38389, 5);
    expect(() => changePercent(1, 0)).toThrow(RangeError);
    expect(() => changePercent(Number.NaN, 1)).toThrow(RangeError);
  });
});

describe('ChangeThresholdAlerter (unit)', () => {
  it('alerts once per crossing and re-arms only inside the band', () => {
    const alerter = new ChangeThresholdAlerter();
    expect(
      directions(alerter, [101, 104.99, 105, 106, 110, 105.5, 104, 105, 95.01, 95, 90, 96, 94.9]),
    ).toEqual([
      'up', // 105: reaches +5 %
      'up', // 105 again after returning inside (104)
      'down', // 95
      'down', // 94.9 after returning inside (96)
    ]);
  });

  it('alerts when a move jumps from above the upper band to below the lower band', () => {
    expect(directions(new ChangeThresholdAlerter(), [106, 94])).toEqual(['up', 'down']);
  });

  it('with rearmPercent < threshold needs a deeper return before alerting again (hysteresis)', () => {
    const alerter = new ChangeThresholdAlerter({ thresholdPercent: 5, rearmPercent: 3 });
    expect(directions(alerter, [105, 104, 105, 102.9, 105])).toEqual(['up', 'up']);
    expect(() => new ChangeThresholdAlerter({ thresholdPercent: 5, rearmPercent: 6 })).toThrow(RangeError);
    expect(() => new ChangeThresholdAlerter({ thresholdPercent: 0 })).toThrow(RangeError);
  });

  it('re-arms on a new trading date and ignores ticks of an earlier date', () => {
    const alerter = new ChangeThresholdAlerter();
    expect(directions(alerter, [106, 107])).toEqual(['up']);
    expect(directions(alerter, [107], { previousClose: 100, tradingDate: '2020-03-15' })).toEqual([]);
    expect(directions(alerter, [107], { previousClose: 100, tradingDate: '2020-03-17' })).toEqual(['up']);
  });

  it('raises no alert against an approximate reference (spin-off ex-date) but still reports the change', () => {
    const alerter = new ChangeThresholdAlerter();
    const result = alerter.update(tick(80), { ...DAY, approximate: true });
    expect(result).toEqual({ changePercent: -20 });
  });

  it('raises no alert against a stale previous close (older than the previous session) but reports the change', () => {
    const alerter = new ChangeThresholdAlerter();
    expect(alerter.update(tick(80), { ...DAY, stale: true })).toEqual({ changePercent: -20 });
    // The same move against a current close alerts.
    expect(alerter.update(tick(80), DAY).alert?.direction).toBe('down');
  });

  it('keeps symbols apart and reports the alert fields', () => {
    const alerter = new ChangeThresholdAlerter({ thresholdPercent: 2 });
    alerter.update(tick(103, 1, 'AAA'), DAY);
    const { alert } = alerter.update(tick(97, 2, 'BBB'), DAY);
    expect(alert).toEqual<ChangeThresholdAlert>({
      alertType: 'price-change-threshold',
      symbol: 'BBB',
      direction: 'down',
      price: 97,
      previousClose: 100,
      changePercent: -3,
      thresholdPercent: 2,
    });
  });

  it('restores its armed state from a JSON snapshot', () => {
    const alerter = new ChangeThresholdAlerter({ thresholdPercent: 4, rearmPercent: 2 });
    directions(alerter, [106]);
    const snapshot = JSON.parse(JSON.stringify(alerter.snapshot())) as ChangeThresholdSnapshot;
    const restored = ChangeThresholdAlerter.restore(snapshot);
    expect([restored.thresholdPercent, restored.rearmPercent]).toEqual([4, 2]);
    expect(directions(restored, [107, 101, 105])).toEqual(['up']);
    expect(() => ChangeThresholdAlerter.restore({ ...snapshot, version: 9 as 1 })).toThrow(RangeError);
  });
});

describe('ChangeThresholdAlerter on the LOBSTER session (data/market/README.md reference values)', () => {
  let history: PreviousCloseReference;
  beforeAll(async () => {
    history = new PreviousCloseReference(await readDailyRows('lobsterSymbols'));
  }, REAL_DATA_TIMEOUT_MS);

  it.each([
    ['AAPL', '-1.3839'],
    ['AMZN', '-1.1255'],
    ['GOOG', '-2.1056'],
  ] as const)(
    '%s: last trade vs previous close is %s %% and no trade of the day crosses 5 %%',
    async (symbol, expected) => {
      expect(LOBSTER_SYMBOLS).toContain(symbol);
      const trades = await readLobsterTrades(symbol);
      const alerter = new ChangeThresholdAlerter();
      let last = Number.NaN;
      const alerts: ChangeThresholdAlert[] = [];
      for (const trade of trades) {
        const reference = history.previousCloseAt(trade.symbol, trade.eventTime);
        if (reference === undefined) throw new Error(`no previous close for ${trade.symbol}`);
        const result = alerter.update(trade, reference);
        last = result.changePercent;
        if (result.alert) alerts.push(result.alert);
      }
      expect(last.toFixed(4)).toBe(expected);
      expect(alerts).toEqual([]);
      // The same day against a 1 % band does alert: the check above is not vacuous.
      const tight = new ChangeThresholdAlerter({ thresholdPercent: 1 });
      const reference = history.previousClose(symbol, '2012-06-21') as ChangeReference;
      expect(trades.some((t) => tight.update(t, reference).alert?.direction === 'down')).toBe(true);
    },
    REAL_DATA_TIMEOUT_MS,
  );
});

describe('ChangeThresholdAlerter on the S&P 500 daily data 2020-2021', () => {
  let rows: DailyCsvRow[];
  let reference: PreviousCloseReference;
  const bySymbolDate = new Map<string, DailyCsvRow>();
  beforeAll(async () => {
    rows = await readDailyRows('sp500');
    reference = new PreviousCloseReference(rows);
    for (const r of rows) bySymbolDate.set(`${r.symbol}|${r.tradingDate}`, r);
  }, REAL_DATA_TIMEOUT_MS);

  /**
   * Alerts raised when the day's prices are fed along the usual bar path assumption: open, low, high,
   * close on an up day; open, high, low, close on a down day.
   */
  function dayAlerts(
    symbol: string,
    date: string,
    alerter = new ChangeThresholdAlerter(),
  ): ChangeThresholdAlert[] {
    const day = bySymbolDate.get(`${symbol}|${date}`);
    const ref = reference.previousClose(symbol, date);
    if (day === undefined || ref === undefined) throw new Error(`no data for ${symbol} ${date}`);
    const path =
      day.close >= day.open
        ? [day.open, day.low, day.high, day.close]
        : [day.open, day.high, day.low, day.close];
    return path.flatMap((price) => {
      const alert = alerter.update({ symbol, price }, ref).alert;
      return alert ? [alert] : [];
    });
  }

  it('raises no alert for AAPL on its 4-for-1 split day 2020-08-31 (a raw comparison would say -74 %)', () => {
    expect(dayAlerts('AAPL', '2020-08-31')).toEqual([]);
    const naive = new ChangeThresholdAlerter().update(
      { symbol: 'AAPL', price: 129.04 },
      {
        previousClose: 499.23,
        tradingDate: '2020-08-31',
      },
    );
    expect(naive.alert?.direction).toBe('down');
  });

  it('raises no split alert for TSLA on 2020-08-31; its real +12.6 % rise that day does alert', () => {
    const alerts = dayAlerts('TSLA', '2020-08-31');
    expect(alerts.map((a) => a.direction)).toEqual(['up']);
    // The adjusted change agrees with the vendor's own split-adjusted closes (442.68 -> 498.32).
    const close = changePercent(498.32, reference.previousClose('TSLA', '2020-08-31')?.previousClose ?? 0);
    expect(close).toBeCloseTo((498.32 / 442.68 - 1) * 100, 9);
    expect(close).toBeGreaterThan(12.5);
  });

  it('raises no alert on the RTX spin-off day 2020-04-03 (split-adjusted alone it would read -7.8 %)', () => {
    expect(dayAlerts('RTX', '2020-04-03')).toEqual([]);
    expect(changePercent(49.93, 86.01 / 1.589)).toBeLessThan(-5);
  });

  it('alerts every symbol that closed >= 5 % away on 2020-03-16 (Covid crash), AAPL at -12.86 %', () => {
    const date = '2020-03-16';
    const expected: string[] = [];
    const alerted: string[] = [];
    const alerter = new ChangeThresholdAlerter();
    for (const day of rows.filter((r) => r.tradingDate === date)) {
      const previous = bySymbolDate.get(`${day.symbol}|2020-03-13`);
      if (previous === undefined || day.splitCoefficient !== 1 || day.dividendAmount !== 0) continue;
      // Computed here from the raw closes, independently of PreviousCloseReference.
      const rawChange = (day.close / previous.close - 1) * 100;
      if (rawChange <= -5) expected.push(`${day.symbol}:down`);
      if (rawChange >= 5) expected.push(`${day.symbol}:up`);
      const ref = reference.previousClose(day.symbol, date);
      const alert = ref && alerter.update({ symbol: day.symbol, price: day.close }, ref).alert;
      if (alert) alerted.push(`${alert.symbol}:${alert.direction}`);
    }
    expect(expected.filter((e) => e.endsWith(':down')).length).toBeGreaterThan(400);
    expect(alerted).toEqual(expected);
    const aapl = new ChangeThresholdAlerter().update(
      { symbol: 'AAPL', price: 242.21 },
      reference.previousClose('AAPL', date) as ChangeReference,
    );
    expect(aapl.alert?.changePercent).toBeCloseTo(-12.8647, 4);
  });

  it('on every split day of 2020-2021 alerts at the close exactly when the vendor-adjusted move is >= 5 %', () => {
    let checked = 0;
    for (const day of rows) {
      if (day.splitCoefficient === 1) continue;
      const ref = reference.previousClose(day.symbol, day.tradingDate);
      if (ref === undefined || ref.approximate) continue;
      const previous = bySymbolDate.get(`${day.symbol}|${ref.previousCloseDate}`) as DailyCsvRow;
      // adjusted_close is the vendor's split- and dividend-adjusted series: an independent reference.
      const vendorChange = (day.adjustedClose / previous.adjustedClose - 1) * 100;
      const ours = changePercent(day.close, ref.previousClose);
      expect(Math.abs(ours - vendorChange)).toBeLessThan(0.5);
      const alert = new ChangeThresholdAlerter().update({ symbol: day.symbol, price: day.close }, ref).alert;
      if (Math.abs(Math.abs(vendorChange) - 5) > 0.5)
        expect(alert !== undefined).toBe(Math.abs(vendorChange) >= 5);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});
