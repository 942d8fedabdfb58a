import type { ScheduledFault } from './chaos-profile';

/**
 * Hands out a profile's faults in order as the replay progresses: a fault is due once `published`
 * reaches its fraction of `expectedTotal`, or as soon as the replay has completed (faults that could
 * not run in time, because earlier recoveries took long, still run, on a quiet pipeline).
 */
export class FaultSchedule {
  private nextIndex = 0;

  /**
   * @param faults in ascending `atFraction` (each in [0, 1])
   * @param expectedTotal raw records the replay will publish (> 0)
   * @throws RangeError when the fractions are out of order or range, or expectedTotal <= 0
   */
  constructor(
    private readonly faults: readonly ScheduledFault[],
    private readonly expectedTotal: number,
  ) {
    if (!(expectedTotal > 0)) throw new RangeError(`expectedTotal must be > 0, got ${expectedTotal}`);
    let previous = 0;
    for (const { atFraction } of faults) {
      if (!(atFraction >= previous && atFraction <= 1)) {
        throw new RangeError(`fault fractions must ascend within [0, 1], got ${atFraction} after ${previous}`);
      }
      previous = atFraction;
    }
  }

  /** Record count at which fault `index` is due. */
  thresholdOf(index: number): number {
    const fault = this.faults[index];
    if (!fault) throw new RangeError(`no fault ${index}`);
    return Math.ceil(fault.atFraction * this.expectedTotal);
  }

  /** The next fault when it is due at this progress (and advances), else undefined. */
  takeDue(published: number, replayCompleted: boolean): ScheduledFault | undefined {
    const fault = this.faults[this.nextIndex];
    if (!fault) return undefined;
    if (!replayCompleted && published < this.thresholdOf(this.nextIndex)) return undefined;
    this.nextIndex += 1;
    return fault;
  }

  /** Faults not handed out yet. */
  get remaining(): number {
    return this.faults.length - this.nextIndex;
  }
}
