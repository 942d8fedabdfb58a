import type { Kafka } from 'kafkajs';
import type { StructuredLogger } from '../client/structured-logger';
import { PartitionTaskProducers, TaskNotOwnedError } from './partition-task-producers';

const logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as StructuredLogger;

describe('PartitionTaskProducers.close', () => {
  it('waits for the beforeClose hooks (each once, a failing one included) before it closes', async () => {
    const tasks = new PartitionTaskProducers({} as Kafka, {
      transactionalIdPrefix: 'p',
      groupId: 'g',
      logger,
    });
    let finish: () => void = () => undefined;
    let runs = 0;
    const hook = () => {
      runs += 1;
      return new Promise<void>((resolve) => (finish = resolve));
    };
    tasks.beforeClose(hook);
    tasks.beforeClose(hook);
    tasks.beforeClose(() => Promise.reject(new Error('a failing hook does not stop the close')));
    let closed = false;
    const closing = tasks.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    finish();
    await closing;
    await tasks.close();
    expect(runs).toBe(1);
    await expect(tasks.transaction(0, () => Promise.resolve())).rejects.toThrow(TaskNotOwnedError);
  });
});
