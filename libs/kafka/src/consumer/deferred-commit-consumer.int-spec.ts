import { createKafkaClient } from '../client/kafka-client-factory';
import { SILENT_LOGGER } from '../client/structured-logger';
import type { KafkaRecord } from '../kafka-record';
import { KafkaTestCluster, TEST_BROKERS, waitFor } from '../testing/kafka-test-cluster';
import { DeferredCommitConsumer, type DeferredCommitHandlers } from './deferred-commit-consumer';

jest.setTimeout(90_000);

/** A buffering sink: takes records over, commits only what it flushed. */
class BufferingSink implements DeferredCommitHandlers {
  buffered: KafkaRecord[] = [];
  resets: Record<string, number[]>[] = [];
  async onBatch({ records }: { records: KafkaRecord[] }): Promise<void> {
    this.buffered.push(...records);
  }
  onAssignmentReset(assignment: Record<string, number[]>): void {
    this.resets.push(assignment);
    this.buffered = [];
  }
}

describe('DeferredCommitConsumer on the real Kafka', () => {
  const cluster = new KafkaTestCluster();
  const kafka = createKafkaClient(
    { brokers: TEST_BROKERS, clientId: 'deferred-commit-int-test' },
    SILENT_LOGGER,
  );

  beforeAll(() => cluster.connect());
  afterAll(() => cluster.disconnect());

  it('moves the fetch position at once but the group offset only on commit(); a restart resumes there', async () => {
    const topic = cluster.uniqueName('buffered');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([topic]);
    await cluster.produce(
      topic,
      ['a', 'b', 'c'].map((value) => ({ key: 'AAPL', value })),
    );

    const first = new DeferredCommitConsumer(kafka, { groupId, topics: [topic], logger: SILENT_LOGGER });
    const sink = new BufferingSink();
    await expect(first.probe()).rejects.toThrow('Kafka consumer is idle');
    first.pause(); // before start: a no-op, not a kafkajs error
    await first.start(sink);
    await waitFor('3 records buffered', () => sink.buffered.length === 3);
    expect(sink.resets).toEqual([{ [topic]: [0] }]);
    await expect(first.probe()).resolves.toMatchObject({ consumerStatus: 'connected' });
    // Taken over, not durable yet: nothing committed.
    expect(await cluster.committedOffset(groupId, topic)).toBe(-1);

    // "a" and "b" became durable.
    await first.commit([{ topic, partition: 0, offset: '2' }]);
    expect(await cluster.committedOffset(groupId, topic)).toBe(2);
    first.pause();
    await first.stop();

    // A new member of the group resumes at the committed offset: only "c" comes again.
    const second = new DeferredCommitConsumer(kafka, { groupId, topics: [topic], logger: SILENT_LOGGER });
    const again = new BufferingSink();
    await second.start(again);
    try {
      await waitFor('redelivery of c', () => again.buffered.length === 1);
      expect(again.buffered.map((record) => record.value!.toString())).toEqual(['c']);
      expect(again.resets).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
