/**
 * Timestamp synchronisation of one task's co-partitioned inputs, after Kafka Streams
 * (apache/kafka `streams/.../processor/internals/PartitionGroup.java`, KIP-353 and KIP-695): one
 * record queue per input partition, and the next record processed is always the head with the
 * smallest timestamp, so a task's outputs follow event time across its inputs instead of the order in
 * which fetches happened to return them. Pure (no Kafka client, no clock of its own): the caller adds
 * what it fetched and asks for the next record with the current wall-clock time.
 *
 * Waiting rules, when a **blocking** input (by default every input) has nothing buffered:
 * - it is **lagging** (its last fetch ended before the partition's high watermark, or the broker
 *   said more was appended): wait for its fetch, without a deadline: the records are on the broker;
 * - it is **caught up** (or was never fetched): the smallest head waits until `maxTaskIdleMs` after
 *   it arrived (`max.task.idle.ms`), then the caller asks the broker for the idle inputs' end
 *   offsets ({@link next} returns `check`, the caller answers with {@link confirm}); only inputs the
 *   broker confirms caught up after that wait let it go: "enforced processing", reported in
 *   `idleInputs` so the caller counts it. A record that arrives later with an earlier timestamp than
 *   what was processed is the caller's late data.
 *
 * Unlike Kafka Streams, the wait counts from each record's own arrival, not from when the other input
 * became empty, and needs the broker's word after it: one producer's single request (for example a
 * trade and a quote of the same millisecond on two topics) is appended partition after partition, so
 * a fetch can see one topic's part before the other's. Kafka Streams' rule lets everything go once
 * an input has been idle for `max.task.idle.ms`, and the part appended a moment later then arrives
 * late; measured with ingest-producer, that made 1,713 of the LOBSTER day's trades late under
 * `npm run chaos`. The price is latency: while an input is quiet, each new record of the others waits
 * `maxTaskIdleMs` and one end-offset look-up, unless the caller can prove the head needs no wait (next
 * paragraph). Non-blocking inputs (`blocking` option) never hold the
 * others back when empty (a daily-bar input is quiet all session), but their records still wait their
 * turn by timestamp.
 *
 * **Complete heads** (`isComplete` option): a head that the caller knows to have nothing missing
 * before it (e.g. a record whose producer-side predecessor of the same key has already been added:
 * see @tickwire/contracts SEQUENCE_HEADERS) is taken as soon as it is the smallest head, even while
 * blocking inputs are empty, caught up or lagging: no wait, no `check`, empty `idleInputs` (reason
 * `complete`). What an empty input brings later can then be older than it only for other keys, so
 * the order stays event time per key, not across keys. A head that is not complete waits as above.
 *
 * Records leave their queue in offset order (only heads compete), and stay retained after they are
 * taken until {@link committed} drops them, so a failed transaction can {@link rewind} the task to
 * its committed positions without fetching again.
 *
 * @typeParam T the buffered value (e.g. a parsed event), ordered by the `compare` option
 */
export class PartitionGroup<T> {
  private readonly queues = new Map<string, InputQueue<T>>();
  private readonly blocking: ReadonlySet<string>;

  /**
   * @param inputs the task's input partitions (e.g. topic names), in tie-break order: on equal
   *   timestamps (`compare` returns 0) the earlier input goes first
   * @param options `maxTaskIdleMs` (>= 0, ms); `compare` orders two values by event time (negative
   *   when `a` comes first); `isUntimed` marks values without an event time (e.g. records that failed
   *   their contract, bound for the dead-letter topic), taken as soon as they reach their queue's
   *   head; `isComplete` marks values known to have nothing missing before them, taken without
   *   waiting for empty inputs (see the class doc); `blocking` names the inputs whose emptiness holds
   *   the others back (default: all)
   * @throws RangeError when `inputs` is empty, `maxTaskIdleMs` is negative or `blocking` names an
   *   unknown input
   */
  constructor(
    inputs: readonly string[],
    private readonly options: {
      readonly maxTaskIdleMs: number;
      readonly compare: (a: T, b: T) => number;
      readonly isUntimed?: (value: T) => boolean;
      readonly isComplete?: (value: T) => boolean;
      readonly blocking?: readonly string[];
    },
  ) {
    if (inputs.length === 0) throw new RangeError('PartitionGroup: at least one input');
    if (!(options.maxTaskIdleMs >= 0)) throw new RangeError('PartitionGroup: maxTaskIdleMs must be >= 0');
    for (const input of inputs)
      this.queues.set(input, { entries: [], head: 0, nextFetch: null, lagging: false, confirmedAt: null });
    this.blocking = new Set(options.blocking ?? inputs);
    for (const input of this.blocking)
      if (!this.queues.has(input))
        throw new RangeError(`PartitionGroup: blocking input ${input} is not an input`);
  }

