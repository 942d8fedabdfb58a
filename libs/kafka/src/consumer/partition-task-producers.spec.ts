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

describe('PartitionTaskProducers slots (producersPerTask)', () => {
  it('names one transactional id per task and slot, slot 0 unchanged', () => {
    const one = new PartitionTaskProducers({} as Kafka, { transactionalIdPrefix: 'enricher', groupId: 'g', logger });
    expect(one.slotsPerTask).toBe(1);
    expect(one.transactionalIdOf(3)).toBe('enricher-g-3');
    const two = new PartitionTaskProducers({} as Kafka, {
      transactionalIdPrefix: 'enricher',
      groupId: 'g',
      logger,
      producersPerTask: 2,
    });
    expect(two.slotsPerTask).toBe(2);
    expect([two.transactionalIdOf(3, 0), two.transactionalIdOf(3, 1)]).toEqual(['enricher-g-3', 'enricher-g-3-1']);
  });

  it('refuses a slot the task does not have', async () => {
    const two = new PartitionTaskProducers({} as Kafka, {
      transactionalIdPrefix: 'p',
      groupId: 'g',
      logger,
      producersPerTask: 2,
    });
    for (const slot of [2, -1, 0.5])
      await expect(two.transaction(0, () => Promise.resolve(), slot)).rejects.toThrow(TaskNotOwnedError);
  });
});
