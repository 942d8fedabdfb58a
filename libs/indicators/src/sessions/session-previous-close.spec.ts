import type { DailyBarRow } from '../market-types';
import { PreviousCloseReference } from '../previous-close';
import { isStaleClose, resolveSessionPreviousClose } from './session-previous-close';

const row = (tradingDate: string, close: number, extra: Partial<DailyBarRow> = {}): DailyBarRow => ({
  symbol: 'XYZ',
  tradingDate,
  close,
  ...extra,
});

describe('isStaleClose', () => {
  it('is false for the close of the previous session, across weekends and holidays', () => {
    expect(isStaleClose('2020-11-25', '2020-11-27')).toBe(false); // Thanksgiving between
    expect(isStaleClose('2021-04-01', '2021-04-05')).toBe(false); // Good Friday + weekend
  });

  it('is true when a session is missing in between', () => {
    expect(isStaleClose('2020-11-24', '2020-11-27')).toBe(true);
    expect(isStaleClose('2021-04-21', '2026-12-08')).toBe(true); // the reference file's last row, read live
  });

  it('falls back to the given gap flag outside the calendar', () => {
    expect(isStaleClose('1985-01-02', '1985-01-04', true)).toBe(true);
    expect(isStaleClose('1985-01-03', '1985-01-04', false)).toBe(false);
    // 1990-01-02 is covered, but its previous session (1989-12-29) is not.
    expect(isStaleClose('1989-12-29', '1990-01-02', false)).toBe(false);
    expect(() => isStaleClose('1989-12-29', '1990-13-02')).toThrow(RangeError);
  });
});

describe('resolveSessionPreviousClose', () => {
  // Reference rows end on 2020-01-07; a 2:1 split goes ex on 2020-01-09 (the splits list).
  const reference = new PreviousCloseReference([row('2020-01-06', 100), row('2020-01-07', 104)], {
    corporateActions: [{ symbol: 'XYZ', tradingDate: '2020-01-09', splitCoefficient: 2 }],
  });

  it('seeds the first session from the reference', () => {
    expect(resolveSessionPreviousClose('XYZ', '2020-01-08', undefined, reference)).toMatchObject({
      origin: 'reference',
      previousClose: 104,
      previousCloseDate: '2020-01-07',
      stale: false,
    });
  });

  it('takes the official close of the feed once it is at least as recent, adjusted on the ex-date', () => {
    const official = { tradingDate: '2020-01-08', close: 110 };
    expect(resolveSessionPreviousClose('XYZ', '2020-01-09', official, reference)).toMatchObject({
      origin: 'feed',
      previousClose: 55,
      unadjustedPreviousClose: 110,
      previousCloseDate: '2020-01-08',
      corporateAction: 'split',
      stale: false,
    });
    // A feed close of the same date as the reference row wins too.
    expect(
      resolveSessionPreviousClose('XYZ', '2020-01-08', { tradingDate: '2020-01-07', close: 104.5 }, reference)
        ?.previousClose,
    ).toBe(104.5);
  });

  it('ignores a feed close that is not before the date (a later session already recorded)', () => {
    const official = { tradingDate: '2020-01-10', close: 50 };
    expect(resolveSessionPreviousClose('XYZ', '2020-01-08', official, reference)?.origin).toBe('reference');
  });

  it('flags a close older than the previous session as stale instead of using it silently', () => {
    expect(resolveSessionPreviousClose('XYZ', '2020-01-10', undefined, reference)).toMatchObject({
      origin: 'reference',
      previousCloseDate: '2020-01-07',
      previousClose: 52, // still split-adjusted across the 9th
      stale: true,
    });
  });

  it("with referenceCloses 'none' takes closes only from the feed, corporate actions still from the reference", () => {
    expect(resolveSessionPreviousClose('XYZ', '2020-01-08', undefined, reference, 'none')).toBeUndefined();
    const official = { tradingDate: '2020-01-08', close: 110 };
    expect(resolveSessionPreviousClose('XYZ', '2020-01-09', official, reference, 'none')?.previousClose).toBe(55);
  });

  it('uses a feed close unadjusted when there is no reference', () => {
    const official = { tradingDate: '2020-01-08', close: 110 };
    expect(resolveSessionPreviousClose('NEW', '2020-01-09', official, undefined)).toMatchObject({
      origin: 'feed',
      previousClose: 110,
      stale: false,
    });
  });
});