  /**
   * Appends one fetched batch of `input`, in offset order, arrived at wall-clock time `now` (epoch ms).
   * Records below the input's next expected offset (a batch delivered again) are skipped. `end`
   * describes where the fetch stopped: `nextOffset` is the next offset to fetch (last offset + 1,
   * counting trailing transaction markers) and `caughtUp` whether it reached the partition's high
   * watermark.
   *
   * @returns the number of records appended
   * @throws Error naming the input when it is not one of the group's inputs
   */
  add(
    input: string,
    records: readonly BufferedRecord<T>[],
    end: { readonly nextOffset: string; readonly caughtUp: boolean },
    now: number,
  ): number {
    const queue = this.queueOf(input);
    let added = 0;
    for (const record of records) {
      if (queue.nextFetch !== null && BigInt(record.offset) < queue.nextFetch) continue;
      queue.entries.push({ ...record, arrivedAt: now });
      added += 1;
    }
    const next = BigInt(end.nextOffset);
    if (queue.nextFetch === null || next > queue.nextFetch) queue.nextFetch = next;
    queue.lagging = !end.caughtUp;
    return added;
  }

  /**
   * The next record to process at wall-clock time `now` (epoch ms), how long to wait, or which idle
   * inputs to check with the broker first (see the class doc). A wait's `until` is the wall-clock
   * time from which {@link next} may go on without new input, or null when only new input can
   * unblock the task.
   */
  next(now: number): NextRecord<T> {
    let best: { input: string; queue: InputQueue<T>; entry: QueuedRecord<T> } | null = null;
    let lagging = false;
    const idle: string[] = [];
    for (const [input, queue] of this.queues) {
      const entry = queue.entries[queue.head];
      if (entry === undefined) {
        if (!this.blocking.has(input)) continue;
        idle.push(input);
        lagging ||= queue.lagging;
        continue;
      }
      if (this.options.isUntimed?.(entry.value) === true) return this.take(input, queue, NONE, 'untimed');
      if (best === null || this.options.compare(entry.value, best.entry.value) < 0)
        best = { input, queue, entry };
    }
    if (best === null) return { kind: 'wait', until: null };
    if (idle.length === 0) return this.take(best.input, best.queue, NONE, 'ready');
    if (this.options.isComplete?.(best.entry.value) === true)
      return this.take(best.input, best.queue, NONE, 'complete');
    if (lagging) return { kind: 'wait', until: null };
    const due = best.entry.arrivedAt + this.options.maxTaskIdleMs;
    if (now < due) return { kind: 'wait', until: due };
    const unconfirmed = idle.filter(
      (input) => (this.queueOf(input).confirmedAt ?? Number.NEGATIVE_INFINITY) < due,
    );
    if (unconfirmed.length > 0) return { kind: 'check', inputs: unconfirmed };
    return this.take(best.input, best.queue, idle, 'enforced');
  }

  /**
   * The answer to a `check` of {@link next}: the broker's end offset of `input`'s partition (the
   * next offset it would append, decimal string) asked at wall-clock time `now`, and the offset from
   * which the consumer fetches it when nothing was fetched yet (the group's committed offset, or the
   * log start). An end beyond that position makes the input lagging (wait for its fetch); otherwise it
   * is confirmed caught up as of `now`.
   */
  confirm(input: string, endOffset: string, startOffset: string, now: number): void {
    const queue = this.queueOf(input);
    const position = queue.nextFetch ?? BigInt(startOffset);
    if (BigInt(endOffset) > position) queue.lagging = true;
    else queue.confirmedAt = now;
  }

  /** The next offset expected from the consumer for `input` (decimal string), or null before its first fetch. */
  nextFetchOf(input: string): string | null {
    const next = this.queueOf(input).nextFetch;
    return next === null ? null : next.toString();
  }

