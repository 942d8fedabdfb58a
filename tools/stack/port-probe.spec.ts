import { createServer, type Server } from 'node:net';
import { findOpenPorts, isPortOpen } from './port-probe';

/** A real listener on an ephemeral loopback port: the "port taken by something else" case. */
async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

describe('port probe', () => {
  it('sees a port with a listener as open, and the same port as free once it closes', async () => {
    const { server, port } = await listen();
    expect(await isPortOpen('127.0.0.1', port)).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await isPortOpen('127.0.0.1', port)).toBe(false);
  });

  it('reports exactly the taken ports of a server, in order', async () => {
    const taken = await listen();
    const free = await listen();
    await new Promise<void>((resolve) => free.server.close(() => resolve()));
    try {
      expect(await findOpenPorts('127.0.0.1', [free.port, taken.port])).toEqual([taken.port]);
    } finally {
      await new Promise<void>((resolve) => taken.server.close(() => resolve()));
    }
  });
});
