import { median, type LatencySummary } from '../stats/latency-summary';

/** A figure measured once per round; the reported value is the median of the rounds. */
export interface RoundFigures {
  /** Median of `rounds`; null when no round produced a figure. */
  readonly median: number | null;
  /** One figure per round, in round order (a failed round is left out). */
  readonly rounds: readonly number[];
}

/** One row of the results: a stage (or a baseline of it) with its throughput, latency and memory. */
export interface BenchRow {
  /** Stable identifier, e.g. `enricher.eos`, used by the targets. */
  readonly id: string;
  /** What was measured, e.g. `enricher (exactly-once)`. */
  readonly stage: string;
  /** Throughput unit: `events/s`, `docs/s`, `MB/s`, `msgs/s`. */
  readonly unit: string;
  readonly throughput: RoundFigures;
  /** The baseline measured in the same rounds on the same servers, when the stage has one. */
  readonly baseline?: { readonly name: string; readonly throughput: RoundFigures };
  /** Median over rounds of (stage / baseline) of the same round. */
  readonly ratio?: number | null;
  /** End-to-end or delivery latency, ms (the last round's samples). */
  readonly latency?: LatencySummary | null;
  /** The latency's p99 divided by Kafka's EndToEndLatency p99 of the same run (the floor of one hop). */
  readonly latencyMultiple?: number;
  /** Peak resident set (VmHWM) of the service under test, MiB (maximum over rounds). */
  readonly peakRssMiB?: number | null;
  /**
   * The setting that tells rows of one stage apart, as the services' environment variables (e.g. the
   * end-to-end rows' `{ ENRICHER_MAX_TASK_IDLE_MS: '0' }`); absent on stages measured one way only.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Conditions of the measurement (input rate, subscribers, records) and anything notable. */
  readonly note?: string;
}

/** Whether a target of the issue was met, with the figure it was judged on. */
export interface TargetOutcome {
  readonly target: string;
  readonly figure: string;
  /** null when the figure could not be measured. */
  readonly met: boolean | null;
}

/** The machine a run measured (for the README: figures only compare on the same machine). */
export interface MachineInfo {
  readonly uname: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kafka: string;
  readonly loadAverageAtStart: readonly number[];
}

/** Everything `npm run bench` writes to bench/results/<date>.json. */
export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly profile: 'quick' | 'full';
  readonly rounds: number;
  readonly machine: MachineInfo;
  readonly rows: readonly BenchRow[];
  readonly targets: readonly TargetOutcome[];
  readonly notes: readonly string[];
}

/** Median and per-round list of figures (nulls from failed rounds dropped). */
export function roundFigures(values: readonly (number | null | undefined)[]): RoundFigures {
  const rounds = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return { median: rounds.length ? median(rounds) : null, rounds };
}

/**
 * The ratio of a stage to its baseline: the median over rounds of stage / baseline of the same round,
 * so a round slowed by a neighbour slows both sides of its own ratio and not the others.
 *
 * @returns null when no round has both figures (or the baseline is 0).
 */
export function pairedRatio(
  stage: readonly (number | null)[],
  baseline: readonly (number | null)[],
): number | null {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(stage.length, baseline.length); i += 1) {
    const s = stage[i];
    const b = baseline[i];
    if (typeof s === 'number' && typeof b === 'number' && b > 0) ratios.push(s / b);
  }
  return ratios.length ? median(ratios) : null;
}
