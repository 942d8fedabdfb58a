import { mergeSorted, mergeSortedBatches } from './merge-sorted';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}
async function* batches<T>(chunks: T[][]): AsyncGenerator<T[]> {
  yield* chunks;
}
async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('mergeSorted', () => {
  it('merges sorted inputs into sorted output, stable across inputs', async () => {
    const byKey = (a: { k: number }, b: { k: number }) => a.k - b.k;
    const merged = await collect(
      mergeSorted(
        [
          from([{ k: 1, s: 'a' }, { k: 3, s: 'a' }, { k: 3, s: 'a2' }]),
          from([{ k: 0, s: 'b' }, { k: 3, s: 'b' }]),
          from([]),
        ],
        byKey,
      ),
    );
    expect(merged.map((x) => `${x.k}${x.s}`)).toEqual(['0b', '1a', '3a', '3a2', '3b']);
  });

  it('merges batch inputs with empty batches and yields everything', async () => {
    const merged = await collect(mergeSortedBatches([batches([[1, 4], [], [9]]), batches([[], [2, 3], [10]])], (a, b) => a - b));
    expect(merged.flat()).toEqual([1, 2, 3, 4, 9, 10]);
  });

  it('closes every input when the consumer stops early', async () => {
    const closed: string[] = [];
    async function* tracked(name: string, items: number[]): AsyncGenerator<number> {
      try {
        yield* items;
      } finally {
        closed.push(name);
      }
    }
    for await (const item of mergeSorted([tracked('a', [1, 2, 3]), tracked('b', [1, 5])], (x, y) => x - y)) {
      if (item === 2) break;
    }
    expect(closed.sort()).toEqual(['a', 'b']);
  });

  it('propagates an input error and closes the other inputs', async () => {
    let closed = false;
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      throw new Error('disk on fire');
    }
    async function* other(): AsyncGenerator<number> {
      try {
        yield* [2, 3];
      } finally {
        closed = true;
      }
    }
    await expect(collect(mergeSorted([failing(), other()], (a, b) => a - b))).rejects.toThrow('disk on fire');
    expect(closed).toBe(true);
  });
});
