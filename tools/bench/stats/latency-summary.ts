/**
 * Latency statistics of one measurement: nearest-rank percentiles over every recorded sample (no
 * sampling, no histogram buckets), so p99.9 of 100,000 samples is the 99,900th smallest value.
 */

/** p50 / p99 / p99.9 / max of a set of latencies, in milliseconds. */
export interface LatencySummary {
  /** Number of samples. */
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/**
 * The `p`-th percentile of ascending `sorted` values by the nearest-rank method (Hyndman & Fan 1996,
 * definition 1): the smallest value with at least p% of the samples at or below it, so the result is
 * always an observed value.
 *
 * @param sorted samples in ascending order (not checked)
 * @param p percentile in (0, 100]
 * @throws RangeError when `sorted` is empty or `p` is outside (0, 100].
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  // Rounded first: 99.9 / 100 * 1000 is 999.0000000000001 in binary floating point.
  const rank = Math.ceil(Number(((p / 100) * sorted.length).toFixed(9)));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

/**
 * Summarises latency samples (ms). The input is not modified.
 *
 * @returns null when there are no samples.
 */
export function summariseLatencies(samples: ArrayLike<number>): LatencySummary | null {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted[sorted.length - 1] as number,
  };
}

/**
 * The median of `values` (mean of the two middle values for an even count): the figure reported
 * for a stage measured over several rounds, robust to one round disturbed by a noisy neighbour.
 *
 * @throws RangeError when `values` is empty.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * A growable buffer of float samples (latencies in ms) that avoids a JS array of millions of boxed
 * numbers: doubles its typed array when full.
 */
export class SampleBuffer {
  private values = new Float64Array(1_024);
  private size = 0;

  /** Appends one sample. */
  push(value: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = value;
  }

  /** Number of samples. */
  get length(): number {
    return this.size;
  }

  /** A copy of the samples recorded so far. */
  toArray(): Float64Array {
    return this.values.slice(0, this.size);
  }
}
