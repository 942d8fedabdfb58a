import { safeParseEventValue, type QuoteV1Event, type TradeV1Event } from '@tickwire/contracts';
import type { MarketEvent, SourceRecord } from '../core/source-record';
import type { MonotonicClock } from '../core/clock';
import { PacedSource } from '../pacing/paced-source';
import { REALTIME_PACING } from '../pacing/pacing';
import { SyntheticSource, type SyntheticSourceOptions } from './synthetic-source';

async function generate(options: SyntheticSourceOptions): Promise<MarketEvent[]> {
  const events: MarketEvent[] = [];
  for await (const record of new SyntheticSource({ wallClock: () => 1_795_284_000_000, ...options })) {
    if (record.kind !== 'event') throw new Error(`unexpected ${record.kind}`);
    events.push(record.event);
  }
  return events;
}

describe('SyntheticSource', () => {
  it('is deterministic for a seed and differs across seeds', async () => {
    const a = await generate({ seed: 42, count: 2_000, symbols: 5 });
    const b = await generate({ seed: 42, count: 2_000, symbols: 5 });
    const c = await generate({ seed: 43, count: 2_000, symbols: 5 });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(a).toHaveLength(2_000);
  });

  it('produces only valid contract events with unique ids, bid < ask, round lots and $0.01 ticks', async () => {
    const events = await generate({ seed: 7, count: 20_000, symbols: 20, tradeRatio: 0.3 });
    const ids = new Set<string>();
    let trades = 0;
    for (const event of events) {
      const topic = event.schema === 'market.trade.v1' ? 'market.trades.v1' : 'market.quotes.v1';
      const parsed = safeParseEventValue(topic, JSON.parse(JSON.stringify(event)));
      expect(parsed.success).toBe(true);
      ids.add(event.id);
      expect(event.source).toBe('synthetic');
      if (event.schema === 'market.trade.v1') {
        trades++;
        const trade = event as TradeV1Event;
        expect(trade.payload.size % 100).toBe(0);
        expect(Math.abs(Math.round(trade.payload.price * 100) - trade.payload.price * 100)).toBeLessThan(1e-6);
      } else {
        const quote = event as QuoteV1Event;
        expect(quote.payload.bidPrice).toBeLessThan(quote.payload.askPrice);
        expect(quote.payload.bidSize % 100).toBe(0);
        expect(quote.payload.askSize % 100).toBe(0);
      }
    }
    expect(ids.size).toBe(events.length);
    expect(trades / events.length).toBeGreaterThan(0.27);
    expect(trades / events.length).toBeLessThan(0.33);
    expect(new Set(events.map((e) => e.payload.symbol)).size).toBe(20);
  });

  it('spaces event times by exactly 1e9 / rate ns from the start time', async () => {
    const events = await generate({ seed: 1, count: 4, ratePerSecond: 3, startTime: Date.UTC(2026, 0, 5, 14, 30) });
    const start = BigInt(Date.UTC(2026, 0, 5, 14, 30)) * 1_000_000n;
    expect(events.map((e) => e.eventTimeNs)).toEqual([start, start + 333_333_333n, start + 666_666_666n, start + 1_000_000_000n].map(String));
    expect(events.map((e) => e.eventTime)).toEqual([0, 333, 667, 1000].map((ms) => Date.UTC(2026, 0, 5, 14, 30) + ms));
  });

  it('walks prices in ticks: consecutive quotes of a symbol move by at most a few cents', async () => {
    const events = await generate({ seed: 9, count: 5_000, symbols: 1, tradeRatio: 0 });
    const bids = events.map((e) => (e as QuoteV1Event).payload.bidPrice);
    const jumps = bids.slice(1).map((bid, i) => Math.abs(bid - (bids[i] as number)));
    expect(Math.max(...jumps)).toBeLessThanOrEqual(0.010000001);
    expect(new Set(bids).size).toBeGreaterThan(5);
  });

  it('emits at the target rate in wall time when paced realtime', async () => {
    const clock: MonotonicClock & { time: number } = {
      time: 0,
      now() {
        return this.time;
      },
      async sleep(ms: number) {
        this.time += ms;
      },
    };
    const emittedAt: number[] = [];
    for await (const record of new PacedSource(new SyntheticSource({ seed: 5, ratePerSecond: 1_000, count: 2_001 }), REALTIME_PACING, { clock })) {
      void record;
      emittedAt.push(clock.now());
    }
    expect(emittedAt).toHaveLength(2_001);
    expect(emittedAt[1_000]).toBe(1_000); // 1,000 records per second
    expect(emittedAt[2_000]).toBe(2_000);
  });

  it('runs unlimited until closed', async () => {
    const source = new SyntheticSource({ seed: 3 });
    let count = 0;
    for await (const record of source) {
      void (record satisfies SourceRecord);
      if (++count === 3_000) break;
    }
    expect(count).toBe(3_000);
    expect(source.closed).toBe(true);
  });

  it.each([
    [{ seed: 1.5 }, /seed must be an integer/],
    [{ seed: 1, ratePerSecond: 0 }, /ratePerSecond must be an integer >= 1/],
    [{ seed: 1, symbols: [] }, /at least one symbol/],
    [{ seed: 1, tradeRatio: 1.5 }, /tradeRatio must be in \[0, 1\]/],
  ])('rejects bad options %j', (options, message) => {
    expect(() => new SyntheticSource(options as SyntheticSourceOptions)).toThrow(message);
  });
});
