import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { GOLDEN_FIXTURES, safeParseEventValue, type QuoteV1Event, type TradeV1Event } from '@tickwire/contracts';
import { compareEpochNs, type SourceRecord } from '../core/source-record';
import { defaultMarketDataDir } from '../core/market-data-dir';
import { lobsterFilePath } from './lobster-files';
import { LobsterReplaySource, compareLobsterRecords } from './lobster-replay-source';

/** The fixtures' fixed replay time, so whole events compare equal. */
const FIXTURE_INGEST_TIME = (GOLDEN_FIXTURES['market.trade.v1'][0] as { event: TradeV1Event }).event.ingestTime;
const fixture = <E>(schema: 'market.trade.v1' | 'market.quote.v1', name: string): E =>
  (GOLDEN_FIXTURES[schema] as readonly { name: string; event: unknown }[]).find((f) => f.name === name)?.event as E;

interface SymbolStats {
  trades: number;
  quotes: number;
  firstTrade?: TradeV1Event;
  lastTrade?: TradeV1Event;
  firstQuote?: QuoteV1Event;
}

describe('LobsterReplaySource (real LOBSTER 2012-06-21 files)', () => {
  const stats = new Map<string, SymbolStats>();
  const rejected: SourceRecord[] = [];
  let orderViolations = 0;
  let records = 0;
  let sweepSecondFill: TradeV1Event | undefined;

  beforeAll(async () => {
    let previous: SourceRecord | undefined;
    for await (const record of new LobsterReplaySource({ wallClock: () => FIXTURE_INGEST_TIME })) {
      records++;
      if (previous && compareLobsterRecords(previous, record) > 0) orderViolations++;
      previous = record;
      if (record.kind === 'rejected') {
        rejected.push(record);
        continue;
      }
      const event = record.event;
      const entry = stats.get(event.payload.symbol) ?? { trades: 0, quotes: 0 };
      stats.set(event.payload.symbol, entry);
      if (event.schema === 'market.trade.v1') {
        entry.trades++;
        entry.firstTrade ??= event;
        entry.lastTrade = event;
        if (event.payload.symbol === 'AAPL' && event.payload.sequence === 9) sweepSecondFill = event;
      } else if (event.schema === 'market.quote.v1') {
        entry.quotes++;
        entry.firstQuote ??= event;
      }
    }
  }, 300_000);

  it('emits every trade (types 4 and 5) and one quote per message row, per the data README', () => {
    expect(rejected).toEqual([]);
    expect(stats.get('AAPL')).toMatchObject({ trades: 34_990, quotes: 118_497 });
    expect(stats.get('AMZN')).toMatchObject({ trades: 11_419, quotes: 57_515 });
    expect(stats.get('GOOG')).toMatchObject({ trades: 11_678, quotes: 49_482 });
    expect(records).toBe(34_990 + 11_419 + 11_678 + 118_497 + 57_515 + 49_482);
  });

  it('reproduces the contracts golden fixtures exactly (ids included)', () => {
    expect(stats.get('AAPL')?.firstTrade).toEqual(fixture('market.trade.v1', 'aapl-first-trade'));
    expect(stats.get('AAPL')?.firstQuote).toEqual(fixture('market.quote.v1', 'aapl-first-quote'));
    expect(stats.get('AAPL')?.lastTrade).toEqual(fixture('market.trade.v1', 'aapl-last-trade-hidden'));
    expect(sweepSecondFill).toEqual(fixture('market.trade.v1', 'aapl-sweep-second-fill'));
    expect(stats.get('AMZN')?.firstTrade).toEqual(fixture('market.trade.v1', 'amzn-first-trade'));
    expect(stats.get('GOOG')?.firstTrade).toEqual(fixture('market.trade.v1', 'goog-first-trade'));
    expect(stats.get('AMZN')?.firstQuote).toEqual(fixture('market.quote.v1', 'amzn-first-quote'));
    expect(stats.get('GOOG')?.firstQuote).toEqual(fixture('market.quote.v1', 'goog-first-quote'));
  });

  it.each([
    ['AAPL', '1340285400275016159', 585.74, '1340308799913117637', 577.635],
    ['AMZN', '1340285400017459617', 223.82, '1340308799545827862', 220.51],
    ['GOOG', '1340285400015105074', 579.4, '1340308798957742351', 565.35],
  ])('%s first and last trade match the README reference values', (symbol, firstNs, firstPrice, lastNs, lastPrice) => {
    const entry = stats.get(symbol);
    expect(entry?.firstTrade).toMatchObject({ eventTimeNs: firstNs, payload: { price: firstPrice } });
    expect(entry?.lastTrade).toMatchObject({ eventTimeNs: lastNs, payload: { price: lastPrice } });
  });

  it('merges the symbols in (eventTimeNs, symbol, sequence) order', () => {
    expect(orderViolations).toBe(0);
  });

  it('emits valid contract events (spot check through safeParseEventValue)', () => {
    for (const entry of stats.values()) {
      expect(safeParseEventValue('market.trades.v1', entry.lastTrade).success).toBe(true);
      expect(safeParseEventValue('market.quotes.v1', entry.firstQuote).success).toBe(true);
    }
  });
});

