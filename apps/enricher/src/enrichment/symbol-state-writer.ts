import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SymbolStateView } from './enrichment-engine.service';
import { SYMBOL_STATE_ATTRIBUTES } from '@tickwire/resources';

/** Outcome counts of one {@link SymbolStateWriter.write}. */
export interface SymbolStateWriteResult {
  readonly written: number;
  /** The table already held a newer event for the symbol (the condition failed): nothing changed. */
  readonly stale: number;
}

/**
 * Writes the latest state per symbol to DynamoDB `symbol-state` (pk `symbol`) with
 * `ConditionExpression: attribute_not_exists(lastEventTime) OR lastEventTime <= :t`, so that an older
 * event never overwrites a newer one whatever the order of writers (replays, restarts, a zombie). One
 * UpdateItem per symbol (the latest view after a batch), all symbols in parallel.
 * Attributes: lastPrice, lastEventTime (epoch ms UTC), previousClose, previousCloseDate, changePercent,
 * bidPrice, askPrice (USD; absent while unknown), bidSize, askSize (shares), halted (boolean: trading
 * halted after the latest trading status; absent when the view has no flag), updatedAt (epoch ms).
 */
export class SymbolStateWriter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * @throws the first DynamoDB error other than a failed condition (after the SDK's retries)
   */
  async write(states: readonly SymbolStateView[]): Promise<SymbolStateWriteResult> {
    const outcomes = await Promise.all(states.map((state) => this.writeOne(state)));
    return {
      written: outcomes.filter((o) => o === 'written').length,
      stale: outcomes.filter((o) => o === 'stale').length,
    };
  }

  private async writeOne(state: SymbolStateView): Promise<'written' | 'stale'> {
    const fields: Record<string, number | string | boolean> = {
      lastEventTime: state.lastEventTime,
      updatedAt: this.clock(),
    };
    for (const key of SYMBOL_STATE_ATTRIBUTES) {
      if (key === 'lastEventTime') continue;
      const value = state[key];
      if (value !== null && value !== undefined) fields[key] = value;
    }
    const names: Record<string, string> = {};
    const values: Record<string, { N: string } | { S: string } | { BOOL: boolean }> = {};
    const sets: string[] = [];
    for (const [key, value] of Object.entries(fields)) {
      names[`#${key}`] = key;
      values[`:${key}`] =
        typeof value === 'number' ? { N: String(value) } : typeof value === 'boolean' ? { BOOL: value } : { S: value };
      sets.push(`#${key} = :${key}`);
    }
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { symbol: { S: state.symbol } },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#lastEventTime) OR #lastEventTime <= :lastEventTime',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return 'written';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'stale';
      throw error;
    }
  }
}

/** Where a {@link CoalescingSymbolStateWriter} reports its outcomes (metrics, logs). Must not throw. */
export interface SymbolStateWriteObserver {
  /** One write finished; `result` counts written and stale views. */
  written(result: SymbolStateWriteResult): void;
  /** One write of `views` views failed (they stay pending); the next try follows in `retryInMs` ms. */
  failed(error: unknown, views: number, retryInMs: number): void;
  /** Views taken but not yet written (queued or in flight) changed to `count`. */
  pendingChanged(count: number): void;
}

/** Delays (ms) before retrying a failed write: doubling from `firstRetryMs` up to `maxRetryMs`. */
export interface SymbolStateRetryPolicy {
  readonly firstRetryMs: number;
  readonly maxRetryMs: number;
}

/** Delay (ms) between retries while {@link CoalescingSymbolStateWriter.drain} runs: prompt, not a busy loop. */
const DRAIN_RETRY_MS = 200;

