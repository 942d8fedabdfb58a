/** A measured input rate (events/s) and its p99 latency (ms; null when nothing was delivered). */
export interface RatePoint {
  readonly rate: number;
  readonly p99: number | null;
}

/**
 * The next input rate to try when searching for the highest rate whose p99 stays under `targetMs`:
 * the midpoint (rounded to 500 events/s) between the highest passing and the lowest failing rate
 * measured; half the lowest rate when none passed. A rate where nothing was delivered fails.
 *
 * @returns null when every rate passed (the highest is a lower bound), or the bracket is already
 *   narrower than max(1,000 events/s, 10% of the passing rate).
 */
export function nextProbeRate(points: readonly RatePoint[], targetMs: number): number | null {
  const passes = (p: RatePoint): boolean => p.p99 !== null && p.p99 < targetMs;
  const passing = points.filter(passes).map((p) => p.rate);
  const failing = points.filter((p) => !passes(p)).map((p) => p.rate);
  if (failing.length === 0) return null;
  if (passing.length === 0) {
    const half = Math.round(Math.min(...failing) / 2 / 500) * 500;
    return half >= 500 && half < Math.min(...failing) ? half : null;
  }
  const lo = Math.max(...passing);
  const above = failing.filter((r) => r > lo);
  if (above.length === 0) return null;
  const hi = Math.min(...above);
  if (hi - lo <= Math.max(1_000, lo * 0.1)) return null;
  const mid = Math.round((lo + hi) / 2 / 500) * 500;
  return mid > lo && mid < hi ? mid : null;
}
