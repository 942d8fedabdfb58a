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

  it('lets its owner commit past transaction markers and aborted records, up to the partition end', async () => {
    const topic = cluster.uniqueName('transactional');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([topic]);
    const producer = kafka.producer({
      transactionalId: cluster.uniqueName('tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    const consumer = new DeferredCommitConsumer(kafka, { groupId, topics: [topic], logger: SILENT_LOGGER });
    // A sink that commits each batch as soon as it has it, up to the offset the consumer reports.
    const seen: string[] = [];
    let last = -1n;
    const commitThrough = (offset: string) => {
      if (BigInt(offset) <= last) return;
      last = BigInt(offset);
      void consumer.commit([{ topic, partition: 0, offset: (last + 1n).toString() }]);
    };
    const committedAt = (end: number) => async () => (await cluster.committedOffset(groupId, topic)) === end;
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({
        topic,
        messages: [
          { key: 'AAPL', value: 'a' },
          { key: 'AAPL', value: 'b' },
        ],
      });
      await committed.commit(); // offsets 0, 1; commit marker at 2
      await consumer.start({
        onBatch: async (batch) => {
          seen.push(...batch.records.map((record) => record.value!.toString()));
          commitThrough(batch.lastOffset); // the batch's lastOffset includes the trailing marker
        },
        onAssignmentReset: () => undefined,
        onFilteredBatch: ({ lastOffset }) => commitThrough(lastOffset),
      });
      // Committing the last record's offset + 1 (2) would stop before the commit marker.
      await waitFor('the group offset past the commit marker (3)', committedAt(3));

      // A later transaction that aborts: a fetch of filtered records only, which onBatch never sees.
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'AAPL', value: 'x' }] });
      await aborted.abort(); // offset 3 aborted; abort marker at 4
      await waitFor('the group offset at the partition end (5)', committedAt(5));
      expect(seen).toEqual(['a', 'b']);
    } finally {
      await producer.disconnect();
      await consumer.stop();
    }
  });
});