  /**
   * The position to commit for `input`: the offset after the last record taken (decimal string),
   * or undefined when nothing was taken since the last {@link committed} of it.
   */
  processedPosition(input: string): string | undefined {
    const queue = this.queueOf(input);
    const last = queue.entries[queue.head - 1];
    return last === undefined ? undefined : (BigInt(last.offset) + 1n).toString();
  }

  /** Forgets the taken records of `input` below `nextOffset`: their transaction committed. */
  committed(input: string, nextOffset: string): void {
    const queue = this.queueOf(input);
    const next = BigInt(nextOffset);
    let drop = 0;
    while (drop < queue.head && BigInt((queue.entries[drop] as QueuedRecord<T>).offset) < next) drop += 1;
    if (drop === 0) return;
    queue.entries.splice(0, drop);
    queue.head -= drop;
  }

  /**
   * Puts every taken but uncommitted record back in front of its queue (after a failed transaction,
   * once the state was rebuilt to the committed positions).
   */
  rewind(): void {
    for (const queue of this.queues.values()) queue.head = 0;
  }

  /** Drops everything (a new group generation: the consumer fetches from the committed offsets again). */
  clear(): void {
    for (const queue of this.queues.values()) {
      queue.entries = [];
      queue.head = 0;
      queue.nextFetch = null;
      queue.lagging = false;
      queue.confirmedAt = null;
    }
  }

  /** Records of `input` not yet taken. */
  buffered(input: string): number {
    const queue = this.queueOf(input);
    return queue.entries.length - queue.head;
  }

  /** Records of every input not yet taken. */
  get bufferedTotal(): number {
    let total = 0;
    for (const queue of this.queues.values()) total += queue.entries.length - queue.head;
    return total;
  }

  /** Records of every input taken but not yet {@link committed}. */
  get uncommittedTotal(): number {
    let total = 0;
    for (const queue of this.queues.values()) total += queue.head;
    return total;
  }

  private take(
    input: string,
    queue: InputQueue<T>,
    idleInputs: readonly string[],
    reason: TakeReason,
  ): NextRecord<T> {
    const record = queue.entries[queue.head] as QueuedRecord<T>;
    queue.head += 1;
    return { kind: 'record', input, record, idleInputs, reason };
  }

  private queueOf(input: string): InputQueue<T> {
    const queue = this.queues.get(input);
    if (!queue) throw new Error(`PartitionGroup: ${input} is not an input of this group`);
    return queue;
  }
}

/** One buffered input record: its offset (decimal string) and the value the group orders. */
export interface BufferedRecord<T> {
  readonly offset: string;
  readonly value: T;
}

/**
 * What {@link PartitionGroup.next} decided: a record, a wait (`until`: epoch ms, null = until new
 * input), or a `check`: ask the broker for the end offsets of `inputs` and {@link PartitionGroup.confirm}
 * them before the others are processed without them. A record's `idleInputs` is empty unless it was
 * taken by enforced processing: then it names the caught-up blocking inputs that were empty (a later
 * record of one of them may be older than this one). Its `reason` says why it went: see {@link TakeReason}.
 */
export type NextRecord<T> =
  | { readonly kind: 'check'; readonly inputs: readonly string[] }
  | {
      readonly kind: 'record';
      readonly input: string;
      readonly record: BufferedRecord<T>;
      readonly idleInputs: readonly string[];
      readonly reason: TakeReason;
    }
  | { readonly kind: 'wait'; readonly until: number | null };

/**
 * Why {@link PartitionGroup.next} took a record: `ready` (every blocking input had a head), `complete`
 * (blocking inputs were empty, but the head was complete: `isComplete`), `enforced` (they were empty
 * and confirmed caught up after the wait), `untimed` (`isUntimed`: taken at its queue's head at once).
 */
export type TakeReason = 'ready' | 'complete' | 'enforced' | 'untimed';

const NONE: readonly string[] = Object.freeze([]);

interface QueuedRecord<T> extends BufferedRecord<T> {
  /** Wall-clock ms the record was added (its fetch arrived). */
  readonly arrivedAt: number;
}

interface InputQueue<T> {
  entries: QueuedRecord<T>[];
  /** Index of the first record not yet taken; entries before it await their commit. */
  head: number;
  /** Next offset expected from the consumer (null before the first fetch). */
  nextFetch: bigint | null;
  /** The latest fetch ended below the high watermark, or the broker said more was appended: wait for it. */
  lagging: boolean;
  /** Wall-clock ms of the latest end-offset check that found it caught up (null: none yet). */
  confirmedAt: number | null;
}
