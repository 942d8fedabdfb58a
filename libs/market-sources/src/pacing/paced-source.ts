import { AbortableSource } from '../core/abortable-source';
import { systemMonotonicClock, type MonotonicClock } from '../core/clock';
import type { MarketDataSource, SourceRecord } from '../core/source-record';
import { formatPacing, type Pacing } from './pacing';

/** Options of {@link PacedSource}. */
export interface PacedSourceOptions {
  /** Clock used to schedule; default `performance.now()` with timer sleeps. */
  readonly clock?: MonotonicClock;
  /**
   * Sleep only when at least this far ahead of schedule, in ms (default 1): shorter timers are not
   * honoured by Node, and batching the records of one millisecond keeps throughput at high speeds.
   */
  readonly minSleepMs?: number;
  /** Clock of the `ingestTime` stamped on each event as it is released, epoch ms UTC; default `Date.now`. */
  readonly wallClock?: () => number;
}

/**
 * Wraps any source and emits its records on the schedule of their event times: the first event is
 * emitted at once and anchors the schedule; an event with event time `t` is emitted at
 * `start + (t - t0) / speed` on the monotonic clock (`t` = envelope `eventTime`, epoch ms). The target is
 * computed from the anchor for every record, so sleep overshoot never accumulates into drift.
 * Records behind schedule (a slow consumer, or an out-of-order event time) go at once; rejected records
 * have no event time and pass through immediately. `max` pacing passes everything through unchanged.
 *
 * A paced event's envelope `ingestTime` is stamped when the event is released (`wallClock`), not kept
 * from the wrapped source: sources stamp it when they generate or read a block of records (the
 * synthetic source, 256 at a time), which is up to a block's worth of pacing (256 ms at 1,000
 * events/s) before the record leaves; ingestTime means when the record left the source. The event id
 * does not cover ingestTime, so it is unchanged.
 *
 * `close()` interrupts a pending sleep and closes the wrapped source.
 */
export class PacedSource extends AbortableSource {
  readonly name: string;
  private readonly clock: MonotonicClock;
  private readonly minSleepMs: number;
  private readonly wallClock: () => number;

  constructor(
    private readonly inner: MarketDataSource,
    private readonly pacing: Pacing,
    options: PacedSourceOptions = {},
  ) {
    super();
    if (pacing.mode === 'scaled' && !(Number.isFinite(pacing.speed) && pacing.speed > 0)) {
      throw new RangeError(`pacing speed must be a finite number > 0, got ${pacing.speed}`);
    }
    this.name = `${inner.name}@${formatPacing(pacing)}`;
    this.clock = options.clock ?? systemMonotonicClock;
    this.minSleepMs = options.minSleepMs ?? 1;
    this.wallClock = options.wallClock ?? Date.now;
  }

  protected override async onClose(): Promise<void> {
    await this.inner.close();
  }

  protected async *generateBatches(signal: AbortSignal): AsyncGenerator<SourceRecord[]> {
    const iterator = this.inner[Symbol.asyncIterator]();
    try {
      if (this.pacing.mode === 'max') {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield [next.value];
        return;
      }
      const speed = this.pacing.speed;
      let anchor: { eventTime: number; at: number } | undefined;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const record = next.value;
        if (record.kind === 'event') {
          const eventTime = record.event.eventTime;
          if (anchor === undefined) {
            anchor = { eventTime, at: this.clock.now() };
          } else {
            const due = anchor.at + (eventTime - anchor.eventTime) / speed;
            const wait = due - this.clock.now();
            if (wait >= this.minSleepMs) await this.clock.sleep(wait, signal);
          }
          yield [{ ...record, event: { ...record.event, ingestTime: this.wallClock() } }];
          continue;
        }
        yield [record];
      }
    } finally {
      await iterator.return?.();
    }
  }
}

/** Wraps `source` in a {@link PacedSource} unless the pacing is `max`, where the source is returned as it is. */
export function pace(source: MarketDataSource, pacing: Pacing, options: PacedSourceOptions = {}): MarketDataSource {
  return pacing.mode === 'max' ? source : new PacedSource(source, pacing, options);
}
