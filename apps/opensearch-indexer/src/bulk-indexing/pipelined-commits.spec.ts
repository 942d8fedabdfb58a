import { PipelinedCommits, type PipelinedCommitsObserver } from './pipelined-commits';

/** A handle whose outcome the test decides later. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('PipelinedCommits', () => {
  let commits: string[];
  let retries: number;
  let observer: PipelinedCommitsObserver;
  const port = { commit: async (topic: string, partition: number, offset: string) => void commits.push(`${topic}:${partition}@${offset}`) };

  beforeEach(() => {
    commits = [];
    retries = 0;
    observer = { batchRetry: () => void (retries += 1), committed: () => undefined, commitFailed: () => undefined };
  });

  const make = (maxPendingBatches = 8, signal?: AbortSignal) =>
    new PipelinedCommits(port, observer, { maxPendingBatches, retryMinMs: 1, retryMaxMs: 4, ...(signal ? { signal } : {}) });

  it('commits each partition in fetch order, whatever order the batches finish in', async () => {
    const pipeline = make();
    const [a, b, c] = [deferred(), deferred(), deferred()];
    pipeline.track('t', 0, '9', 10, () => a.promise);
    pipeline.track('t', 0, '19', 10, () => b.promise);
    pipeline.track('t', 1, '4', 5, () => c.promise);
    b.resolve();
    c.resolve();
    await flush();
    expect(commits).toEqual(['t:1@5']); // partition 0 waits for its first batch
    a.resolve();
    await pipeline.drain();
    expect(commits).toEqual(['t:1@5', 't:0@10', 't:0@20']);
    expect(pipeline.pendingBatches).toBe(0);
  });

  it('handles a failed batch again and commits nothing of its partition until it succeeded', async () => {
    const pipeline = make();
    let attempts = 0;
    pipeline.track('t', 0, '9', 10, async () => {
      attempts += 1;
      if (attempts < 3) throw new Error('OpenSearch unavailable');
    });
    pipeline.track('t', 0, '19', 10, async () => undefined);
    await pipeline.drain();
    expect(attempts).toBe(3);
    expect(retries).toBe(2);
    expect(commits).toEqual(['t:0@10', 't:0@20']);
  });

  it('commits nothing once the signal aborted the retries (the batches are delivered again)', async () => {
    const stop = new AbortController();
    const pipeline = make(8, stop.signal);
    pipeline.track('t', 0, '9', 10, async () => {
      throw new Error('OpenSearch unavailable');
    });
    pipeline.track('t', 0, '19', 10, async () => undefined);
    await flush();
    stop.abort();
    await pipeline.drain();
    expect(commits).toEqual([]);
    expect(pipeline.pendingBatches).toBe(0);
  });

  it('commits nothing for batches of a generation before reset()', async () => {
    const pipeline = make();
    const old = deferred();
    pipeline.track('t', 0, '9', 10, () => old.promise);
    pipeline.reset();
    pipeline.track('t', 0, '4', 5, async () => undefined);
    old.resolve();
    await pipeline.drain();
    expect(commits).toEqual(['t:0@5']);
  });

  it('admits at most maxPendingBatches batches, and more once one is committed', async () => {
    const pipeline = make(2);
    const [a, b] = [deferred(), deferred()];
    await pipeline.admit();
    pipeline.track('t', 0, '0', 1, () => a.promise);
    await pipeline.admit();
    pipeline.track('t', 1, '0', 1, () => b.promise);
    let admitted = false;
    let heartbeats = 0;
    const third = pipeline.admit(async () => void (heartbeats += 1), 5).then(() => (admitted = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(admitted).toBe(false);
    expect(heartbeats).toBeGreaterThan(0);
    a.resolve();
    await third;
    expect(admitted).toBe(true);
    b.resolve();
    await pipeline.drain();
  });

  it('wakes a waiter as soon as a slot frees, even after a heartbeat interval passed while it waited', async () => {
    jest.useFakeTimers();
    try {
      const pipeline = make(1);
      const first = deferred();
      await pipeline.admit();
      pipeline.track('t', 0, '0', 1, () => first.promise);
      let admitted = false;
      void pipeline.admit(async () => undefined, 1_000).then(() => (admitted = true));
      await jest.advanceTimersByTimeAsync(1_500); // one heartbeat interval passed, waiting again
      expect(admitted).toBe(false);
      first.resolve();
      // No timer advance: the freed slot itself must wake the waiter (not its next interval).
      await jest.advanceTimersByTimeAsync(0);
      expect(admitted).toBe(true);
      await pipeline.drain();
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports a failed commit and goes on with the next batch', async () => {
    const failed: string[] = [];
    const flaky = {
      calls: 0,
      async commit(topic: string, partition: number, offset: string) {
        this.calls += 1;
        if (this.calls === 1) throw new Error('REBALANCE_IN_PROGRESS');
        commits.push(`${topic}:${partition}@${offset}`);
      },
    };
    const pipeline = new PipelinedCommits(
      flaky,
      { ...observer, commitFailed: (topic, partition) => void failed.push(`${topic}:${partition}`) },
      { maxPendingBatches: 4, retryMinMs: 1, retryMaxMs: 4 },
    );
    pipeline.track('t', 0, '9', 10, async () => undefined);
    pipeline.track('t', 0, '19', 10, async () => undefined);
    await pipeline.drain();
    expect(failed).toEqual(['t:0']);
    expect(commits).toEqual(['t:0@20']);
  });

  it('refuses a non-positive limit', () => {
    expect(() => make(0)).toThrow(/maxPendingBatches must be a positive integer/);
  });
});
