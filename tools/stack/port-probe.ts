import { createConnection } from 'node:net';

/**
 * True when something accepts TCP connections on `host:port` within `timeoutMs`.
 * Connecting (rather than binding) also detects a server bound to 0.0.0.0 and needs no privileges.
 */
export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The ports of `ports` on `host` that already accept connections, in the given order.
 * Probed in parallel: each closed port costs at most `timeoutMs`.
 */
export async function findOpenPorts(host: string, ports: readonly number[], timeoutMs = 500): Promise<number[]> {
  const open = await Promise.all(ports.map((port) => isPortOpen(host, port, timeoutMs)));
  return ports.filter((_, i) => open[i]);
}
