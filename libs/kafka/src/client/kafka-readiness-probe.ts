import type { Kafka } from 'kafkajs';
import { withDeadline } from '../internal/with-deadline';

/** What a successful readiness probe saw of the cluster. */
export interface KafkaClusterInfo {
  clusterId: string;
  /** Number of brokers the cluster metadata lists. */
  brokerCount: number;
  controllerId: number | null;
}

/**
 * Readiness probe: fetches cluster metadata (`DescribeCluster`) with a fresh admin connection and
 * disconnects again, so a probe never leaves sockets behind.
 *
 * @param timeoutMs upper bound for the whole probe; the promise rejects with an Error after it.
 * @throws Error (or a KafkaJS error) when no broker answers in time.
 */
export async function probeKafka(kafka: Kafka, timeoutMs = 3_000): Promise<KafkaClusterInfo> {
  const admin = kafka.admin();
  try {
    const probe = (async () => {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return {
        clusterId: cluster.clusterId,
        brokerCount: cluster.brokers.length,
        controllerId: cluster.controller,
      };
    })();
    return await withDeadline(
      probe,
      timeoutMs,
      () => new Error(`Kafka did not answer within ${timeoutMs} ms`),
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
