import { ALPACA_ERRORS, alpacaErrorHandling, epochNsToRfc3339, rfc3339ToEpochNs } from './alpaca-protocol';

describe('rfc3339ToEpochNs', () => {
  it('keeps nanoseconds exactly', () => {
    expect(rfc3339ToEpochNs('2012-06-21T13:30:00.275016159Z')).toBe('1340285400275016159');
    expect(rfc3339ToEpochNs('2021-02-22T15:51:44.208Z')).toBe('1614009104208000000');
    expect(rfc3339ToEpochNs('2021-02-22T15:51:44Z')).toBe('1614009104000000000');
  });

  it('applies offsets', () => {
    expect(rfc3339ToEpochNs('2012-06-21T09:30:00.5-04:00')).toBe('1340285400500000000');
    expect(rfc3339ToEpochNs('2012-06-21T15:30:00+02:00')).toBe(rfc3339ToEpochNs('2012-06-21T13:30:00Z'));
  });

  it('handles the epoch itself', () => {
    expect(rfc3339ToEpochNs('1970-01-01T00:00:00.000000123Z')).toBe('123');
  });

  it.each(['', '2021-02-22 15:51:44Z', '2021-02-22T15:51:44', '2021-02-30T00:00:00Z', '2021-02-22T24:00:00Z', '2016-12-31T23:59:60Z', '2021-02-22T15:51:44.1234567890Z', '1969-12-31T23:59:59Z', 1614009104])(
    'rejects %j',
    (text) => {
      expect(() => rfc3339ToEpochNs(text as string)).toThrow(RangeError);
    },
  );

  it('round-trips with epochNsToRfc3339', () => {
    expect(epochNsToRfc3339('1340285400275016159')).toBe('2012-06-21T13:30:00.275016159Z');
    expect(rfc3339ToEpochNs(epochNsToRfc3339('1340308799913117637'))).toBe('1340308799913117637');
    expect(() => epochNsToRfc3339('1.5')).toThrow(RangeError);
  });
});

describe('ALPACA_ERRORS', () => {
  it('covers every documented code 400-411 and 500', () => {
    expect(Object.keys(ALPACA_ERRORS).map(Number)).toEqual([400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 500]);
  });

  it('treats credentials and entitlement errors as fatal, transient ones as reconnect', () => {
    expect([402, 404, 405, 409, 410, 411].map(alpacaErrorHandling)).toEqual(Array(6).fill('fatal'));
    expect([401, 406, 407, 500, 599].map(alpacaErrorHandling)).toEqual(Array(5).fill('reconnect'));
    expect(alpacaErrorHandling(403)).toBe('ignore');
  });
});
