import type { DailyBarRow } from './market-types';
import { classifySplitCoefficient, PreviousCloseReference } from './previous-close';
import {
  readDailyRows,
  readLobsterTrades,
  readSplitRows,
  REAL_DATA_TIMEOUT_MS,
} from './testing/market-data-files';

const row = (
  symbol: string,
  tradingDate: string,
  close: number,
  extra: Partial<DailyBarRow> = {},
): DailyBarRow => ({
  symbol,
  tradingDate,
  close,
  ...extra,
});

describe('classifySplitCoefficient', () => {
  it('snaps vendor float noise to the exact ratio', () => {
    expect(classifySplitCoefficient(7.00000700001)).toEqual({ value: 7, isSplitRatio: true });
    expect(classifySplitCoefficient(1.49999925)).toEqual({ value: 1.5, isSplitRatio: true });
    expect(classifySplitCoefficient(3.000003)).toEqual({ value: 3, isSplitRatio: true });
    expect(classifySplitCoefficient(1.33333333333)).toEqual({ value: 4 / 3, isSplitRatio: true });
    expect(classifySplitCoefficient(0.333333333333)).toEqual({ value: 1 / 3, isSplitRatio: true });
    expect(classifySplitCoefficient(0.03125)).toEqual({ value: 1 / 32, isSplitRatio: true });
    expect(classifySplitCoefficient(1.0499999475)).toEqual({ value: 21 / 20, isSplitRatio: true });
    expect(classifySplitCoefficient(1)).toEqual({ value: 1, isSplitRatio: true });
  });

  it('recognises spin-offs coded as fractional splits', () => {
    for (const c of [1.589, 1.195, 1.054, 2.52525252525, 0.303582270795]) {
      expect(classifySplitCoefficient(c)).toEqual({ value: c, isSplitRatio: false });
    }
  });

  it('rejects non-positive or non-finite coefficients', () => {
    expect(() => classifySplitCoefficient(0)).toThrow(RangeError);
    expect(() => classifySplitCoefficient(Number.NaN)).toThrow(RangeError);
  });

  it(
    'classifies every row of the real splits list: ratios for splits, raw values for the 22 spin-off and odd codes',
    async () => {
      const splits = await readSplitRows();
      expect(splits).toHaveLength(473);
      const nonRatio = splits.filter((s) => !classifySplitCoefficient(s.splitCoefficient).isSplitRatio);
      expect(nonRatio.map((s) => `${s.symbol} ${s.tradingDate}`)).toEqual(
        expect.arrayContaining([
          'RTX 2020-04-03',
          'FTV 2020-10-09',
          'PFE 2020-11-17',
          'DD 2019-04-02',
          'GNRC 2010-02-12',
        ]),
      );
      expect(nonRatio).toHaveLength(22);
      for (const s of splits) {
        const { value, isSplitRatio } = classifySplitCoefficient(s.splitCoefficient);
        if (isSplitRatio) expect(Math.abs(value - s.splitCoefficient) / value).toBeLessThan(1e-5);
      }
    },
    REAL_DATA_TIMEOUT_MS,
  );
});

