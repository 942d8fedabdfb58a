import { median, percentile, SampleBuffer, summariseLatencies } from './latency-summary';

describe('percentile (nearest rank)', () => {
  const hundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  it('returns the smallest observed value with p% at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 99.9)).toBe(100);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0.5)).toBe(1);
  });

  it('p99.9 of 1,000 samples is the 999th', () => {
    const thousand = Float64Array.from({ length: 1_000 }, (_, i) => i);
    expect(percentile(thousand, 99.9)).toBe(998);
  });

  it('rejects no samples and percentiles outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summariseLatencies', () => {
  it('sorts a copy and reports count, p50, p99, p99.9 and max', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(summariseLatencies(samples)).toEqual({ count: 5, p50: 3, p99: 5, p999: 5, max: 5 });
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });

  it('is null without samples', () => {
    expect(summariseLatencies([])).toBeNull();
  });
});

describe('median', () => {
  it('takes the middle of an odd count and the mean of the middle two of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('SampleBuffer', () => {
  it('grows past its initial capacity and keeps every sample in order', () => {
    const buffer = new SampleBuffer();
    for (let i = 0; i < 5_000; i += 1) buffer.push(i / 2);
    expect(buffer.length).toBe(5_000);
    const values = buffer.toArray();
    expect(values[0]).toBe(0);
    expect(values[4_999]).toBe(2_499.5);
  });
});
