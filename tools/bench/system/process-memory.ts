import { readFileSync } from 'node:fs';

/**
 * Peak resident set size ("high water mark", `VmHWM`) of a process from `/proc/<pid>/status`, in MiB.
 * The kernel keeps the maximum for the process's whole life, so one read before it stops gives its peak.
 *
 * @returns null when the process is gone or the field is missing (not Linux).
 */
export function peakRssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    return parseVmHwmMiB(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/** `VmHWM` of a `/proc/<pid>/status` text (`VmHWM:	  123456 kB`) in MiB; null when absent. */
export function parseVmHwmMiB(status: string): number | null {
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) / 1024 : null;
}
