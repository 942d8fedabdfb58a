import { assertTradingDate, tradingDateOf } from './trading-date';

describe('tradingDateOf', () => {
  it('uses the New York date across the EDT midnight (UTC-4 in June)', () => {
    expect(tradingDateOf(Date.UTC(2012, 5, 21, 3, 59, 59, 999))).toBe('2012-06-20');
    expect(tradingDateOf(Date.UTC(2012, 5, 21, 4, 0, 0, 0))).toBe('2012-06-21');
    expect(tradingDateOf(1_340_285_400_000)).toBe('2012-06-21'); // 09:30 EDT
    expect(tradingDateOf(Date.UTC(2012, 5, 22, 3, 0))).toBe('2012-06-21'); // 23:00 EDT
  });

  it('uses the New York date across the EST midnight (UTC-5 in January) and the DST switch', () => {
    expect(tradingDateOf(Date.UTC(2020, 0, 2, 4, 59, 59, 999))).toBe('2020-01-01');
    expect(tradingDateOf(Date.UTC(2020, 0, 2, 5, 0))).toBe('2020-01-02');
    // 2020-03-08 02:00 EST -> 03:00 EDT: the day is 23 hours long.
    expect(tradingDateOf(Date.UTC(2020, 2, 9, 3, 59))).toBe('2020-03-08');
    expect(tradingDateOf(Date.UTC(2020, 2, 9, 4, 0))).toBe('2020-03-09');
  });

  it('agrees with a direct time-zone conversion for every instant, whichever instant of its hour came first', () => {
    const direct = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/New_York',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    // Every 7 min 13 s from 2020-03-07 to 2020-03-10 (the DST switch), then the same hours backwards,
    // so each hour is first seen at a different minute; plus pseudo-random instants 2000-2030.
    const instants: number[] = [];
    for (let t = Date.UTC(2020, 2, 7); t < Date.UTC(2020, 2, 10); t += 433_000) instants.push(t);
    for (let t = Date.UTC(2020, 2, 10) - 1; t >= Date.UTC(2020, 2, 7); t -= 433_000) instants.push(t);
    for (let i = 0, x = 12_345; i < 5_000; i += 1) {
      x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
      instants.push(Date.UTC(2000, 0, 1) + Math.floor((x / 2_147_483_648) * 30 * 365.25 * 86_400_000));
    }
    for (const t of instants) expect(tradingDateOf(t)).toBe(direct.format(t));
  });

  it('rejects a non-finite time', () => {
    expect(() => tradingDateOf(Number.NaN)).toThrow(RangeError);
  });
});

describe('assertTradingDate', () => {
  it('accepts real dates and rejects malformed or impossible ones', () => {
    expect(() => assertTradingDate('2020-02-29')).not.toThrow();
    expect(() => assertTradingDate('2021-02-29')).toThrow(RangeError);
    expect(() => assertTradingDate('2020-1-02')).toThrow(RangeError);
    expect(() => assertTradingDate('20200102')).toThrow(RangeError);
  });
});
