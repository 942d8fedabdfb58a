import { BulkBatcher } from './bulk-batcher';

interface Doc {
  name: string;
  bytes: number;
}

const doc = (name: string, bytes = 10): Doc => ({ name, bytes });

/** A sender that records each request and answers `ok:<name>` per item. */
function recordingSender() {
  const requests: string[][] = [];
  const send = async (items: Doc[]) => {
    requests.push(items.map((item) => item.name));
    return items.map((item) => `ok:${item.name}`);
  };
  return { requests, send };
}

describe('BulkBatcher', () => {
  it('cuts requests at maxDocs and answers each caller in its own order', async () => {
    const { requests, send } = recordingSender();
    const batcher = new BulkBatcher<Doc, string>(
      { maxDocs: 2, maxBytes: 1_000, flushIntervalMs: 10_000 },
      send,
    );
    const outcomes = await Promise.all([
      batcher.submit([doc('a'), doc('b'), doc('c')]),
      batcher.submit([doc('d')]),
    ]);
    expect(requests).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(outcomes).toEqual([['ok:a', 'ok:b', 'ok:c'], ['ok:d']]);
  });

  it('cuts requests before maxBytes would be exceeded, but sends an oversized item alone', async () => {
    const { requests, send } = recordingSender();
    const batcher = new BulkBatcher<Doc, string>(
      { maxDocs: 100, maxBytes: 25, flushIntervalMs: 10_000 },
      send,
    );
    await batcher.submit([doc('a'), doc('b'), doc('c'), doc('huge', 100), doc('e', 25)]);
    expect(requests).toEqual([['a', 'b'], ['c'], ['huge'], ['e']]);
  });

  it('sends a partial request after the flush interval', async () => {
    const { requests, send } = recordingSender();
    const batcher = new BulkBatcher<Doc, string>(
      { maxDocs: 100, maxBytes: 1_000, flushIntervalMs: 30 },
      send,
    );
    const started = Date.now();
    const first = batcher.submit([doc('a')]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = batcher.submit([doc('b')]);
    await expect(Promise.all([first, second])).resolves.toEqual([['ok:a'], ['ok:b']]);
    expect(requests).toEqual([['a', 'b']]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('rejects every caller of a failed request, and only them', async () => {
    let calls = 0;
    const batcher = new BulkBatcher<Doc, string>(
      { maxDocs: 1, maxBytes: 1_000, flushIntervalMs: 10_000 },
      async (items) => {
        calls += 1;
        if (items[0]?.name === 'bad') throw new Error('OpenSearch down');
        return items.map((item) => item.name);
      },
    );
    await expect(batcher.submit([doc('good'), doc('bad')])).rejects.toThrow('OpenSearch down');
    await expect(batcher.submit([doc('next')])).resolves.toEqual(['next']);
    expect(calls).toBe(3);
  });

  it('rejects when the sender answers the wrong number of outcomes', async () => {
    const batcher = new BulkBatcher<Doc, string>(
      { maxDocs: 2, maxBytes: 1_000, flushIntervalMs: 10_000 },
      async () => ['only one'],
    );
    await expect(batcher.submit([doc('a'), doc('b')])).rejects.toThrow(/1 outcomes for 2 items/);
  });

  it('flush() sends what waits and waits for requests in flight', async () => {
    const { requests, send } = recordingSender();
    const batcher = new BulkBatcher<Doc, string>(
      { maxDocs: 100, maxBytes: 1_000, flushIntervalMs: 60_000 },
      send,
    );
    const pending = batcher.submit([doc('a')]);
    expect(batcher.backlog.waiting).toBe(1);
    await batcher.flush();
    expect(requests).toEqual([['a']]);
    await expect(pending).resolves.toEqual(['ok:a']);
    expect(batcher.backlog).toEqual({ waiting: 0, requestsInFlight: 0 });
  });

  it('refuses limits that are not positive integers', () => {
    expect(
      () => new BulkBatcher<Doc, string>({ maxDocs: 0, maxBytes: 1, flushIntervalMs: 1 }, async () => []),
    ).toThrow(/maxDocs must be a positive integer/);
  });
});
