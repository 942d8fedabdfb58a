/**
 * `step`, or a rejection with `timeoutError()` once `ms` milliseconds passed, whichever comes first.
 * The timer is cleared either way; `step` itself is not cancelled (the caller decides what to do with
 * work that may still be running).
 */
export async function withDeadline<T>(step: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  try {
    return await Promise.race([step, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
