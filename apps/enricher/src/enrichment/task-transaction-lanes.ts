import type { OutgoingRecord, ProducerTransaction } from '@tickwire/kafka';
import { latestChangelogRecords, sendChunks } from './transaction-records';

/** An input position to commit with a transaction: `offset` is the NEXT offset to read (last + 1). */
export interface LaneOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** What one processed round (or clock advance) of a task adds to the task's open transaction. */
export interface LaneWork {
  /** Outputs and changelog records, in the order they must appear. */
  records: readonly OutgoingRecord[];
  /** Input offsets to commit with them (none for a clock advance). */
  offsets: readonly LaneOffset[];
  /** Runs once the transaction holding this work committed (metrics, symbol-state views). */
  onCommitted?: () => void;
}

/**
 * Runs `body` in one Kafka transaction of `task` (on the task's own transactional producer): commits
 * when `body` resolves, aborts when it throws. @throws whatever the transaction throws (fencing,
 * TaskNotOwnedError, timeouts).
 */
export type LaneTransaction = (task: number, body: (tx: ProducerTransaction) => Promise<void>) => Promise<void>;

/** What {@link TaskTransactionLanes} needs besides the transaction port. */
export interface LaneOptions {
  /**
   * How long a task's transaction stays open (ms) from its first work before it commits (Kafka
   * Streams' `commit.interval.ms`, 100 ms under exactly-once); 0 commits each send at once.
   */
  readonly commitIntervalMs: number;
  /** The consumer group the input offsets are committed for (read at each commit). */
  readonly consumerGroupId: () => string;
  /**
   * The state changelog topic: its records are held until the commit and only the latest per key
   * is sent (a symbol changed by many rounds of one transaction writes one snapshot). Every other
   * record is sent as soon as its work is enqueued.
   */
  readonly changelogTopic: string;
}

/** Observations of one committed transaction, for metrics. */
export interface LaneCommitted {
  readonly task: number;
  /** Records sent (outputs, dead letters, the latest changelog records). */
  readonly records: number;
  /** Whether it carried input offsets (false: a clock advance alone). */
  readonly withOffsets: boolean;
  /** From the transaction's first send to the end of its commit, ms. */
  readonly openMs: number;
  /** The commit itself (changelog, offsets, EndTxn), ms. */
  readonly commitMs: number;
}

interface Settle {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** One open transaction of a task: what it sent or will send, and when it must commit. */
interface Session {
  /** Work enqueued and not yet sent. */
  queued: LaneWork[];
  /** Every work of the transaction (sent or queued), in order. */
  works: LaneWork[];
  settle: Settle[];
  /** Set once the commit is due (interval passed, or a drain): no work joins after the last send. */
  closing: boolean;
  /** Wakes the send loop (new work or closing). */
  wake: (() => void) | null;
  timer: NodeJS.Timeout | null;
}

interface Lane {
  /** The transaction accepting work (open, not yet committing), if any. */
  open: Session | null;
  /** The task's running transaction (open or committing); the next one starts after it settles. */
  running: Promise<void> | null;
  /** The error of a failed transaction: later work built on its uncommitted state fails with it. */
  poisoned: unknown;
}

/**
 * Per task, one open Kafka transaction that sends each round's outputs AS SOON AS they are enqueued
 * and commits on an interval, for the enricher's exactly-once loop. This is Kafka Streams'
 * exactly-once processing: records are produced inside the task's open transaction as they are
 * processed, and `commit.interval.ms` after the transaction began its input offsets (TxnOffsetCommit),
 * its changelog and its commit marker (EndTxn) are written. A consumer reading uncommitted data (the
 * gateway's live path) sees an output one produce round trip after it was computed; read_committed
 * consumers (indexer, archiver, customers on Kafka) see it at the commit, at most about
 * `commitIntervalMs` plus one commit later.
 *
 * Sends of a task go one after another (work queued meanwhile leaves in the next send), the tasks'
 * transactions run concurrently (one transactional producer per task), each task's strictly one after
 * another: work enqueued while a transaction commits opens the next one. Processing may run ahead of
 * the commits (the engine state then includes uncommitted rounds). If a task's transaction fails,
 * every later work of that task was built on that uncommitted state: it fails with the same error
 * without being sent, until {@link drain} and {@link reset} (the owner rebuilds its state from the
 * changelog in between).
 */
export class TaskTransactionLanes {
  private readonly lanes = new Map<number, Lane>();

  /**
   * @param run the transaction port (see {@link LaneTransaction})
   * @param hooks `failed` once per failed transaction (the error, and the task); `committed` once per
   *   committed transaction (optional)
   */
  constructor(
    private readonly run: LaneTransaction,
    private readonly options: LaneOptions,
    private readonly hooks: {
      failed(task: number, error: unknown): void;
      committed?(observed: LaneCommitted): void;
    },
  ) {}