describe('PreviousCloseReference (unit)', () => {
  const rows = [
    row('XYZ', '2020-01-02', 100),
    row('XYZ', '2020-01-03', 110),
    row('XYZ', '2020-01-06', 50, { splitCoefficient: 2 }),
    row('XYZ', '2020-01-07', 49, { dividendAmount: 1 }),
    row('XYZ', '2020-01-10', 40),
    row('ABC', '2020-01-08', 10),
    row('ABC', '2020-01-09', 10),
  ];
  const reference = new PreviousCloseReference(rows);

  it('returns the close of the latest earlier row, skipping weekends without a gap', () => {
    expect(reference.previousClose('XYZ', '2020-01-03')).toMatchObject({
      previousClose: 100,
      previousCloseDate: '2020-01-02',
      corporateAction: 'none',
      gap: false,
    });
    expect(reference.previousClose('XYZ', '2020-01-06')).toMatchObject({
      previousCloseDate: '2020-01-03',
      gap: false,
    });
  });

  it('divides by the split coefficient and deducts distributions on the ex-date only', () => {
    expect(reference.previousClose('XYZ', '2020-01-06')).toMatchObject({
      previousClose: 55,
      unadjustedPreviousClose: 110,
      splitCoefficient: 2,
      corporateAction: 'split',
      approximate: false,
    });
    expect(reference.previousClose('XYZ', '2020-01-07')).toMatchObject({
      previousClose: 49,
      distribution: 1,
      corporateAction: 'distribution',
    });
    expect(reference.previousClose('XYZ', '2020-01-08')).toMatchObject({
      previousClose: 49,
      corporateAction: 'none',
    });
    const plain = new PreviousCloseReference(rows, { deductDistributions: false });
    expect(plain.previousClose('XYZ', '2020-01-07')?.previousClose).toBe(50);
  });

  it('flags a gap when calendar dates (from any symbol) lie between the close used and the date', () => {
    expect(reference.previousClose('XYZ', '2020-01-10')).toMatchObject({
      previousCloseDate: '2020-01-07',
      gap: true,
      missingTradingDates: 2,
    });
  });

  it('merges corporate actions given separately (e.g. a split announced before its daily row exists)', () => {
    const withAction = new PreviousCloseReference(rows, {
      corporateActions: [{ symbol: 'XYZ', tradingDate: '2020-01-13', splitCoefficient: 4 }],
    });
    expect(withAction.previousClose('XYZ', '2020-01-13')).toMatchObject({
      previousClose: 10,
      corporateAction: 'split',
    });
  });

  it('returns undefined without history and rejects malformed input', () => {
    expect(reference.previousClose('XYZ', '2020-01-02')).toBeUndefined();
    expect(reference.previousClose('NOPE', '2020-01-10')).toBeUndefined();
    expect(() => reference.previousClose('XYZ', '2020/01/10')).toThrow(RangeError);
    expect(() => new PreviousCloseReference([row('A', '2020-01-02', 1), row('A', '2020-01-02', 2)])).toThrow(
      RangeError,
    );
    expect(() => new PreviousCloseReference([row('A', '2020-01-02', 0)])).toThrow(RangeError);
    expect(() => new PreviousCloseReference([row('A', '2020-01-02', 1, { splitCoefficient: -2 })])).toThrow(
      RangeError,
    );
  });

  it('does not deduct a distribution worth the whole share but marks the reference approximate', () => {
    const odd = new PreviousCloseReference([
      row('A', '2020-01-02', 10),
      row('A', '2020-01-03', 1, { dividendAmount: 12 }),
    ]);
    expect(odd.previousClose('A', '2020-01-03')).toMatchObject({
      previousClose: 10,
      distribution: 0,
      approximate: true,
    });
  });
});

