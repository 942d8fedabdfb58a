import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** How {@link stopChildProcess} ended a process. */
export interface ChildStopOutcome {
  /** Exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  /** The signal that ended it (e.g. `SIGKILL` after the grace period), or null. */
  readonly signal: NodeJS.Signals | null;
  /** Time from SIGTERM to exit, ms (0 when it had exited already). */
  readonly exitMs: number;
  /** True when it outlived the grace period and was sent SIGKILL. */
  readonly killed: boolean;
}

/**
 * Graceful stop of a service process a test started: SIGTERM, wait for the exit, SIGKILL after
 * `graceMs` (default 15 s; services exit within 10 s of SIGTERM after finishing in-flight work).
 *
 * Why tests must not end their services with SIGKILL: a killed transactional producer (the enricher)
 * leaves its open transaction on the shared topics (`market.enriched.v1`, ...) until the broker
 * aborts it after the transaction timeout (60 s) — and until then every read_committed consumer of
 * those partitions, in any concurrent test, stops at the transaction's first offset (the last stable
 * offset). A SIGTERM lets the service finish or abort its transaction first.
 *
 * @returns how it ended; a process that had exited already is reported as it ended.
 */
export async function stopChildProcess(child: ChildProcess, graceMs = 15_000): Promise<ChildStopOutcome> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return { exitCode: child.exitCode, signal: child.signalCode, exitMs: 0, killed: false };
  }
  const started = Date.now();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = new AbortController();
  const inTime = await Promise.race([
    exited.then(() => true),
    sleep(graceMs, false, { signal: timer.signal }).catch(() => false),
  ]);
  timer.abort();
  if (!inTime) {
    child.kill('SIGKILL');
    await exited;
  }
  return {
    exitCode: child.exitCode,
    signal: child.signalCode,
    exitMs: Date.now() - started,
    killed: !inTime,
  };
}
