import { KeyedTokenBuckets, TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst of capacity, then the refill rate', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 2, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    now = 499;
    expect(bucket.tryTake()).toBe(false);
    now = 500; // 2 tokens/s -> one token after 500 ms
    expect(bucket.tryTake()).toBe(true);
    now = 60_000; // never more than capacity
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
  });

  it('refuses nonsense parameters', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0)).toThrow(RangeError);
  });
});

describe('KeyedTokenBuckets', () => {
  it('limits each key separately and forgets idle keys', () => {
    let now = 0;
    const buckets = new KeyedTokenBuckets(1, 1, () => now);
    expect(buckets.tryTake('10.0.0.1')).toBe(true);
    expect(buckets.tryTake('10.0.0.1')).toBe(false);
    expect(buckets.tryTake('10.0.0.2')).toBe(true);
    expect(buckets.size).toBe(2);
    now = 5_000;
    expect(buckets.tryTake('10.0.0.3')).toBe(true);
    expect(buckets.size).toBe(1);
  });
});
