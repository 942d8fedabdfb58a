/**
 * How fast a replay emits: `max` (as fast as the consumer pulls) or event time scaled by `speed`
 * (`speed: 1` = realtime: one second of event time takes one second; `speed: 10` = ten times faster).
 */
export type Pacing = { readonly mode: 'max' } | { readonly mode: 'scaled'; readonly speed: number };

/** `max` pacing. */
export const MAX_PACING: Pacing = { mode: 'max' };
/** Realtime pacing (speed 1). */
export const REALTIME_PACING: Pacing = { mode: 'scaled', speed: 1 };

/**
 * Parses a pacing spec as used in configuration: `realtime`, `max`, or a speed multiple `x10`, `x100`,
 * `x0.5` (also `10x`).
 * @throws RangeError for anything else, or a speed that is not a finite number > 0.
 */
export function parsePacing(spec: string): Pacing {
  const text = spec.trim().toLowerCase();
  if (text === 'max') return MAX_PACING;
  if (text === 'realtime') return REALTIME_PACING;
  const match = /^x(\d+(?:\.\d+)?)$|^(\d+(?:\.\d+)?)x$/.exec(text);
  const speed = match ? Number(match[1] ?? match[2]) : Number.NaN;
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new RangeError(`pacing must be "realtime", "max" or a speed multiple like "x10", got ${JSON.stringify(spec)}`);
  }
  return { mode: 'scaled', speed };
}

/** The spec string of a pacing (inverse of {@link parsePacing}). */
export function formatPacing(pacing: Pacing): string {
  if (pacing.mode === 'max') return 'max';
  return pacing.speed === 1 ? 'realtime' : `x${pacing.speed}`;
}