/**
 * Writes symbol-state views in the background so that no caller waits for DynamoDB: {@link enqueue}
 * returns at once; one write (a {@link SymbolStateWriter.write}: one UpdateItem per symbol) is in
 * flight at a time, and the views enqueued meanwhile are coalesced to the latest per symbol for the
 * next one. symbol-state is a latest-value view whose UpdateItem is conditional on lastEventTime, so
 * skipping intermediate views loses nothing, and an older view never overwrites a newer one.
 *
 * Pacing: a write starts at most every `minIntervalMs` (SYMBOL_STATE_WRITE_INTERVAL_MS; 0 = as soon as
 * the previous one finished), so each symbol is written at most once per interval however often it
 * changes: the table's load (DynamoDB write units, and DynamoDB Local's CPU on the benchmark's machine)
 * is bounded by symbols / interval instead of following the event rate. The table then lags the feed
 * by up to the interval plus one write; {@link drain} does not wait for the interval.
 *
 * A failed write is reported to the observer and its views stay pending (unless a view at least as
 * new was enqueued meanwhile); it is retried after a delay doubling from `firstRetryMs` to
 * `maxRetryMs` (default 1 s to 30 s), or after 200 ms while {@link drain} runs. Views are given up
 * only at {@link drain}'s deadline, which returns their symbols so the caller can report them.
 */
export class CoalescingSymbolStateWriter {
  private readonly pending = new Map<string, SymbolStateView>();
  private inFlight: readonly string[] = [];
  private running: Promise<void> | null = null;
  private failures = 0;
  private draining = false;
  /** When the last write started (performance.now() ms), for the pacing interval. */
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  /** Ends the current retry delay early (set while one runs). */
  private wake: (() => void) | null = null;

  constructor(
    private readonly writer: Pick<SymbolStateWriter, 'write'>,
    private readonly observer: SymbolStateWriteObserver,
    private readonly retry: SymbolStateRetryPolicy = { firstRetryMs: 1_000, maxRetryMs: 30_000 },
    private readonly minIntervalMs = 0,
  ) {}

  /** Views taken but not yet written: queued plus in flight. */
  get pendingCount(): number {
    return this.pending.size + this.inFlight.length;
  }

  /**
   * Queues `views` (a view replaces the queued one of its symbol unless its lastEventTime is older)
   * and starts a write when none is in flight. Never throws, never waits.
   */
  enqueue(views: readonly SymbolStateView[]): void {
    for (const view of views) this.keepLatest(view);
    this.observer.pendingChanged(this.pendingCount);
    if (this.pending.size > 0) this.running ??= this.run();
  }

  /**
   * Waits until every queued and in-flight view is written, retrying failed writes every 200 ms, for
   * at most `timeoutMs`. Resolves with the symbols still unwritten at the deadline (empty when all were
   * written); never rejects.
   */
  async drain(timeoutMs: number): Promise<string[]> {
    this.draining = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, timeoutMs));
    });
    try {
      await Promise.race([this.running, expired]);
    } finally {
      clearTimeout(timer);
    }
    return [...new Set([...this.inFlight, ...this.pending.keys()])];
  }

  private keepLatest(view: SymbolStateView): void {
    const queued = this.pending.get(view.symbol);
    if (!queued || queued.lastEventTime <= view.lastEventTime) this.pending.set(view.symbol, view);
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const paced = this.lastWriteAt + this.minIntervalMs - performance.now();
        if (paced > 0 && !this.draining) {
          await this.delay(paced);
          continue;
        }
        this.lastWriteAt = performance.now();
        const views = [...this.pending.values()];
        this.pending.clear();
        this.inFlight = views.map((view) => view.symbol);
        let retryInMs = 0;
        try {
          const result = await this.writer.write(views);
          this.failures = 0;
          this.inFlight = [];
          this.observer.written(result);
        } catch (error) {
          this.inFlight = [];
          // Back to the queue, unless a view at least as new was enqueued while this one was in flight.
          for (const view of views) {
            const queued = this.pending.get(view.symbol);
            if (!queued || queued.lastEventTime < view.lastEventTime) this.pending.set(view.symbol, view);
          }
          retryInMs = this.draining
            ? DRAIN_RETRY_MS
            : Math.min(this.retry.maxRetryMs, this.retry.firstRetryMs * 2 ** this.failures);
          this.failures += 1;
          this.observer.failed(error, views.length, retryInMs);
        }
        this.observer.pendingChanged(this.pendingCount);
        if (retryInMs > 0) await this.delay(retryInMs);
      }
    } finally {
      this.running = null;
    }
  }

  /** Sleeps `ms`, or less once {@link drain} starts (it then retries every 200 ms). */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.draining ? Math.min(ms, DRAIN_RETRY_MS) : ms);
      this.wake = done;
    });
  }
}
