import type { Admin } from 'kafkajs';
import { toKafkajsAclEntry } from './kafka-acl-admin';
import type { KafkaAclSpec, KafkaTopicSpec } from '@tickwire/resources';

/** What provisioning did to Kafka. */
export interface KafkaProvisionReport {
  readonly createdTopics: string[];
  readonly existingTopics: string[];
  /** Topics whose partition count was raised to the spec's (Kafka cannot lower it). */
  readonly grownTopics: string[];
  readonly acls: number;
}

/**
 * Creates the missing topics of `topics` (with their configs), raises the partition count of existing
 * ones that have fewer than the spec, and creates `acls`. Kafka treats creating an existing ACL as a
 * no-op, so the whole step is idempotent.
 *
 * @throws Error from kafkajs when the broker rejects a request.
 */
export async function provisionKafka(
  admin: Admin,
  topics: readonly KafkaTopicSpec[],
  acls: readonly KafkaAclSpec[],
): Promise<KafkaProvisionReport> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: topic.replicationFactor,
        configEntries: Object.entries(topic.configs).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  const present = topics.filter((topic) => existing.has(topic.name));
  const grown: string[] = [];
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((topic) => topic.name) });
    const counts = new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
    const toGrow = present.filter((topic) => (counts.get(topic.name) ?? 0) < topic.partitions);
    if (toGrow.length > 0) {
      await admin.createPartitions({ topicPartitions: toGrow.map((topic) => ({ topic: topic.name, count: topic.partitions })) });
      grown.push(...toGrow.map((topic) => topic.name));
    }
  }
  if (acls.length > 0) await admin.createAcls({ acl: acls.map(toKafkajsAclEntry) });
  return {
    createdTopics: missing.map((topic) => topic.name),
    existingTopics: present.map((topic) => topic.name),
    grownTopics: grown,
    acls: acls.length,
  };
}
