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
  /** Outputs (customer topics, late records, dead letters), in the order they must appear. */
  records: readonly OutgoingRecord[];
  /** Symbols whose state the work changed: their changelog records are written at the commit. */
  changed?: readonly string[];
  /** Input offsets to commit with them (none for a clock advance). */
  offsets: readonly LaneOffset[];
  /** Runs once the transaction holding this work committed (metrics, symbol-state views). */
  onCommitted?: () => void;
}

/**
 * Runs `body` in one Kafka transaction of `task` on the task's transactional producer `slot`: commits
 * when `body` resolves, aborts when it throws. @throws whatever the transaction throws (fencing,
 * TaskNotOwnedError, timeouts).
 */
export type LaneTransaction = (
  task: number,
  slot: number,
  body: (tx: ProducerTransaction) => Promise<void>,
) => Promise<void>;

/** What {@link TaskTransactionLanes} needs besides the transaction port. */
export interface LaneOptions {
  /**
   * How long a task's transaction takes work (ms) from its start before it commits (Kafka Streams'
   * `commit.interval.ms`, 100 ms under exactly-once); 0 commits each send at once.
   */
  readonly commitIntervalMs: number;
  /** The consumer group the input offsets are committed for (read at each commit). */
  readonly consumerGroupId: () => string;
  /**
   * Transactional producers per task (ConsumerTasks.slotsPerTask). With 2 the task's next transaction
   * opens on the other producer and takes (and sends) work while the previous one commits; commits
   * stay in order (the next commits only after the previous committed, and fails if it failed).
   */
  readonly slots: number;
  /**
   * Ends a transaction's intake: must call `detach` synchronously at a moment when the caller's state
   * holds exactly the work enqueued so far (no round half applied), which stops the transaction from
   * taking more work and returns the symbols its works changed, and resolve with their changelog
   * records (their state at that moment), written just before the offsets and the commit.
   */
  readonly seal: (task: number, detach: () => ReadonlySet<string>) => Promise<readonly OutgoingRecord[]>;
}

/** Observations of one send of a transaction's queued outputs, for metrics. */
export interface LaneSent {
  readonly task: number;
  /** Per work in the send: from its enqueue to the start of the send, ms (waiting for the previous send or the transaction's start). */
  readonly queuedMs: readonly number[];
  /** The send itself (every chunk produced and acknowledged), ms. */
  readonly sendMs: number;
}

/** Observations of one committed transaction, for metrics. */
export interface LaneCommitted {
  readonly task: number;
  /** Records sent (outputs, dead letters, the latest changelog records). */
  readonly records: number;
  /** Whether it carried input offsets (false: a clock advance alone). */
  readonly withOffsets: boolean;
  /** From the transaction's start to the end of its commit, ms. */
  readonly openMs: number;
  /** The commit itself (waiting for the previous commit, changelog, offsets, EndTxn), ms. */
  readonly commitMs: number;
}

