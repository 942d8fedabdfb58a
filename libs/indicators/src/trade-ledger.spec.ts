import { BarAggregator } from './bar-aggregator';
import { TradeLedger } from './trade-ledger';

const T = Date.UTC(2021, 1, 22, 15, 51); // a minute boundary, epoch ms
const trades = [
  { tradeId: '1', price: 126.55, size: 100, eventTime: T + 1_000 },
  { tradeId: '2', price: 126.8, size: 50, eventTime: T + 2_000 },
  { tradeId: '3', price: 126.4, size: 10, eventTime: T + 2_000 },
  { tradeId: '4', price: 126.6, size: 200, eventTime: T + 59_999 },
];

/** The bar the BarAggregator emits for `list` (the reference a restatement must equal). */
function aggregatorBar(list: typeof trades) {
  const aggregator = new BarAggregator();
  for (const trade of list) aggregator.add({ symbol: 'AAPL', ...trade });
  return aggregator.flush()[0];
}

describe('TradeLedger', () => {
  it('recomputes an unamended window to exactly the bar the aggregator emitted', () => {
    const ledger = new TradeLedger();
    for (const trade of trades) ledger.add(trade);
    expect(ledger.barOf('AAPL', T)).toEqual(aggregatorBar(trades));
    expect(ledger.size).toBe(4);
  });

  it('restates a cancelled trade out of the bar (high, volume, count and vwap change)', () => {
    const ledger = new TradeLedger();
    for (const trade of trades) ledger.add(trade);
    const result = ledger.amend('2', null, 'AAPL');
    expect(result).toEqual({ outcome: 'amended', startTime: T, bar: aggregatorBar(trades.filter((t) => t.tradeId !== '2')) });
    if (result.outcome !== 'amended' || !result.bar) throw new Error('not amended');
    expect(result.bar).toMatchObject({ high: 126.6, volume: 310, tradeCount: 3, open: 126.55, close: 126.6 });
    expect(ledger.nextRevision(T)).toBe(1);
    expect(ledger.nextRevision(T)).toBe(2);
  });

  it('restates a corrected trade in place: new price and size at the original time', () => {
    const ledger = new TradeLedger();
    for (const trade of trades) ledger.add(trade);
    const result = ledger.amend('4', { tradeId: '40', price: 126.5, size: 20 }, 'AAPL');
    const expected = aggregatorBar([...trades.slice(0, 3), { tradeId: '40', price: 126.5, size: 20, eventTime: T + 59_999 }]);
    expect(result).toEqual({ outcome: 'amended', startTime: T, bar: expected });
    expect(expected).toMatchObject({ close: 126.5, volume: 180 });
    // The corrected trade can itself be cancelled later, under its new id.
    expect(ledger.amend('4', null, 'AAPL')).toEqual({ outcome: 'not-found' });
    expect(ledger.amend('40', null, 'AAPL')).toMatchObject({ outcome: 'amended' });
  });

  it('a window whose every trade was cancelled has no bar', () => {
    const ledger = new TradeLedger();
    ledger.add(trades[0]!);
    expect(ledger.amend('1', null, 'AAPL')).toEqual({ outcome: 'amended', startTime: T, bar: undefined });
    expect(ledger.amendedBarOf('AAPL', T)).toEqual({ bar: undefined });
  });

  it('keeps no id-less trades, and never restates a window that had one', () => {
    const ledger = new TradeLedger();
    ledger.add({ price: 1, size: 1, eventTime: T });
    expect(ledger.size).toBe(0);
    ledger.add(trades[0]!);
    ledger.add({ price: 1, size: 1, eventTime: T + 3_000 });
    expect(ledger.amend('1', null, 'AAPL')).toEqual({ outcome: 'not-found' });
  });

  it('forgets windows past the retention and beyond maxTrades', () => {
    const ledger = new TradeLedger({ retainMs: 60_000, maxTrades: 3 });
    ledger.add({ tradeId: 'a', price: 1, size: 1, eventTime: T });
    ledger.add({ tradeId: 'b', price: 1, size: 1, eventTime: T + 60_000 });
    // Window T ends at T + 60 s; kept 60 s more: gone once a trade passes T + 120 s. Window T + 60 s stays.
    ledger.add({ tradeId: 'c', price: 1, size: 1, eventTime: T + 150_000 });
    expect(ledger.amend('a', null, 'X')).toEqual({ outcome: 'not-found' });
    expect(ledger.amend('b', { tradeId: 'b', price: 2, size: 1 }, 'X')).toMatchObject({ outcome: 'amended', startTime: T + 60_000 });
    expect(ledger.size).toBe(2);
    // Four trades > maxTrades 3: the oldest window (b's) goes.
    ledger.add({ tradeId: 'd', price: 1, size: 1, eventTime: T + 150_001 });
    ledger.add({ tradeId: 'e', price: 1, size: 1, eventTime: T + 150_002 });
    expect(ledger.size).toBe(3);
    expect(ledger.amend('b', null, 'X')).toEqual({ outcome: 'not-found' });
    expect(ledger.amend('e', null, 'X')).toMatchObject({ outcome: 'amended' });
  });

  it('survives snapshot and restore exactly', () => {
    const ledger = new TradeLedger();
    for (const trade of trades) ledger.add(trade);
    ledger.amend('2', null, 'AAPL');
    ledger.nextRevision(T);
    const restored = TradeLedger.restore(JSON.parse(JSON.stringify(ledger.snapshot())));
    expect(restored.snapshot()).toEqual(ledger.snapshot());
    expect(restored.nextRevision(T)).toBe(2);
    expect(restored.amendedBarOf('AAPL', T)).toEqual({ bar: ledger.barOf('AAPL', T) });
  });
});