describe('LobsterReplaySource options', () => {
  it("quotes: 'changes' drops orderbook rows equal to the previous row", async () => {
    // Independent oracle: count distinct consecutive lines with the system gzip.
    const text = execFileSync('gzip', ['-dc', lobsterFilePath(defaultMarketDataDir(), 'AMZN', '2012-06-21', 'orderbook')], { maxBuffer: 64 << 20 }).toString();
    const lines = text.trimEnd().split('\n');
    const changes = lines.filter((line, i) => i === 0 || line !== lines[i - 1]).length;
    expect(changes).toBeLessThan(57_515);

    let quotes = 0;
    let trades = 0;
    for await (const record of new LobsterReplaySource({ symbols: ['AMZN'], quotes: 'changes' })) {
      if (record.kind === 'event' && record.event.schema === 'market.quote.v1') quotes++;
      if (record.kind === 'event' && record.event.schema === 'market.trade.v1') trades++;
    }
    expect(quotes).toBe(changes);
    expect(trades).toBe(11_419);
  }, 180_000);

  it("trades: false, quotes: 'none' emits nothing; trades only emits only trades", async () => {
    const none: SourceRecord[] = [];
    for await (const record of new LobsterReplaySource({ symbols: ['GOOG'], trades: false, quotes: 'none' })) none.push(record);
    expect(none).toEqual([]);
    let count = 0;
    for await (const record of new LobsterReplaySource({ symbols: ['GOOG'], quotes: 'none' })) {
      expect(record.kind === 'event' && record.event.schema).toBe('market.trade.v1');
      count++;
    }
    expect(count).toBe(11_678);
  }, 180_000);

  it('close() ends a running replay early and is idempotent; a second iteration throws', async () => {
    const source = new LobsterReplaySource();
    let count = 0;
    for await (const record of source) {
      void record;
      if (++count === 1000) await source.close();
    }
    expect(count).toBe(1000);
    await source.close();
    expect(() => source[Symbol.asyncIterator]()).toThrow(/only once/);
  });

  it('fails the iteration for a missing file', async () => {
    const source = new LobsterReplaySource({ dataDir: join(__dirname, 'no-such-dir') });
    await expect(source[Symbol.asyncIterator]().next()).rejects.toThrow(/ENOENT/);
  });

  it('orders ties by symbol then sequence', () => {
    const record = (symbol: string, ns: string, sequence: number): SourceRecord =>
      ({ kind: 'event', topic: 'market.trades.v1', event: { eventTimeNs: ns, payload: { symbol, sequence } } }) as unknown as SourceRecord;
    const sorted = [record('GOOG', '2', 1), record('AAPL', '2', 5), record('AAPL', '2', 3), record('ZZZ', '1', 9)].sort(compareLobsterRecords);
    expect(sorted.map((r) => (r.kind === 'event' ? `${r.event.payload.symbol}${(r.event.payload as { sequence: number }).sequence}` : ''))).toEqual(['ZZZ9', 'AAPL3', 'AAPL5', 'GOOG1']);
    expect(compareEpochNs('999', '1000')).toBeLessThan(0);
  });
});
