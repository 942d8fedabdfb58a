import type { SourceRecord } from '../core/source-record';
import { DailyBarHold } from './daily-bar-hold';

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
});
