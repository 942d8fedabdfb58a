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
