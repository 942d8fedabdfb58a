import pRetry from 'p-retry';

/** Where a batch's input position is committed: `offset` is the NEXT offset to read (last + 1). */
export interface OffsetCommitPort {
  commit(topic: string, partition: number, offset: string): Promise<void>;
}

/** What {@link PipelinedCommits} reports (logs and metrics in the service, a recorder in tests). */
export interface PipelinedCommitsObserver {
  /** A batch's handling failed and is tried again after `delayMs` (attempt 1 = the first retry). */
  batchRetry(topic: string, partition: number, attempt: number, delayMs: number, error: unknown): void;
  /** `records` records of `topic` were handled and their offsets committed. */
  committed(topic: string, records: number): void;
  /** A commit failed (e.g. the partition was reassigned meanwhile); the next owner reads it again. */
  commitFailed(topic: string, partition: number, error: unknown): void;
}

export interface PipelinedCommitsOptions {
  /** Batches taken over but not committed yet, over all partitions, before {@link admit} waits. */
  maxPendingBatches: number;
  /** First retry delay of a failed batch, ms (then x2 per attempt). */
  retryMinMs: number;
  /** Cap of one retry delay, ms. */
  retryMaxMs: number;
  /** Aborts retrying (shutdown): the batch and every later one of its partition stay uncommitted. */
  signal?: AbortSignal;
}

interface PartitionChain {
  /** Settles when every batch of this partition tracked so far was handled and committed (or gave up). */
  tail: Promise<void>;
  /** A batch gave up (shutdown): no later batch of the partition may commit past its records. */
  broken: boolean;
}

/**
 * Pipelined at-least-once commits for a sink (the indexer): the consumer hands over a batch and moves
 * on to the next fetch at once, while the batch is written; its offset is committed only after it,
 * and every earlier batch of its partition, were handled. So Kafka fetching and parsing overlap the
 * sink's round trips (the indexer's CPU profile was 53-62% idle waiting for `_bulk` with one batch at
 * a time, `npm run bench -- --cpu-prof`), and nothing is committed ahead of what is durable.
 *
 * - Order: per topic-partition, commits follow the fetch order (a chain of promises).
 * - Failure: a batch whose handling throws is handled again, same records, after `retryMinMs` x2 up
 *   to `retryMaxMs` (p-retry), until it succeeds or `signal` aborts; later batches of its partition wait (not committed)
 *   and, once {@link admit} has no room, fetching waits too. Redelivery is idempotent for the indexer
 *   (deterministic `_id`, `index`).
 * - Rebalance: {@link reset} after a group join; batches of the old generation still running finish
 *   but commit nothing (the group resumes at the committed offsets, so they are delivered again).
 */
export class PipelinedCommits {
  private readonly chains = new Map<string, PartitionChain>();
  private generation = 0;
  /** One promise per tracked batch until it committed or gave up (also of generations before reset()). */
  private readonly steps = new Set<Promise<void>>();
  private readonly roomWaiters: (() => void)[] = [];

  constructor(
    private readonly port: OffsetCommitPort,
    private readonly observer: PipelinedCommitsObserver,
    private readonly options: PipelinedCommitsOptions,
  ) {
    for (const name of ['maxPendingBatches', 'retryMinMs', 'retryMaxMs'] as const) {
      const value = options[name];
      if (!Number.isInteger(value) || value <= 0)
        throw new RangeError(`PipelinedCommits: ${name} must be a positive integer, got ${value}`);
    }
  }

  /** Batches taken over and not yet committed (or given up), over all partitions. */
  get pendingBatches(): number {
    return this.steps.size;
  }

  /**
   * Resolves once there is room for one more batch (fewer than `maxPendingBatches` pending). While it
   * waits, `whileWaiting` runs about every `intervalMs` (the consumer's heartbeat).
   */
  async admit(whileWaiting: () => Promise<void> = async () => undefined, intervalMs = 3_000): Promise<void> {
    while (this.steps.size >= this.options.maxPendingBatches) {
      let release!: () => void;
      const room = new Promise<void>((resolve) => (release = resolve));
      this.roomWaiters.push(release);
      const timer = setTimeout(() => {
        // Timed out (heartbeat due): leave the queue, so the next freed slot wakes a live waiter.
        const index = this.roomWaiters.indexOf(release);
        if (index >= 0) this.roomWaiters.splice(index, 1);
        release();
      }, intervalMs);
      await room;
      clearTimeout(timer);
      if (this.steps.size >= this.options.maxPendingBatches) await whileWaiting();
    }
  }

  /**
   * Tracks one taken-over batch of `topic`/`partition` whose records end at `lastOffset` (inclusive):
   * `handle` runs now (and again on failure); once it and every earlier batch of the partition
   * succeeded, `lastOffset + 1` is committed. Never throws; see the class doc for failures.
   */
  track(topic: string, partition: number, lastOffset: string, records: number, handle: () => Promise<void>): void {
    const key = `${topic}:${partition}`;
    const chain = this.chains.get(key) ?? { tail: Promise.resolve(), broken: false };
    this.chains.set(key, chain);
    const generation = this.generation;
    const handled = this.untilHandled(topic, partition, handle);
    const step: Promise<void> = chain.tail
      .then(() => handled)
      .then(async (ok) => {
        if (!ok) chain.broken = true;
        if (chain.broken || generation !== this.generation) return;
        try {
          await this.port.commit(topic, partition, (BigInt(lastOffset) + 1n).toString());
          this.observer.committed(topic, records);
        } catch (error) {
          this.observer.commitFailed(topic, partition, error);
        }
      })
      .finally(() => {
        this.steps.delete(step);
        this.roomWaiters.shift()?.();
      });
    this.steps.add(step);
    chain.tail = step;
  }

  /** After a group join: what is still running commits nothing (it is delivered again). */
  reset(): void {
    this.generation += 1;
    this.chains.clear();
  }

  /** Resolves once every tracked batch was committed or gave up. Never rejects. */
  async drain(): Promise<void> {
    while (this.steps.size > 0) await Promise.allSettled([...this.steps]);
  }

  /** Runs `handle` until it succeeds (true) or the signal aborts (false), with p-retry's backoff. */
  private async untilHandled(topic: string, partition: number, handle: () => Promise<void>): Promise<boolean> {
    const { signal, retryMinMs, retryMaxMs } = this.options;
    if (signal?.aborted) return false;
    try {
      await pRetry(handle, {
        retries: Number.POSITIVE_INFINITY,
        factor: 2,
        minTimeout: retryMinMs,
        maxTimeout: retryMaxMs,
        randomize: false,
        ...(signal ? { signal } : {}),
        onFailedAttempt: ({ error, attemptNumber }) =>
          this.observer.batchRetry(topic, partition, attemptNumber, Math.min(retryMaxMs, retryMinMs * 2 ** (attemptNumber - 1)), error),
      });
      return true;
    } catch {
      // Only an abort ends the retries (shutdown): the batch stays uncommitted and is delivered again.
      return false;
    }
  }
}
