import type { Kafka } from 'kafkajs';
import type { StructuredLogger } from '../client/structured-logger';
import { type ProducerTransaction, RecordProducer } from '../producer/record-producer';

/** Raised when a transaction is asked for a task this member does not own in the current generation. */
export class TaskNotOwnedError extends Error {
  override readonly name = 'TaskNotOwnedError';
}

export interface PartitionTaskProducersOptions {
  /** Shared by every instance of the service (never a host name): `<prefix>-<groupId>-<task>`. */
  transactionalIdPrefix: string;
  groupId: string;
  logger: StructuredLogger;
  /** Transaction timeout in ms; default 60000 (see RecordProducer). */
  transactionTimeoutMs?: number;
  /**
   * Transactional producers per task (default 1): slot 0 has id `<prefix>-<groupId>-<task>`, slot s
   * > 0 `<prefix>-<groupId>-<task>-<s>`. Two slots let an owner begin (and send into) the task's
   * next transaction while the previous one commits; the owner orders their commits. A new owner
   * fences every slot. Every instance of a service must use the same count.
   */
  producersPerTask?: number;
}

/**
 * One transactional producer per owned input task (partition number p of every co-partitioned input
 * topic), with transactional id `<prefix>-<groupId>-<p>`: the exactly-once design of Kafka Streams
 * before KIP-447 ("EOS v1", one producer per task).
 *
 * Why per task and not per instance: kafkajs sends TxnOffsetCommit v0/v1, which carry no consumer
 * group generation or member id (KIP-447 added them in v3), so the broker accepts a transactional
 * offset commit for any partition from any producer. A paused instance that lost partition p in a
 * rebalance (a zombie) could therefore still commit outputs and p's offsets after p's new owner read
 * the old offsets: duplicates. With an id per task, the new owner's {@link RecordProducer.initTransactions}
 * bumps the epoch of `<prefix>-<groupId>-<p>`: the coordinator aborts the zombie's open transaction
 * and rejects everything the zombie sends under that id afterwards. An id per instance
 * (`<service>-<host>`) fences only an earlier life of the same instance, never a zombie elsewhere.
 *
 * Protocol: {@link assign} is called on every group (re)join with the tasks now owned; it closes
 * every producer and initializes a fresh one per owned task (retained tasks too: if this member was
 * out of the group meanwhile, its old producer may be fenced already). {@link ready} resolves once
 * every owned task is fenced; only then may the owner read committed offsets and changelogs, which
 * are stable from that point (nobody else can commit to them any more).
 */