interface Settle {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** One transaction of a task: what it sent or will send, and when it must commit. */
interface Session {
  /** The task's producer it runs on. */
  readonly slot: number;
  /** Work enqueued and not yet sent, with when it was enqueued (performance.now() ms). */
  queued: (LaneWork & { readonly enqueuedAt: number })[];
  /** Every work of the transaction (sent or queued), in order. */
  works: LaneWork[];
  /** Symbols the works changed. */
  changed: Set<string>;
  settle: Settle[];
  /** Set once the commit is due (interval passed, or a drain): it then seals its intake. */
  closing: boolean;
  /** Wakes the send loop (new work or closing). */
  wake: (() => void) | null;
  timer: NodeJS.Timeout | null;
  /** Resolves once its last output was sent (or it failed): the next transaction may send. */
  outputsSent: Promise<void>;
  markOutputsSent: () => void;
  /** true once committed, false once failed. */
  result: Promise<boolean>;
  settleResult: (committed: boolean) => void;
}

interface Lane {
  /** The transaction taking work, if any. */
  open: Session | null;
  /** The latest transaction created (the next one orders itself after it). */
  last: Session | null;
  /** Per producer slot, its latest transaction (the next on that slot starts after it settled). */
  slotTails: Promise<void>[];
  nextSlot: number;
  running: Set<Promise<void>>;
  /** The error of a failed transaction: later work built on its uncommitted state fails with it. */
  poisoned: unknown;
}

/**
 * Per task, an open Kafka transaction that sends each round's outputs AS SOON AS they are enqueued
 * and commits on an interval, for the enricher's exactly-once loop: Kafka Streams' exactly-once
 * processing (records produced inside the task's open transaction as they are processed, and
 * `commit.interval.ms` after it began the changelog, the input offsets and the commit marker). A
 * consumer reading uncommitted data (the gateway's live path) sees an output one produce round trip
 * after it was computed; read_committed consumers (indexer, archiver, customers on Kafka) see it at
 * the commit, at most about `commitIntervalMs` plus one commit later.
 *
 * A commit (changelog produce, AddOffsetsToTxn, TxnOffsetCommit, EndTxn and kafkajs' coordinator
 * look-ups: about nine broker round trips, 60-100 ms measured under load here) would hold every
 * output of the task back while it runs. With two producer slots per task the next transaction
 * opens on the other producer as soon as the previous one sealed its intake, and sends while the
 * previous one commits. Per output partition, the previous transaction's records are all sent before
 * the next one sends; the next one writes its changelog and offsets and commits only after the
 * previous one committed (if that failed, it aborts). Each slot runs one transaction at a time.
 * Sends of a transaction go one after another (work queued meanwhile leaves in the next send).
 *
 * Processing may run ahead of the commits (the engine state then includes uncommitted rounds). If a
 * task's transaction fails, every later work of that task was built on that uncommitted state: it
 * fails with the same error without being committed, until {@link drain} and {@link reset} (the
 * owner rebuilds its state from the changelog in between).
 */
export class TaskTransactionLanes {
  private readonly lanes = new Map<number, Lane>();

  /**
   * @param run the transaction port (see {@link LaneTransaction})
   * @param hooks `failed` once per failed transaction (the error, and the task); `committed` once per
   *   committed transaction, `sent` once per send of queued outputs (both optional)
   * @throws RangeError when `options.slots` is not an integer >= 1
   */
  constructor(
    private readonly run: LaneTransaction,
    private readonly options: LaneOptions,
    private readonly hooks: {
      failed(task: number, error: unknown): void;
      committed?(observed: LaneCommitted): void;
      sent?(observed: LaneSent): void;
    },
  ) {
    if (!(Number.isInteger(options.slots) && options.slots >= 1))
      throw new RangeError(`TaskTransactionLanes: slots must be an integer >= 1, got ${options.slots}`);
  }

  /**
   * Adds `work` to `task`'s open transaction (opening one when none is): its records are sent at once
   * (after the task's send in flight). The returned promise resolves once that transaction committed,
   * and rejects with its error (or the lane's earlier failure) otherwise.
   */
  enqueue(task: number, work: LaneWork): Promise<void> {
    const lane = this.lane(task);
    const session = lane.open ?? this.open(task, lane);
    const committed = new Promise<void>((resolve, reject) => session.settle.push({ resolve, reject }));
    // Callers may attach their handler a few microtasks later (or, for clock advances, never):
    // failures are reported through hooks.failed as well.
    committed.catch(() => undefined);
    session.queued.push({ ...work, enqueuedAt: performance.now() });
    // Kept until the commit without its records (released once sent: the transaction stays open).
    session.works.push({ records: [], offsets: work.offsets, ...(work.onCommitted ? { onCommitted: work.onCommitted } : {}) });
    for (const symbol of work.changed ?? []) session.changed.add(symbol);
    session.wake?.();
    return committed;
  }

