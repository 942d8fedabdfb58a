import type { SourceRecord } from '../core/source-record';
import { DailyBarHold, type DailyBarHoldStore, type HeldDailyBar } from './daily-bar-hold';

/** An Alpaca `d` message of `date` (its `t` is the start of the New York day, EST here). */
const dailyBar = (symbol: string, date: string, close: number) => ({ T: 'd', S: symbol, o: 100, h: Math.max(100, close), l: Math.min(100, close), c: close, v: 1000, t: `${date}T05:00:00Z`, n: 10, vw: 100 });
const trade = (symbol: string, at: string) => ({ T: 't', S: symbol, i: 1, x: 'V', p: 100, s: 10, t: at, c: ['@'], z: 'C' });

/** The close of a valid daily bar record, else its schema or error class (so a rejection shows). */
const summary = (record: SourceRecord): number | string =>
  record.kind === 'rejected' ? record.errorClass : record.event.schema === 'market.bar.daily.v1' ? record.event.payload.close : record.event.schema;

describe('DailyBarHold', () => {
  let now: number;
  let hold: DailyBarHold;
  const receipt = () => ({ receivedAt: now, origin: 'test' });
  beforeEach(() => {
    now = Date.parse('2020-11-25T15:00:00Z'); // 10:00 EST, during the session
    hold = new DailyBarHold({ wallClock: () => now });
  });

  it('holds a growing daily bar during the session and releases only the last update at the close (16:00 ET), ingested then', () => {
    expect(hold.accept(dailyBar('AAPL', '2020-11-25', 101), receipt())).toEqual([]);
    now += 60_000;
    expect(hold.accept(dailyBar('AAPL', '2020-11-25', 102), receipt())).toEqual([]);
    expect(hold.size).toBe(1);
    expect(hold.nextReleaseAt()).toBe(Date.parse('2020-11-25T21:00:00Z'));
    now = Date.parse('2020-11-25T20:59:59.999Z');
    expect(hold.releaseDue()).toEqual([]);
    now = Date.parse('2020-11-25T21:00:00Z');
    const released = hold.releaseDue();
    expect(released.map(summary)).toEqual([102]);
    expect(released[0]).toMatchObject({ event: { eventTime: now, ingestTime: now, payload: { tradingDate: '2020-11-25' } } });
    expect(hold.size).toBe(0);
    expect(hold.nextReleaseAt()).toBeUndefined();
  });

  it('on a 13:00 ET early close (2020-11-27) releases at 15:00 ET, the earliest ingestTime the 16:00 contract eventTime allows', () => {
    now = Date.parse('2020-11-27T16:00:00Z');
    hold.accept(dailyBar('AAPL', '2020-11-27', 103), receipt());
    expect(hold.nextReleaseAt()).toBe(Date.parse('2020-11-27T20:00:00Z'));
    now = Date.parse('2020-11-27T20:00:00Z');
    expect(hold.releaseDue().map(summary)).toEqual([103]);
  });

  it('publishes a daily bar received after its session closed (a late re-send) at once', () => {
    now = Date.parse('2020-11-25T21:05:00Z');
    expect(hold.accept(dailyBar('AAPL', '2020-11-25', 104), receipt()).map(summary)).toEqual([104]);
    expect(hold.size).toBe(0);
  });

  it('releases bars whose close passed before mapping the message accept() is given', () => {
    hold.accept(dailyBar('AAPL', '2020-11-25', 101), receipt());
    now = Date.parse('2020-11-25T21:00:01Z');
    expect(hold.accept(trade('MSFT', '2020-11-25T21:00:01Z'), receipt()).map(summary)).toEqual([101, 'market.trade.v1']);
    expect(hold.size).toBe(0);
  });

  it('releases a held bar before a later session event of its symbol, even if the wall clock lags', () => {
    hold.accept(dailyBar('AAPL', '2020-11-25', 101), receipt());
    hold.accept(dailyBar('MSFT', '2020-11-25', 201), receipt());
    now = Date.parse('2020-11-25T20:30:00Z');
    expect(hold.accept(trade('AAPL', '2020-11-25T20:30:00Z'), receipt()).map(summary)).toEqual(['market.trade.v1']);
    // The next session (the 27th, after Thanksgiving) opens at 14:30Z; the hold's wall clock is still on the 25th.
    const opening = { receivedAt: Date.parse('2020-11-27T14:30:00Z'), origin: 'test' };
    const released = hold.accept(trade('AAPL', '2020-11-27T14:30:00Z'), opening);
    expect(released.map(summary)).toEqual([101, 'market.trade.v1']);
    expect(released[0]).toMatchObject({ event: { ingestTime: opening.receivedAt } });
    expect(hold.size).toBe(1); // MSFT's bar stays held
    // A later date's `d` of the symbol releases the earlier one and is held itself.
    expect(hold.accept(dailyBar('MSFT', '2020-11-27', 202), opening).map(summary)).toEqual([201]);
    expect(hold.size).toBe(1);
  });

  it('maps every other message at once, rejections included', () => {
    expect(hold.accept({ T: 'zz' }, receipt()).map(summary)).toEqual(['SchemaViolation']);
    expect(hold.accept({ T: 'd', S: 'AAPL', t: 'yesterday' }, receipt()).map(summary)).toEqual(['SchemaViolation']);
    expect(hold.accept(trade('AAPL', '2020-11-25T15:00:00Z'), receipt()).map(summary)).toEqual(['market.trade.v1']);
    expect(hold.size).toBe(0);
  });

  describe('with a store (a restart across the close)', () => {
    /** An in-memory store that records the calls, in order. */
    class RecordingStore implements DailyBarHoldStore {
      readonly calls: string[] = [];
      readonly bars = new Map<string, HeldDailyBar>();
      async load(): Promise<readonly HeldDailyBar[]> {
        return [...this.bars.values()];
      }
      save(bar: HeldDailyBar): void {
        this.calls.push(`save ${bar.symbol} ${bar.tradingDate} ${String(bar.message['c'])}`);
        this.bars.set(`${bar.symbol}|${bar.tradingDate}`, bar);
      }
      forget(symbol: string, tradingDate: string): void {
        this.calls.push(`forget ${symbol} ${tradingDate}`);
        this.bars.delete(`${symbol}|${tradingDate}`);
      }
    }
    let store: RecordingStore;
    beforeEach(() => {
      store = new RecordingStore();
      hold = new DailyBarHold({ wallClock: () => now, store });
    });

    it('saves every held update and forgets the bar when it is released', () => {
      hold.accept(dailyBar('AAPL', '2020-11-25', 101), receipt());
      hold.accept(dailyBar('AAPL', '2020-11-25', 102), receipt());
      now = Date.parse('2020-11-25T21:00:00Z');
      hold.releaseDue();
      expect(store.calls).toEqual(['save AAPL 2020-11-25 101', 'save AAPL 2020-11-25 102', 'forget AAPL 2020-11-25']);
      // A late re-send is published at once: nothing to save.
      hold.accept(dailyBar('AAPL', '2020-11-25', 103), receipt());
      expect(store.calls).toHaveLength(3);
    });

    it('a new run restores what the stopped one held: released at once when the session closed meanwhile, else at the close', async () => {
      hold.accept(dailyBar('AAPL', '2020-11-25', 102), receipt());
      hold.accept(dailyBar('MSFT', '2020-11-27', 201), { receivedAt: now, origin: 'test' });
      // The process stops at 10:00 ET on the 25th and starts again at 16:30 ET.
      now = Date.parse('2020-11-25T21:30:00Z');
      const next = new DailyBarHold({ wallClock: () => now, store });
      next.restore(await store.load());
      const released = next.releaseDue();
      expect(released.map(summary)).toEqual([102]);
      expect(released[0]).toMatchObject({ event: { ingestTime: now, payload: { symbol: 'AAPL', tradingDate: '2020-11-25' } } });
      expect(next.size).toBe(1);
      expect(next.nextReleaseAt()).toBe(Date.parse('2020-11-27T20:00:00Z'));
      expect([...store.bars.keys()]).toEqual(['MSFT|2020-11-27']);
    });

    it('a restored bar does not replace one of the same session received since the restart', () => {
      hold.accept(dailyBar('AAPL', '2020-11-25', 105), receipt());
      hold.restore([{ symbol: 'AAPL', tradingDate: '2020-11-25', message: dailyBar('AAPL', '2020-11-25', 101), origin: 'test' }]);
      now = Date.parse('2020-11-25T21:00:00Z');
      expect(hold.releaseDue().map(summary)).toEqual([105]);
    });
  });
});
