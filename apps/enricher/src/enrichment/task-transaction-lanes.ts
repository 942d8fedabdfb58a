import type { OutgoingRecord } from '@tickwire/kafka';

/** An input position to commit with a transaction: `offset` is the NEXT offset to read (last + 1). */
export interface LaneOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** What one processed batch (or clock advance) of a task adds to the task's next transaction. */
export interface LaneWork {
  /** Outputs and changelog records, in the order they must appear. */
  records: readonly OutgoingRecord[];
  /** Input offsets to commit with them (none for a clock advance). */
  offsets: readonly LaneOffset[];
  /** Runs once the transaction holding this work committed (metrics, symbol-state views). */
  onCommitted?: () => void;
}

/**
 * Runs one Kafka transaction of `task` holding `records` and the input `offsets` (on the task's own
 * transactional producer); resolves once committed. @throws when the transaction aborted or failed.
 */
export type LaneTransaction = (
  task: number,
  records: readonly OutgoingRecord[],
  offsets: readonly LaneOffset[],
) => Promise<void>;

interface Group {
  work: LaneWork[];
  settle: { resolve: () => void; reject: (error: unknown) => void }[];
}

interface Lane {
  inFlight: Promise<void> | null;
  pending: Group | null;
  /** Batches of this task queued for processing: while > 0 the pending group waits for them. */
  held: number;
  /** The error of a failed transaction: later groups built on its uncommitted state fail with it. */
  poisoned: unknown;
}

/**
 * Group commit per task for the enricher's exactly-once loop: the tasks' transactions run
 * concurrently (one transactional producer per task), each task's strictly one after another, and
 * the work of every batch that finished processing while its task's previous transaction was in
 * flight (or that is still queued behind it, see {@link hold}) goes into ONE next transaction, with
 * all their input offsets. This is the commit-interval batching of Kafka Streams' exactly-once mode
 * (`commit.interval.ms`), driven by load instead of a timer: an idle task commits at once, a busy one
 * amortizes the transaction's round trips (AddPartitionsToTxn, Produce, AddOffsetsToTxn,
 * TxnOffsetCommit, EndTxn) over more records.
 *
 * Processing may run ahead of the commits (the engine state then includes uncommitted batches). If a
 * task's transaction fails, every later group of that task was built on that uncommitted state: it
 * fails with the same error without being sent, until {@link drain} and {@link reset} (the owner
 * rebuilds its state from the changelog in between).
 */
export class TaskTransactionLanes {
  private readonly lanes = new Map<number, Lane>();

  constructor(
    private readonly run: LaneTransaction,
    private readonly hooks: { failed(task: number, error: unknown): void },
  ) {}

  /** A batch of `task` is queued for processing: its task's pending group waits for it. */
  hold(task: number): void {
    this.lane(task).held += 1;
  }

  /** The batch announced by {@link hold} was processed (enqueued or failed). */
  release(task: number): void {
    const lane = this.lane(task);
    lane.held = Math.max(0, lane.held - 1);
    this.startIfDue(task, false);
  }

  /**
   * Adds `work` to `task`'s next transaction. The returned promise resolves once that transaction
   * committed, and rejects with its error (or the lane's earlier failure) otherwise.
   */
  enqueue(task: number, work: LaneWork): Promise<void> {
    const lane = this.lane(task);
    lane.pending ??= { work: [], settle: [] };
    const group = lane.pending;
    const committed = new Promise<void>((resolve, reject) => group.settle.push({ resolve, reject }));
    // Callers may attach their handler a few microtasks later (or, for clock advances, never):
    // failures are reported through hooks.failed as well.
    committed.catch(() => undefined);
    group.work.push(work);
    this.startIfDue(task, false);
    return committed;
  }

  /** Transactions running or waiting, over all tasks. */
  get outstanding(): number {
    let count = 0;
    for (const lane of this.lanes.values()) count += (lane.inFlight ? 1 : 0) + (lane.pending ? 1 : 0);
    return count;
  }

  /**
   * Starts every pending group now (not waiting for queued batches) and resolves once every
   * transaction has settled, committed or failed. Never rejects.
   */
  async drain(): Promise<void> {
    for (;;) {
      const running: Promise<void>[] = [];
      for (const [task, lane] of this.lanes) {
        this.startIfDue(task, true);
        if (lane.inFlight) running.push(lane.inFlight);
      }
      if (running.length === 0) return;
      await Promise.allSettled(running);
    }
  }

  /** After a state rebuild: forgets failures, so new work commits again. Call after {@link drain}. */
  reset(): void {
    for (const lane of this.lanes.values()) lane.poisoned = undefined;
  }

  private lane(task: number): Lane {
    let lane = this.lanes.get(task);
    if (!lane) {
      lane = { inFlight: null, pending: null, held: 0, poisoned: undefined };
      this.lanes.set(task, lane);
    }
    return lane;
  }

  private startIfDue(task: number, force: boolean): void {
    const lane = this.lane(task);
    const group = lane.pending;
    if (!group || lane.inFlight || (lane.held > 0 && !force)) return;
    lane.pending = null;
    lane.inFlight = this.commit(task, lane, group).finally(() => {
      lane.inFlight = null;
      this.startIfDue(task, false);
    });
  }

  private async commit(task: number, lane: Lane, group: Group): Promise<void> {
    try {
      if (lane.poisoned !== undefined) throw lane.poisoned;
      // Several batches of one partition in a group: the latest position (processing order) wins.
      const offsets = new Map<string, LaneOffset>();
      for (const offset of group.work.flatMap((work) => work.offsets))
        offsets.set(`${offset.topic}:${offset.partition}`, offset);
      await this.run(
        task,
        group.work.flatMap((work) => work.records),
        [...offsets.values()],
      );
    } catch (error) {
      lane.poisoned ??= error;
      this.hooks.failed(task, error);
      for (const { reject } of group.settle) reject(error);
      return;
    }
    for (const work of group.work) work.onCommitted?.();
    for (const { resolve } of group.settle) resolve();
  }
}