  /** Transactions taking work or committing, over all tasks. */
  get outstanding(): number {
    let count = 0;
    for (const lane of this.lanes.values()) count += lane.running.size;
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
        running.push(...lane.running);
      }
      if (running.length === 0) return;
      await Promise.allSettled(running);
    }
  }

  /** After a state rebuild: forgets failures, so new work commits again. Call after {@link drain}. */
  reset(): void {
    for (const lane of this.lanes.values()) {
      lane.poisoned = undefined;
      // The next transaction starts a new chain: it must not wait on (or fail with) a failed one.
      lane.last = null;
    }
  }

  private lane(task: number): Lane {
    let lane = this.lanes.get(task);
    if (!lane) {
      lane = { open: null, last: null, slotTails: [], nextSlot: 0, running: new Set(), poisoned: undefined };
      this.lanes.set(task, lane);
    }
    return lane;
  }

  /** Opens `task`'s next transaction on the next slot and schedules it. */
  private open(task: number, lane: Lane): Session {
    let markOutputsSent!: () => void;
    let settleResult!: (committed: boolean) => void;
    const session: Session = {
      slot: lane.nextSlot,
      queued: [],
      works: [],
      changed: new Set(),
      settle: [],
      closing: false,
      wake: null,
      timer: null,
      outputsSent: new Promise<void>((resolve) => (markOutputsSent = resolve)),
      markOutputsSent: () => markOutputsSent(),
      result: new Promise<boolean>((resolve) => (settleResult = resolve)),
      settleResult: (committed) => settleResult(committed),
    };
    lane.nextSlot = (lane.nextSlot + 1) % this.options.slots;
    const previous = lane.last;
    lane.open = session;
    lane.last = session;
    const slotFree = lane.slotTails[session.slot] ?? Promise.resolve();
    const running = Promise.all([slotFree, previous?.outputsSent]).then(() =>
      this.transaction(task, lane, session, previous),
    );
    lane.slotTails[session.slot] = running;
    lane.running.add(running);
    void running.finally(() => lane.running.delete(running));
    return session;
  }

  private close(session: Session): void {
    session.closing = true;
    if (session.timer) clearTimeout(session.timer);
    session.timer = null;
    session.wake?.();
  }

  /**
   * One transaction of `task`: sends work as it comes until the commit is due, seals its intake,
   * then (after the previous transaction committed) changelog, offsets and commit. Settles every work
   * of the session; never rejects.
   */
  private async transaction(task: number, lane: Lane, session: Session, previous: Session | null): Promise<void> {
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
      await this.run(task, session.slot, async (tx) => {
        const sendQueued = async (): Promise<boolean> => {
          const works = session.queued.splice(0);
          if (works.length === 0) return false;
          const records = works.flatMap((work) => work.records);
          const sendStarted = performance.now();
          for (const chunk of sendChunks(records)) await tx.sendBatch(chunk);
          sent += records.length;
          this.hooks.sent?.({
            task,
            queuedMs: works.map((work) => sendStarted - work.enqueuedAt),
            sendMs: performance.now() - sendStarted,
          });
          return true;
        };
        for (;;) {
          if (await sendQueued()) continue;
          if (session.closing) break;
          await new Promise<void>((resolve) => (session.wake = resolve));
          session.wake = null;
        }
        // No work joins this transaction any more: the next enqueue opens the next one.
        const changelog = await this.options.seal(task, () => {
          if (lane.open === session) lane.open = null;
          return session.changed;
        });
        while (await sendQueued());
        session.markOutputsSent();
        commitStarted = Date.now();
        if (previous !== null && !(await previous.result))
          throw lane.poisoned ?? new Error(`the previous transaction of task ${task} failed`);
        const latest = latestChangelogRecords(changelog, changelog[0]?.topic ?? '');
        for (const chunk of sendChunks(latest)) await tx.sendBatch(chunk);
        sent += latest.length;
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
      session.markOutputsSent();
      lane.poisoned ??= error;
      session.settleResult(false);
      this.hooks.failed(task, error);
      for (const { reject } of session.settle) reject(error);
      return;
    }
    session.settleResult(true);
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
