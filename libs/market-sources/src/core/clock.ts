import { setTimeout as delay } from 'node:timers/promises';

/**
 * A monotonic clock for pacing and timeouts: `now()` never goes backwards (NTP steps or a manual
 * wall-clock change do not make a replay stall or burst). Injected so tests can drive time.
 */
export interface MonotonicClock {
  /** Milliseconds since an arbitrary origin, fractional, non-decreasing. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds (immediately for `ms <= 0`).
   * @throws the signal's reason (an `AbortError`) when `signal` aborts first.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The process's monotonic clock: `performance.now()` and timer-based sleeps. */
export const systemMonotonicClock: MonotonicClock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    if (ms <= 0) {
      signal?.throwIfAborted();
      return;
    }
    await delay(ms, undefined, { signal });
  },
};

/** Wall clock for envelope `ingestTime`: epoch ms UTC, integer. */
export type WallClock = () => number;

/** `Date.now`. */
export const systemWallClock: WallClock = () => Date.now();

/** True for the error an aborted `sleep`/stream raises. */
export function isAbortError(error: unknown): boolean {
  // Duck-typed: errors raised by Node internals may come from another realm (Jest's vm contexts), so `instanceof Error` fails.
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'AbortError' || code === 'ABORT_ERR';
}
