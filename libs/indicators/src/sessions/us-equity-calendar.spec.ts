import { UsEquityCalendar, US_EQUITY_CALENDAR } from './us-equity-calendar';

describe('UsEquityCalendar (XNYS data from exchange_calendars)', () => {
  const calendar = US_EQUITY_CALENDAR;

  it('pins known days: 2020-11-26 closed (Thanksgiving), 2020-11-27 closes at 13:00 ET, 2021-04-02 closed (Good Friday)', () => {
    expect(calendar.isSession('2020-11-26')).toBe(false);
    expect(calendar.sessionOf('2020-11-26')).toBeUndefined();
    expect(calendar.sessionOf('2020-11-27')).toEqual({
      tradingDate: '2020-11-27',
      openTime: Date.parse('2020-11-27T14:30:00Z'), // 09:30 EST
      closeTime: Date.parse('2020-11-27T18:00:00Z'), // 13:00 EST
      earlyClose: true,
    });
    expect(calendar.isSession('2021-04-02')).toBe(false);
  });

  it('gives regular sessions 09:30-16:00 in EDT and EST', () => {
    expect(calendar.sessionOf('2012-06-21')).toEqual({
      tradingDate: '2012-06-21',
      openTime: 1340285400000, // 13:30Z, the first LOBSTER second
      closeTime: 1340308800000, // 20:00Z
      earlyClose: false,
    });
    expect(calendar.sessionOf('2021-01-04')?.closeTime).toBe(Date.parse('2021-01-04T21:00:00Z'));
  });

  it('has weekends and special closures (Hurricane Sandy, 2012-10-29/30) closed', () => {
    expect(calendar.isSession('2020-11-28')).toBe(false);
    expect(calendar.isSession('2012-10-29')).toBe(false);
    expect(calendar.isSession('2012-10-30')).toBe(false);
    expect(calendar.isSession('2012-10-31')).toBe(true);
  });

  it('finds the previous and next session across weekends and holidays', () => {
    expect(calendar.previousSession('2020-11-27')).toBe('2020-11-25');
    expect(calendar.previousSession('2021-04-05')).toBe('2021-04-01');
    expect(calendar.previousSession('2012-06-21')).toBe('2012-06-20');
    expect(calendar.nextSession('2021-04-01')).toBe('2021-04-05');
    expect(calendar.sessionsBetween('2020-11-24', '2020-11-30')).toBe(2); // 25th, 27th
    expect(calendar.sessionsBetween('2020-11-25', '2020-11-27')).toBe(0);
  });

  it('matches the 328 dates of the S&P 500 daily file 2020-01-02..2021-04-21', () => {
    let sessions = 0;
    for (let d = '2020-01-02'; d <= '2021-04-21'; d = calendar.nextSession(d)) sessions++;
    expect(sessions).toBe(328);
  });

  it('throws outside the covered range instead of guessing', () => {
    expect(() => calendar.isSession('1989-12-29')).toThrow(RangeError);
    expect(() => calendar.isSession('2031-01-02')).toThrow(/outside the trading calendar/);
    expect(() => calendar.isSession('2020-13-01')).toThrow(RangeError);
  });

  it('rejects data of another time zone', () => {
    expect(
      () =>
        new UsEquityCalendar({
          source: 'x',
          timeZone: 'Europe/London',
          firstDate: '2020-01-01',
          lastDate: '2020-12-31',
          regularOpen: '08:00',
          regularClose: '16:30',
          closedWeekdays: [],
          irregularSessions: [],
        }),
    ).toThrow(/America\/New_York/);
  });
});
