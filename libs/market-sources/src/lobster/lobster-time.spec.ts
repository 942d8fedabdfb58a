import { epochNsToEpochMs } from '@tickwire/contracts';
import { LOBSTER_SAMPLE_MIDNIGHT_EPOCH_SECONDS, lobsterPriceToUsd, lobsterTimeToEpochNs, newYorkMidnightEpochSeconds, parseLobsterTime } from './lobster-time';

describe('lobsterTimeToEpochNs', () => {
  it('converts the first AAPL trade time exactly (README reference 34200.275016159)', () => {
    expect(lobsterTimeToEpochNs('34200.275016159')).toBe('1340285400275016159');
    expect(epochNsToEpochMs(lobsterTimeToEpochNs('34200.275016159'))).toBe(1340285400275);
  });

  it('keeps the digits a double would lose (57599.913117637 parses as ...636999)', () => {
    expect(lobsterTimeToEpochNs('57599.913117637')).toBe('1340308799913117637');
  });

  it('right-pads fractions with dropped trailing zeros and accepts whole seconds', () => {
    expect(lobsterTimeToEpochNs('34200.0175')).toBe('1340285400017500000');
    expect(lobsterTimeToEpochNs('57600')).toBe('1340308800000000000');
    expect(lobsterTimeToEpochNs('0.000000001')).toBe('1340251200000000001');
  });

  it('uses the given midnight', () => {
    expect(lobsterTimeToEpochNs('1.5', 1_000)).toBe('1001500000000');
  });

  it.each(['', '34200.', '.5', '34200.1234567890', '-1', '3.4e4', '34200,1', ' 34200', '86400'])('rejects %j', (time) => {
    expect(() => lobsterTimeToEpochNs(time)).toThrow(RangeError);
  });
});

describe('parseLobsterTime', () => {
  it.each(['34200.275016159', '34200.0005', '34200.000499999', '34200.000500001', '57599.9995', '57599.999999999', '34200', '0.0000005'])(
    'ms equals the contracts rounding of the ns for %s',
    (time) => {
      const { epochNs, epochMs } = parseLobsterTime(time);
      expect(epochNs).toBe(lobsterTimeToEpochNs(time));
      expect(epochMs).toBe(epochNsToEpochMs(epochNs));
    },
  );
});

describe('newYorkMidnightEpochSeconds', () => {
  it('is 04:00Z in summer (EDT) and 05:00Z in winter (EST)', () => {
    expect(newYorkMidnightEpochSeconds('2012-06-21')).toBe(LOBSTER_SAMPLE_MIDNIGHT_EPOCH_SECONDS);
    expect(newYorkMidnightEpochSeconds('2012-01-03')).toBe(Date.UTC(2012, 0, 3, 5) / 1000);
  });
});

describe('lobsterPriceToUsd', () => {
  it('divides by 10,000', () => {
    expect(lobsterPriceToUsd('5857400')).toBe(585.74);
    expect(lobsterPriceToUsd('5776350')).toBe(577.635);
  });

  it('is NaN for non-integers', () => {
    expect(lobsterPriceToUsd('585.74')).toBeNaN();
    expect(lobsterPriceToUsd('')).toBeNaN();
  });
});
