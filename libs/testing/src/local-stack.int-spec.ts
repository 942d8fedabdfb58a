import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLocalStack, stopLocalStackIfStartedBy } from './local-stack';
import { createLocalS3 } from './stack-clients';
import { ListBucketsCommand } from '@aws-sdk/client-s3';

describe('ensureLocalStack', () => {
  it('is safe to call concurrently, and a run that found the stack up does not stop it', async () => {
    // globalSetup already brought the stack up, so neither of these runs starts anything.
    const [first, second] = await Promise.all([
      ensureLocalStack({ runId: 'it-concurrent-a' }),
      ensureLocalStack({ runId: 'it-concurrent-b' }),
    ]);
    expect(first.env['KAFKA_BROKERS']).toBe(second.env['KAFKA_BROKERS']);

    const startedByFile = join(first.config.stackDir, 'started-by.json');
    const recorded = existsSync(startedByFile) ? readFileSync(startedByFile, 'utf8') : '';
    expect(recorded).not.toContain('it-concurrent-');

    await stopLocalStackIfStartedBy('it-concurrent-a');
    const s3 = createLocalS3();
    try {
      await expect(s3.send(new ListBucketsCommand({}))).resolves.toBeDefined();
    } finally {
      s3.destroy();
    }
  });
});
