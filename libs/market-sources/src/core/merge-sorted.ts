/**
 * K-way merge of individually sorted sequences into one sorted sequence. Stable: on
 * `compare() === 0` the input listed first wins, and each input's own order is kept.
 *
 * Heads are scanned linearly (O(k) per record), which beats a heap for the handful of inputs used
 * here (3 LOBSTER symbols, 6 daily histories); a heap pays off only beyond a few dozen inputs.
 * If an input is not itself sorted, the output is not either (the merge does not check).
 * Returning early (break / `return()`) or an input error closes every input.
 * @param inputs sorted sequences.
 * @param compare negative when `a` comes first, as for `Array.prototype.sort`.
 */
export async function* mergeSorted<T>(inputs: readonly AsyncIterable<T>[], compare: (a: T, b: T) => number): AsyncGenerator<T> {
  for await (const batch of mergeSortedBatches(inputs.map(singletons), compare)) yield* batch;
}

async function* singletons<T>(input: AsyncIterable<T>): AsyncGenerator<T[]> {
  for await (const item of input) yield [item];
}

/** Largest output batch of {@link mergeSortedBatches}. */
const MAX_OUTPUT_BATCH = 1024;

/**
 * {@link mergeSorted} over inputs that deliver sorted batches (the concatenation of an input's batches
 * is sorted); yields the merged output in batches of up to 1024. Merging in memory between awaits
 * keeps the per-record cost synchronous, which is what lets the LOBSTER replay exceed 100k records/s.
 * A partial batch is yielded before waiting on an input, so downstream is never starved.
 */
export async function* mergeSortedBatches<T>(inputs: readonly AsyncIterable<readonly T[]>[], compare: (a: T, b: T) => number): AsyncGenerator<T[]> {
  const cursors = inputs.map((input) => ({ iterator: input[Symbol.asyncIterator](), buffer: [] as readonly T[], position: 0, done: false }));
  try {
    for (;;) {
      // Every input needs a head to compare; refill exhausted buffers (in parallel) before merging.
      const empty = cursors.filter((cursor) => !cursor.done && cursor.position >= cursor.buffer.length);
      if (empty.length > 0) {
        await Promise.all(
          empty.map(async (cursor) => {
            for (;;) {
              const next = await cursor.iterator.next();
              if (next.done) {
                cursor.done = true;
                cursor.buffer = [];
              } else {
                cursor.buffer = next.value;
              }
              cursor.position = 0;
              if (cursor.done || cursor.buffer.length > 0) return;
            }
          }),
        );
      }
      const out: T[] = [];
      for (;;) {
        let best: (typeof cursors)[number] | undefined;
        let bestValue: T | undefined;
        let starved = false;
        for (const cursor of cursors) {
          if (cursor.done) continue;
          if (cursor.position >= cursor.buffer.length) {
            starved = true;
            break;
          }
          const value = cursor.buffer[cursor.position] as T;
          if (best === undefined || compare(value, bestValue as T) < 0) {
            best = cursor;
            bestValue = value;
          }
        }
        if (starved || best === undefined || out.length >= MAX_OUTPUT_BATCH) break;
        out.push(bestValue as T);
        best.position++;
      }
      if (out.length > 0) yield out;
      if (cursors.every((cursor) => cursor.done)) return;
    }
  } finally {
    await Promise.allSettled(cursors.map((cursor) => (cursor.done ? undefined : cursor.iterator.return?.())));
  }
}