  /**
   * Adds `work` to `task`'s open transaction (opening one when none is): its non-changelog records
   * are sent at once (after the task's send in flight). The returned promise resolves once that
   * transaction committed, and rejects with its error (or the lane's earlier failure) otherwise.
   */
  enqueue(task: number, work: LaneWork): Promise<void> {
    const lane = this.lane(task);
    let session = lane.open;
    if (session === null) {
      session = { queued: [], works: [], settle: [], closing: false, wake: null, timer: null };
      lane.open = session;
      const previous = lane.running ?? Promise.resolve();
      const opened = session;
      const running = previous.then(() => this.transaction(task, lane, opened));
      lane.running = running;
      void running.finally(() => {
        if (lane.running === running) lane.running = null;
      });
    }
    const committed = new Promise<void>((resolve, reject) => session.settle.push({ resolve, reject }));
    // Callers may attach their handler a few microtasks later (or, for clock advances, never):
    // failures are reported through hooks.failed as well.
    committed.catch(() => undefined);
    session.queued.push(work);
    session.works.push(work);
    session.wake?.();
    return committed;
  }

  /** Transactions open or committing, over all tasks. */
  get outstanding(): number {
    let count = 0;
    for (const lane of this.lanes.values()) count += lane.running ? 1 : 0;
    return count;
  }

  /**
   * Commits every open transaction now (not waiting for its interval) and resolves once every
   * transaction has settled, committed or failed. Never rejects.
   */
  async drain(): Promise<void> {
    for (;;) {
      const running: Promise<void>[] = [];
      for (const lane of this.lanes.values()) {
        if (lane.open) this.close(lane.open);
        if (lane.running) running.push(lane.running);
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
      lane = { open: null, running: null, poisoned: undefined };
      this.lanes.set(task, lane);
    }
    return lane;
  }

  private close(session: Session): void {
    session.closing = true;
    if (session.timer) clearTimeout(session.timer);
    session.timer = null;
    session.wake?.();
  }

  /** One transaction of `task`: the send loop, then the commit; settles every work of the session. */
  private async transaction(task: number, lane: Lane, session: Session): Promise<void> {
    const started = Date.now();
    let sent = 0;
    let commitStarted = started;
    try {
      if (lane.poisoned !== undefined) throw lane.poisoned;
      if (this.options.commitIntervalMs === 0) session.closing = true;
      if (!session.closing) {
        const timer = setTimeout(() => this.close(session), this.options.commitIntervalMs);
        timer.unref();
        session.timer = timer;
      }
      await this.run(task, async (tx) => {
        for (;;) {
          const works = session.queued.splice(0);
          if (works.length > 0) {
            const records = works
              .flatMap((work) => work.records)
              .filter((record) => record.topic !== this.options.changelogTopic);
            for (const chunk of sendChunks(records)) await tx.sendBatch(chunk);
            sent += records.length;
            continue;
          }
          if (session.closing) break;
          await new Promise<void>((resolve) => (session.wake = resolve));
          session.wake = null;
        }
        // No work joins this transaction any more: the next enqueue opens the next one.
        if (lane.open === session) lane.open = null;
        commitStarted = Date.now();
        const changelog = latestChangelogRecords(
          session.works.flatMap((work) => work.records).filter((r) => r.topic === this.options.changelogTopic),
          this.options.changelogTopic,
        );
        for (const chunk of sendChunks(changelog)) await tx.sendBatch(chunk);
        sent += changelog.length;
        // Several rounds of one partition in a transaction: the latest position (processing order) wins.
        const offsets = new Map<string, LaneOffset>();
        for (const offset of session.works.flatMap((work) => work.offsets))
          offsets.set(`${offset.topic}:${offset.partition}`, offset);
        if (offsets.size > 0)
          await tx.sendOffsets({ consumerGroupId: this.options.consumerGroupId(), offsets: [...offsets.values()] });
      });
    } catch (error) {
      if (lane.open === session) lane.open = null;
      this.close(session);
      lane.poisoned ??= error;
      this.hooks.failed(task, error);
      for (const { reject } of session.settle) reject(error);
      return;
    }
    const ended = Date.now();
    this.hooks.committed?.({
      task,
      records: sent,
      withOffsets: session.works.some((work) => work.offsets.length > 0),
      openMs: ended - started,
      commitMs: ended - commitStarted,
    });
    for (const work of session.works) work.onCommitted?.();
    for (const { resolve } of session.settle) resolve();
  }
}