describe('PreviousCloseReference on the real daily data (data/market/README.md)', () => {
  let history: PreviousCloseReference;
  let sp500: PreviousCloseReference;
  beforeAll(async () => {
    history = new PreviousCloseReference(await readDailyRows('lobsterSymbols'));
    sp500 = new PreviousCloseReference(await readDailyRows('sp500'));
  }, REAL_DATA_TIMEOUT_MS);

  it(
    'gives the 2012-06-20 closes for the LOBSTER day, GOOG through the GOOGL history',
    async () => {
      const [firstAapl] = await readLobsterTrades('AAPL');
      expect(history.previousCloseAt('AAPL', firstAapl?.eventTime ?? 0)).toMatchObject({
        tradingDate: '2012-06-21',
        previousClose: 585.741,
        previousCloseDate: '2012-06-20',
        sourceSymbol: 'AAPL',
        gap: false,
      });
      expect(history.previousClose('AMZN', '2012-06-21')?.previousClose).toBe(223.02);
      expect(history.previousClose('GOOG', '2012-06-21')).toMatchObject({
        sourceSymbol: 'GOOGL',
        previousClose: 577.51,
      });
    },
    REAL_DATA_TIMEOUT_MS,
  );

  it('switches GOOG from the GOOGL history to the class C history on 2014-04-03', () => {
    expect(history.previousClose('GOOG', '2014-04-02')).toMatchObject({
      sourceSymbol: 'GOOGL',
      previousClose: 1134.89,
    });
    expect(history.previousClose('GOOG', '2014-04-03')).toMatchObject({
      sourceSymbol: 'GOOG',
      previousClose: 567,
    });
  });

  it('treats the GOOGL 2014-04-03 class C distribution (a 567.9717 "dividend") as a distribution', () => {
    const ref = history.previousClose('GOOGL', '2014-04-03');
    expect(ref).toMatchObject({
      corporateAction: 'distribution',
      distribution: 567.9717,
      unadjustedPreviousClose: 1135.1,
    });
    const change = (571.5 / (ref?.previousClose ?? 0) - 1) * 100;
    expect(change).toBeCloseTo(0.771, 3); // instead of -49.65 % unadjusted
  });

  it('adjusts AAPL 2014-06-09 by exactly 7 despite the 7.00000700001 coefficient', () => {
    expect(history.previousClose('AAPL', '2014-06-09')).toMatchObject({
      splitCoefficient: 7,
      previousClose: 645.57 / 7,
      corporateAction: 'split',
    });
  });

  it('adjusts the AAPL and TSLA 2020-08-31 splits', () => {
    expect(sp500.previousClose('AAPL', '2020-08-31')).toMatchObject({
      previousClose: 499.23 / 4,
      splitCoefficient: 4,
      gap: false,
    });
    expect(sp500.previousClose('TSLA', '2020-08-31')).toMatchObject({
      previousClose: 2213.4 / 5,
      splitCoefficient: 5,
    });
  });

  it("marks spin-offs coded as fractional splits approximate (RTX, FTV, PFE) and adjusts NLOK's special dividend", () => {
    expect(sp500.previousClose('RTX', '2020-04-03')).toMatchObject({
      corporateAction: 'spin-off',
      approximate: true,
    });
    expect(sp500.previousClose('FTV', '2020-10-09')).toMatchObject({
      corporateAction: 'spin-off',
      approximate: true,
    });
    expect(sp500.previousClose('PFE', '2020-11-17')).toMatchObject({
      corporateAction: 'spin-off',
      approximate: true,
    });
    expect(sp500.previousClose('NLOK', '2020-02-03')).toMatchObject({
      previousClose: 28.42 - 12,
      approximate: false,
    });
  });

  it('skips the 2020-07-03 holiday without a gap and flags VAR, which stopped trading on 2021-04-16', () => {
    expect(sp500.previousClose('AAPL', '2020-07-06')).toMatchObject({
      previousCloseDate: '2020-07-02',
      gap: false,
    });
    expect(sp500.previousClose('VAR', '2021-04-21')).toMatchObject({
      previousCloseDate: '2021-04-16',
      gap: true,
      missingTradingDates: 2,
    });
  });
});

describe('PreviousCloseReference.adjustClose (an official close from the feed)', () => {
  const reference = new PreviousCloseReference([
    row('XYZ', '2020-01-02', 100),
    row('XYZ', '2020-01-03', 110),
    row('XYZ', '2020-01-06', 50, { splitCoefficient: 2 }),
    row('XYZ', '2020-01-07', 49, { dividendAmount: 1 }),
    row('XYZ', '2020-01-08', 40, { splitCoefficient: 1.589 }),
  ]);

  it('equals previousClose when the close is the row before the date', () => {
    expect(reference.adjustClose('XYZ', 110, '2020-01-03', '2020-01-06')).toEqual(
      reference.previousClose('XYZ', '2020-01-06'),
    );
    expect(reference.adjustClose('XYZ', 50, '2020-01-06', '2020-01-07').previousClose).toBe(49);
  });

  it('applies every action going ex after a stale close, oldest first', () => {
    // 110 on the 3rd, a 2:1 split on the 6th, a 1.00 dividend on the 7th: (110 / 2 - 1) = 54.
    expect(reference.adjustClose('XYZ', 110, '2020-01-03', '2020-01-07')).toMatchObject({
      previousClose: 54,
      previousCloseDate: '2020-01-03',
      splitCoefficient: 2,
      distribution: 1,
      corporateAction: 'split-and-distribution',
      approximate: false,
      gap: true,
      missingTradingDates: 1,
    });
  });

  it('marks a spin-off coded as a fractional split approximate, and a close without actions unadjusted', () => {
    expect(reference.adjustClose('XYZ', 49, '2020-01-07', '2020-01-08')).toMatchObject({
      corporateAction: 'spin-off',
      approximate: true,
    });
    expect(reference.adjustClose('NEW', 12.5, '2020-01-07', '2020-01-08')).toMatchObject({
      previousClose: 12.5,
      corporateAction: 'none',
      approximate: false,
    });
  });

  it('rejects a close date that is not before the trading date', () => {
    expect(() => reference.adjustClose('XYZ', 10, '2020-01-08', '2020-01-08')).toThrow(RangeError);
  });
});
