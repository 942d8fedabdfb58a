import { createServer } from 'node:net';

/**
 * Polls `condition` every `intervalMs` until it holds: the wait of integration tests for a consumer
 * group to settle, offsets to be committed, a sink to fill.
 *
 * @param what  the awaited state, for the error message (`timed out waiting for <what> <state()>`).
 * @param timeoutMs  budget in ms (default 30 s); keep a test's own timeout above the sum of its waits,
 *   so a slow step fails with this message instead of the runner's generic timeout.
 * @param state  extra diagnostics appended to the error (e.g. counts so far, service log tails).
 * @throws Error when the budget is spent, or whatever `condition` throws.
 */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  state: () => string = () => '',
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${state()}`.trimEnd());
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A TCP port free on 127.0.0.1 right now (the kernel's pick for port 0), for a service process's
 * HTTP_PORT in a test. Another process may take it before it is used; tests accept that small race.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