export class PartitionTaskProducers {
  /** Producer of (task, slot), keyed `task * slots + slot`. */
  private producers = new Map<number, RecordProducer>();
  private owned: ReadonlySet<number> = new Set();
  private generationCount = 0;
  private initialized: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly closeHooks = new Set<() => Promise<void>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: PartitionTaskProducersOptions,
  ) {}

  /** Transactional producers per task (see PartitionTaskProducersOptions.producersPerTask). */
  get slotsPerTask(): number {
    return this.options.producersPerTask ?? 1;
  }

  /** The transactional id of `task`'s producer `slot` (0 when omitted). */
  transactionalIdOf(task: number, slot = 0): string {
    const base = `${this.options.transactionalIdPrefix}-${this.options.groupId}-${task}`;
    return slot === 0 ? base : `${base}-${slot}`;
  }

  /** Tasks owned in the current generation, ascending. */
  ownedTasks(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  /** Increments on every {@link assign}: lets owners of per-task state notice a rebalance. */
  get generation(): number {
    return this.generationCount;
  }

  /**
   * A new assignment (every group join): replaces all producers by fresh ones for `tasks`, each
   * initialized (fencing older owners) in the background; {@link ready} waits for it.
   */
  assign(tasks: readonly number[]): void {
    this.generationCount += 1;
    this.owned = new Set(tasks);
    this.replaceProducers(tasks, 'Task producers initialized (earlier owners fenced)');
  }

  /**
   * After a failed transaction whose outcome may be unknown (a commit whose answer was lost, a
   * timeout, a producer left in COMMITTING): replaces the owned tasks' producers by fresh ones with
   * the same transactional ids and initializes them, in the same generation. InitProducerId makes
   * the coordinator finish this member's own in-doubt transactions first (complete a prepared commit,
   * abort an open one), so once this resolves the committed changelog and offsets are final: a
   * restore read after it cannot miss a commit that lands later. @throws the initialization error.
   */
  async refence(): Promise<void> {
    if (this.closed) return;
    this.replaceProducers([...this.owned], 'Task producers initialized again after a failed transaction (own in-doubt transactions settled)');
    await this.initialized;
  }

  private replaceProducers(tasks: readonly number[], message: string): void {
    const generation = this.generationCount;
    const previous = this.producers;
    const slots = this.slotsPerTask;
    const next = new Map<number, RecordProducer>(
      tasks.flatMap((task) =>
        Array.from({ length: slots }, (_, slot) => [
          task * slots + slot,
          new RecordProducer(this.kafka, {
            transactionalId: this.transactionalIdOf(task, slot),
            ...(this.options.transactionTimeoutMs !== undefined
              ? { transactionTimeoutMs: this.options.transactionTimeoutMs }
              : {}),
          }),
        ] as const),
      ),
    );
    this.producers = next;
    const earlier = this.initialized;
    this.initialized = (async () => {
      await earlier.catch(() => undefined);
      await Promise.all(
        [...previous.values()].map((producer) => producer.disconnect().catch(() => undefined)),
      );
      const started = Date.now();
      await Promise.all(
        [...next.values()].map(async (producer) => {
          await producer.connect();
          await producer.initTransactions();
        }),
      );
      this.options.logger.info({ generation, tasks: [...tasks], ms: Date.now() - started }, message);
    })();
    // Failures surface to whoever awaits ready(); keep them from being unhandled meanwhile.
    this.initialized.catch(() => undefined);
  }

  /**
   * Resolves once every task of the current assignment has its initialized producer.
   * @throws the initialization error (e.g. the coordinator unreachable); the caller's batch then fails
   *   and kafkajs rejoins, which assigns (and initializes) again.
   */
  async ready(): Promise<void> {
    await this.initialized;
  }

  /**
   * Runs `work` in a transaction of `task`'s producer `slot` (default 0; see `producersPerTask`):
   * commits when it resolves, aborts when it throws. A fencing error means another member owns the
   * task now: nothing of `work` became visible. The slots' transactions are independent: an owner
   * using several orders their commits itself.
   *
   * @throws TaskNotOwnedError when `task` is not owned in the current generation (or `slot` is not
   *   one of its slots); whatever `work` or the commit throws.
   */
  async transaction<T>(task: number, work: (tx: ProducerTransaction) => Promise<T>, slot = 0): Promise<T> {
    await this.ready();
    const producer =
      Number.isInteger(slot) && slot >= 0 && slot < this.slotsPerTask
        ? this.producers.get(task * this.slotsPerTask + slot)
        : undefined;
    if (!producer || this.closed) {
      throw new TaskNotOwnedError(
        `task ${task} is not owned by this member (owned: ${this.ownedTasks().join(', ')})`,
      );
    }
    return producer.transaction(work);
  }

  /**
   * Registers work that must finish before {@link close} disconnects the producers, e.g. a handler's
   * transactions still queued when the consumer stopped (it returned before they committed). A hook
   * that throws does not stop the close. Registering the same function twice keeps one.
   */
  beforeClose(hook: () => Promise<void>): void {
    this.closeHooks.add(hook);
  }

  /**
   * Runs the {@link beforeClose} hooks (transactions still work meanwhile), then disconnects every
   * producer; later transactions throw TaskNotOwnedError. Idempotent.
   */
  async close(): Promise<void> {
    if (!this.closed) await Promise.allSettled([...this.closeHooks].map((hook) => hook()));
    this.closed = true;
    this.owned = new Set();
    await this.initialized.catch(() => undefined);
    const producers = [...this.producers.values()];
    this.producers = new Map();
    await Promise.all(producers.map((producer) => producer.disconnect().catch(() => undefined)));
  }
}
