/**
 * Throughput of a consumer catching up on a backlog, judged from outside by its committed offsets
 * (Tickwire's services commit only after a record is durably handled), so a service and its raw
 * baseline are measured the same way: from the first commit (group joined, state restored, first
 * batch handled) to the commit that reaches the end of the backlog.
 */

/** Committed offsets summed over the input partitions, sampled at `atMs` (epoch ms). */
export interface CommitSample {
  readonly atMs: number;
  readonly committed: number;
}

/** Steady-state catch-up figures. */
export interface CatchUpRate {
  /** Offsets committed per second between the first progress and the end. */
  readonly offsetsPerSecond: number;
  /** Length of that window, ms. */
  readonly windowMs: number;
  /** Offsets committed inside the window. */
  readonly offsets: number;
}

/**
 * The catch-up rate from samples of the committed offset sum: the window runs from the first sample
 * above `startCommitted` to the first sample at or above `endOffset`.
 *
 * @param samples in time order
 * @param startCommitted committed sum before the consumer started (0 for a new group)
 * @param endOffset the backlog's end (sum of the partitions' end offsets, less any trailing markers)
 * @returns null when the end was not reached or the window is empty (one sample: too fast to time)
 */
export function catchUpRate(
  samples: readonly CommitSample[],
  startCommitted: number,
  endOffset: number,
): CatchUpRate | null {
  const first = samples.find((s) => s.committed > startCommitted);
  const done = samples.find((s) => s.committed >= endOffset);
  if (!first || !done || done.atMs <= first.atMs) return null;
  const offsets = done.committed - first.committed;
  const windowMs = done.atMs - first.atMs;
  return { offsetsPerSecond: (offsets / windowMs) * 1_000, windowMs, offsets };
}
