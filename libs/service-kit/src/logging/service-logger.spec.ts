import { Writable } from 'node:stream';
import { createServiceLogger } from './service-logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createServiceLogger', () => {
  it('writes one JSON object per line with service, level label and ISO time', () => {
    const out = capture();
    const logger = createServiceLogger('enricher', 'info', out.stream);
    logger.info({ topic: 'market.trades.v1' }, 'consumer started');
    logger.debug('not at info level');
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'enricher',
      topic: 'market.trades.v1',
      msg: 'consumer started',
    });
    expect(String(lines[0]!['time'])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('redacts credentials in request headers', () => {
    const out = capture();
    createServiceLogger('consumer-gateway', 'info', out.stream).info(
      { req: { headers: { authorization: 'Bearer s3cret', 'x-api-key': 'k' } } },
      'r',
    );
    const line = JSON.stringify(out.lines()[0]);
    expect(line).not.toContain('s3cret');
    expect(line).toContain('[redacted]');
  });
});
