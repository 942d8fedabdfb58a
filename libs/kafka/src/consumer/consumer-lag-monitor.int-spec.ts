import { SILENT_LOGGER } from '../client/structured-logger';
import { NOOP_KAFKA_METRICS, type KafkaMetricsSink } from '../kafka-metrics-sink';
import { KafkaTestCluster, waitFor } from '../testing/kafka-test-cluster';
import { ConsumerLagMonitor } from './consumer-lag-monitor';

jest.setTimeout(60_000);

/** The latest group lag reported per `topic:partition`. */
class LagGauge implements KafkaMetricsSink {
  readonly latest = new Map<string, number>();
  readonly groups = new Set<string>();
  recordsConsumed = NOOP_KAFKA_METRICS.recordsConsumed;
  recordDeadLettered = NOOP_KAFKA_METRICS.recordDeadLettered;
  handlerDuration = NOOP_KAFKA_METRICS.handlerDuration;
  consumerLag = NOOP_KAFKA_METRICS.consumerLag;
  consumerGroupLag(group: string, topic: string, partition: number, lagRecords: number): void {
    this.groups.add(group);
    this.latest.set(`${topic}:${partition}`, lagRecords);
  }
}

const records = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: String(i) }));

describe('ConsumerLagMonitor on the real Kafka', () => {
  const cluster = new KafkaTestCluster();
  beforeAll(() => cluster.connect());
  afterAll(() => cluster.disconnect());

  it("reports each partition's records from the committed offset to the end, and keeps rising while nothing consumes", async () => {
    const topic = cluster.uniqueName('lag');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([topic], 2);
    const admin = cluster.kafka.admin();
    await admin.connect();
    const gauge = new LagGauge();
    const monitor = new ConsumerLagMonitor(cluster.kafka, {
      groupId,
      topics: [topic],
      metrics: gauge,
      logger: SILENT_LOGGER,
      intervalMs: 200,
    });
    try {
      // 10 records in partition 0, 4 in partition 1; the group committed 6 of partition 0, none of 1.
      const producer = cluster.kafka.producer();
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: records(10).map((r) => ({ ...r, partition: 0 })) });
      await producer.send({ topic, acks: -1, messages: records(4).map((r) => ({ ...r, partition: 1 })) });
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '6' }] });

      const sample = await monitor.sample();
      expect(
        sample.map(({ partition, position, end, lagRecords }) => [partition, position, end, lagRecords]),
      ).toEqual([
        [0, '6', '10', 4],
        [1, '0', '4', 4],
      ]);
      expect([...gauge.groups]).toEqual([groupId]);

      // A stalled consumer (nothing commits) shows its lag growing on the timer, with no batch anywhere.
      monitor.start();
      await producer.send({ topic, acks: -1, messages: records(5).map((r) => ({ ...r, partition: 0 })) });
      await producer.disconnect();
      await waitFor(
        'the timer to report partition 0 lagging by 9',
        () => gauge.latest.get(`${topic}:0`) === 9,
        10_000,
      );
      expect(gauge.latest.get(`${topic}:1`)).toBe(4);

      // The group catches up: the gauge falls to 0.
      await admin.setOffsets({
        groupId,
        topic,
        partitions: [
          { partition: 0, offset: '15' },
          { partition: 1, offset: '4' },
        ],
      });
      await waitFor(
        'the timer to report no lag',
        () => gauge.latest.get(`${topic}:0`) === 0 && gauge.latest.get(`${topic}:1`) === 0,
        10_000,
      );
    } finally {
      await monitor.stop();
      await admin.disconnect();
    }
  });

  it('measures a consumer that never commits from its own positions, and only the partitions it has read', async () => {
    const topic = cluster.uniqueName('lag-positions');
    await cluster.createTopics([topic], 2);
    const producer = cluster.kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: records(7).map((r) => ({ ...r, partition: 0 })) });
    await producer.send({ topic, acks: -1, messages: records(3).map((r) => ({ ...r, partition: 1 })) });
    await producer.disconnect();
    const gauge = new LagGauge();
    const positions = new Map([[`${topic}:0`, '0']]);
    const monitor = new ConsumerLagMonitor(cluster.kafka, {
      groupId: cluster.uniqueName('fan-out'),
      topics: [topic],
      metrics: gauge,
      logger: SILENT_LOGGER,
      positions: () => positions,
    });
    try {
      // Partition 1 was never read: not reported (the consumer started it at the log end).
      expect(await monitor.sample()).toEqual([
        { topic, partition: 0, position: '0', end: '7', lagRecords: 7 },
      ]);
      positions.set(`${topic}:0`, '5');
      expect((await monitor.sample())[0]?.lagRecords).toBe(2);
      expect([...gauge.latest]).toEqual([[`${topic}:0`, 2]]);
    } finally {
      await monitor.stop();
    }
  });
});
