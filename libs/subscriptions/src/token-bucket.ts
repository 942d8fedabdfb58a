/**
 * Token bucket rate limiter (Turner, "New directions in communications", 1986; the algorithm behind
 * AWS API throttling): holds up to `capacity` tokens, refilled continuously at `refillPerSecond`; each
 * allowed action takes one. A burst of `capacity` is allowed, then `refillPerSecond` sustained.
 * Time comes from `now` (epoch ms) so tests control it.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  /**
   * @param capacity burst size, >= 1.
   * @param refillPerSecond sustained rate, tokens per second, > 0.
   * @throws RangeError on a capacity < 1 or a rate <= 0.
   */
  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`capacity must be >= 1, got ${capacity}`);
    if (!(refillPerSecond > 0)) throw new RangeError(`refillPerSecond must be > 0, got ${refillPerSecond}`);
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Takes a token if one is available; false when the action must be refused. */
  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.refillPerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Token buckets per key (e.g. per client address for auth attempts), forgetting keys idle long enough
 * to be full again, so the map stays bounded by the number of recently active keys.
 */
export class KeyedTokenBuckets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; lastUsed: number }>();
  private lastEviction = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token from `key`'s bucket; false when refused. */
  tryTake(key: string): boolean {
    const now = this.now();
    this.evictIdle(now);
    let entry = this.buckets.get(key);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.capacity, this.refillPerSecond, this.now), lastUsed: now };
      this.buckets.set(key, entry);
    }
    entry.lastUsed = now;
    return entry.bucket.tryTake();
  }

  /** Number of keys tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private evictIdle(now: number): void {
    // A scan at most once a second keeps the cost per call O(1) amortised under many keys.
    if (now - this.lastEviction < 1000) return;
    this.lastEviction = now;
    const fullAfterMs = (this.capacity / this.refillPerSecond) * 1000;
    for (const [key, entry] of this.buckets) {
      if (now - entry.lastUsed >= fullAfterMs) this.buckets.delete(key);
    }
  }
}
