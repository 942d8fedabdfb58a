import { createServer } from 'node:net';
import { freePort, waitUntil } from './polling';

describe('waitUntil', () => {
  it('resolves once the condition holds', async () => {
    let calls = 0;
    await waitUntil('three calls', () => ++calls >= 3, 5_000, () => '', 1);
    expect(calls).toBe(3);
  });

  it('fails with what it waited for and the state once the budget is spent', async () => {
    await expect(waitUntil('the impossible', async () => false, 20, () => '(0/1 done)', 5)).rejects.toThrow(
      'timed out waiting for the impossible (0/1 done)',
    );
  });
});

describe('freePort', () => {
  it('returns a port a server can listen on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    expect((server.address() as { port: number }).port).toBe(port);
    await new Promise((resolve) => server.close(resolve));
  });
});
