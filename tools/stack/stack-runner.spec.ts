import { createServer, type Server } from 'node:net';
import { createS3Server } from './servers/s3-server';
import { resolveStackConfig } from './stack-config';
import { findPortConflicts } from './stack-runner';

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

describe('findPortConflicts', () => {
  it('names each taken port of a server with the variable that moves it', async () => {
    const http = await listen();
    const https = await listen();
    try {
      const config = resolveStackConfig({ S3_PORT: String(http.port), S3_HTTPS_PORT: String(https.port) });
      expect(await findPortConflicts(createS3Server(config), config)).toEqual([
        { port: http.port, variable: 'S3_PORT' },
        { port: https.port, variable: 'S3_HTTPS_PORT' },
      ]);
    } finally {
      await Promise.all([close(http.server), close(https.server)]);
    }
  });

  it('reports nothing when the ports are free', async () => {
    const probe = await listen();
    await close(probe.server);
    const other = await listen();
    await close(other.server);
    const config = resolveStackConfig({ S3_PORT: String(probe.port), S3_HTTPS_PORT: String(other.port) });
    expect(await findPortConflicts(createS3Server(config), config)).toEqual([]);
  });
});
