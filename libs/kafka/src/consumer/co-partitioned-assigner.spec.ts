import { AssignerProtocol } from 'kafkajs';
import { assignCoPartitioned, coPartitionedAssigner, tasksOf } from './co-partitioned-assigner';

describe('assignCoPartitioned', () => {
  const topics = new Map([
    ['trades', [0, 1, 2]],
    ['quotes', [0, 1, 2]],
    ['bars', [0, 1, 2]],
  ]);

  it('gives partition p of every topic to the same member, balanced over sorted member ids', () => {
    const assignment = assignCoPartitioned(['m-b', 'm-a'], topics);
    expect(assignment.get('m-a')).toEqual({ bars: [0, 2], quotes: [0, 2], trades: [0, 2] });
    expect(assignment.get('m-b')).toEqual({ bars: [1], quotes: [1], trades: [1] });
  });

  it('hands every task to the only member left', () => {
    expect(assignCoPartitioned(['m-b'], topics).get('m-b')).toEqual({
      bars: [0, 1, 2],
      quotes: [0, 1, 2],
      trades: [0, 1, 2],
    });
  });

  it('leaves extra members without tasks and topics with fewer partitions out of the higher tasks', () => {
    const uneven = new Map([
      ['a', [0, 1]],
      ['b', [0]],
    ]);
    const assignment = assignCoPartitioned(['x', 'y', 'z'], uneven);
    expect(assignment.get('x')).toEqual({ a: [0], b: [0] });
    expect(assignment.get('y')).toEqual({ a: [1] });
    expect(assignment.get('z')).toEqual({});
  });

  it('names the tasks of an assignment', () => {
    expect(tasksOf({ a: [2, 0], b: [0, 3] })).toEqual([0, 2, 3]);
  });
});

describe('coPartitionedAssigner (kafkajs protocol)', () => {
  it('encodes the co-partitioned assignment for every member from the cluster metadata', async () => {
    const cluster = {
      findTopicPartitionMetadata: (topic: string) =>
        (topic === 't1' ? [0, 1] : [1, 0]).map((partitionId) => ({ partitionId })),
    };
    const assigner = coPartitionedAssigner({ cluster, groupId: 'g', logger: {} } as never);
    const member = (memberId: string) => ({
      memberId,
      memberMetadata: assigner.protocol({ topics: ['t1', 't2'] }).metadata,
    });
    const result = await assigner.assign({ members: [member('m2'), member('m1')], topics: ['t1', 't2'] });
    const decoded = Object.fromEntries(
      result.map(({ memberId, memberAssignment }) => [
        memberId,
        AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment,
      ]),
    );
    expect(decoded).toEqual({ m1: { t1: [0], t2: [0] }, m2: { t1: [1], t2: [1] } });
    expect(AssignerProtocol.MemberMetadata.decode(member('m1').memberMetadata)?.topics).toEqual(['t1', 't2']);
  });
});
