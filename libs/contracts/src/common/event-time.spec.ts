import { epochNsToEpochMs, isConsistentEventTime, sessionCloseEpochMs } from './event-time';

describe('epochNsToEpochMs', () => {
  it('matches the LOBSTER recipe epoch_ms = 1340251200000 + round(time * 1000)', () => {
    // First AAPL trade, 34200.275016159 s after midnight ET on 2012-06-21.
    expect(epochNsToEpochMs('1340285400275016159')).toBe(1340251200000 + Math.round(34200.275016159 * 1000));
    // Last AAPL trade, 57599.913117637 s.
    expect(epochNsToEpochMs('1340308799913117637')).toBe(1340251200000 + Math.round(57599.913117637 * 1000));
  });

  it('rounds half up', () => {
    expect(epochNsToEpochMs('1340285400275500000')).toBe(1340285400276);
    expect(epochNsToEpochMs('1340285400275499999')).toBe(1340285400275);
    expect(isConsistentEventTime(1340285400276, '1340285400275500000')).toBe(true);
    expect(isConsistentEventTime(1340285400275, '1340285400275500000')).toBe(false);
  });

  it('rejects non-decimal input', () => {
    expect(() => epochNsToEpochMs('1.5e18')).toThrow(SyntaxError);
    expect(() => epochNsToEpochMs('-1')).toThrow(SyntaxError);
  });
});

describe('sessionCloseEpochMs', () => {
  it('is 16:00 New York: 20:00Z in EDT, 21:00Z in EST', () => {
    expect(new Date(sessionCloseEpochMs('2012-06-20')).toISOString()).toBe('2012-06-20T20:00:00.000Z');
    expect(new Date(sessionCloseEpochMs('2020-01-02')).toISOString()).toBe('2020-01-02T21:00:00.000Z');
  });

  it('follows the DST switches (2020-03-08 spring forward, 2020-11-01 fall back)', () => {
    expect(new Date(sessionCloseEpochMs('2020-03-06')).toISOString()).toBe('2020-03-06T21:00:00.000Z');
    expect(new Date(sessionCloseEpochMs('2020-03-09')).toISOString()).toBe('2020-03-09T20:00:00.000Z');
    expect(new Date(sessionCloseEpochMs('2020-10-30')).toISOString()).toBe('2020-10-30T20:00:00.000Z');
    expect(new Date(sessionCloseEpochMs('2020-11-02')).toISOString()).toBe('2020-11-02T21:00:00.000Z');
  });

  it('rejects malformed dates', () => {
    expect(() => sessionCloseEpochMs('2012-6-20')).toThrow(RangeError);
  });
});
