import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/** Protocol name members announce in JoinGroup; every member of a group must offer it. */
export const CO_PARTITIONED_ASSIGNER_NAME = 'TickwireCoPartitioned';

/** Partitions per topic owned by one member: `{ [topic]: partition numbers, ascending }`. */
export type TopicPartitionAssignment = Record<string, number[]>;

/**
 * Co-partitioned assignment: partition NUMBER p of every subscribed topic goes to the same member, so a
 * member that owns "task p" sees every record keyed to partition p whatever the topic (with the same
 * partition count and the same key partitioner, one symbol's trades, quotes and daily bars). This is
 * Kafka Streams' task model (StreamsPartitionAssignor, "co-partitioning requirement"); Kafka's own
 * RangeAssignor gives the same result for equal partition counts, kafkajs ships only round robin,
 * which scatters partition p of different topics over different members.
 *
 * Tasks (the partition numbers present in any topic, ascending) go round robin over the members
 * sorted by member id: balanced to within one task, deterministic for a given membership. A topic
 * with fewer partitions simply has no partition in the higher tasks. Members that get no task get an
 * empty assignment.
 *
 * @param memberIds the group's members (any order)
 * @param partitionsByTopic the partitions of each subscribed topic
 * @returns member id -> its assignment (every member present, possibly with no topics)
 */
export function assignCoPartitioned(
  memberIds: readonly string[],
  partitionsByTopic: ReadonlyMap<string, readonly number[]>,
): Map<string, TopicPartitionAssignment> {
  const members = [...new Set(memberIds)].sort();
  const result = new Map<string, TopicPartitionAssignment>(members.map((id) => [id, {}]));
  if (members.length === 0) return result;
  const tasks = [...new Set([...partitionsByTopic.values()].flat())].sort((a, b) => a - b);
  tasks.forEach((task, index) => {
    const owner = result.get(members[index % members.length] as string) as TopicPartitionAssignment;
    for (const topic of [...partitionsByTopic.keys()].sort()) {
      if (!partitionsByTopic.get(topic)?.includes(task)) continue;
      (owner[topic] ??= []).push(task);
    }
  });
  return result;
}

/** The task numbers (partition numbers) of an assignment, ascending. */
export function tasksOf(assignment: TopicPartitionAssignment): number[] {
  return [...new Set(Object.values(assignment).flat())].sort((a, b) => a - b);
}

/**
 * The kafkajs `partitionAssigners` entry for {@link assignCoPartitioned}. The group leader reads the
 * partition lists from its cluster metadata (refreshed by kafkajs just before it assigns).
 */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_ASSIGNER_NAME,
  version: 1,
  assign({ members, topics }) {
    const partitionsByTopic = new Map(
      topics.map((topic) => [
        topic,
        cluster.findTopicPartitionMetadata(topic).map((metadata) => metadata.partitionId),
      ]),
    );
    const assignment = assignCoPartitioned(
      members.map((member) => member.memberId),
      partitionsByTopic,
    );
    return Promise.resolve(
      [...assignment].map(([memberId, topicPartitions]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: topicPartitions,
          userData: Buffer.alloc(0),
        }),
      })),
    );
  },
  protocol({ topics }) {
    return {
      name: CO_PARTITIONED_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    };
  },
});
