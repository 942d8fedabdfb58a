import { extractNumber, extractString, isSampled } from './subscriber-protocol';

describe('isSampled', () => {
  it('keeps ids whose last hex digit divides by the divisor', () => {
    expect(isSampled('ab12', 1)).toBe(true);
    expect(isSampled('ab10', 16)).toBe(true);
    expect(isSampled('ab1f', 16)).toBe(false);
    expect(isSampled('ab14', 4)).toBe(true);
    expect(isSampled('ab16', 4)).toBe(false);
    expect(isSampled('abzz', 2)).toBe(false);
  });

  it('keeps about 1/divisor of random hex ids', () => {
    const ids = Array.from({ length: 16_000 }, (_, i) => (i * 2_654_435_761).toString(16));
    const kept = ids.filter((id) => isSampled(id, 4)).length;
    expect(kept).toBeGreaterThan(3_000);
    expect(kept).toBeLessThan(5_000);
  });
});

describe('extractString / extractNumber', () => {
  const frame =
    '{"type":"enriched","symbol":"AAPL","eventTime":1340308800120,"id":"2a9aff","data":{"id":"inner","sourceEventId":"77ab","ingestTime":5}}';
  const envelope =
    '{"schema":"market.enriched.v1","id":"2a9aff","eventTime":1340308800120,"ingestTime":1763750000123,"source":"synthetic"}';

  it('reads the first (top-level) id, or a named field', () => {
    expect(extractString(frame)).toBe('2a9aff');
    expect(extractString(frame, 'sourceEventId')).toBe('77ab');
    expect(extractString('{"type":"pong"}')).toBeNull();
  });

  it('reads a top-level number', () => {
    expect(extractNumber(envelope, 'ingestTime')).toBe(1_763_750_000_123);
    expect(extractNumber(envelope, 'missing')).toBeNull();
  });
});
