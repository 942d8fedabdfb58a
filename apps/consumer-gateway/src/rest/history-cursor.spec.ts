import { CURSOR_PATTERN, decodeCursor, encodeCursor } from './history-cursor';

describe('history cursor', () => {
  it('round-trips the point in time and the sort values, in url-safe text matching its pattern', () => {
    const cursor = {
      pitId: 'o463QQEPbWFya2V0LWJhcnMtMW0tMjAxMi4wNi4yMRZ+/=',
      searchAfter: [1_340_285_400_000, 'AAPL:1340285340000'] as [number, string],
    };
    const text = encodeCursor(cursor);
    expect(text).toMatch(CURSOR_PATTERN);
    expect(encodeURIComponent(text)).toBe(text);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it.each(['', 'not-a-cursor', '1.abc', '1.abc.de.f', '-1.abc.def', '1.a+c.def'])('refuses %j', (text) => {
    expect(decodeCursor(text)).toBeNull();
  });
});
