import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (Chrome DevTools format, as written by `--cpu-prof`) used here. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples: readonly number[];
  /** Microseconds between consecutive samples. */
  readonly timeDeltas: readonly number[];
}

/** Self time of one function over a profile. */
export interface Hotspot {
  /** `functionName (file:line)`, the file relative to node_modules or the repository where possible. */
  readonly frame: string;
  readonly selfMs: number;
  /** Share of all sampled time, 0..1 (idle and GC included in the total). */
  readonly share: number;
}

function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const url = frame.url.replace(/^file:\/\//, '');
  const at = url.lastIndexOf('node_modules/');
  const short =
    at >= 0 ? url.slice(at + 'node_modules/'.length) : url.replace(/^.*?\/(apps|libs|tools)\//, '$1/');
  return `${name} (${short}:${frame.lineNumber + 1})`;
}

/**
 * The functions with the most self time ("bottom-up" view): each sample's time delta is charged to the
 * node that was on top of the stack, then summed per function and file line.
 *
 * @param top how many to return (default 10)
 */
export function topSelfTime(profile: CpuProfile, top = 10): Hotspot[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, frameName(node.callFrame)]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((nodeId, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    totalUs += delta;
    const frame = byNode.get(nodeId) ?? '(unknown)';
    selfUs.set(frame, (selfUs.get(frame) ?? 0) + delta);
  });
  return [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ frame, selfMs: us / 1_000, share: totalUs > 0 ? us / totalUs : 0 }));
}

/** Reads a `.cpuprofile` file. @throws Error when it is not JSON. */
export function readCpuProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}
