import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { SILENT_LOGGER } from '../client/structured-logger';
import type { KafkaRecord } from '../kafka-record';
import { KafkaTestCluster, TEST_BROKERS, waitFor } from '../testing/kafka-test-cluster';
import { tasksOf } from './co-partitioned-assigner';
import { KafkaConsumerContext } from './kafka-consumer-context';
import { KafkaConsumerServer } from './kafka-consumer-server';
import { RethrowRpcExceptionFilter } from './rethrow-rpc-exception-filter';

jest.setTimeout(90_000);

/**
 * Two KafkaConsumerServers in one consumer group on the real Kafka: co-partitioned split, handover
 * when one stops, and the fencing of a zombie (a member evicted while its handler hung mid-transaction).
 * Every handler copies its input to an output topic inside the consumer transaction, so the output
 * read with read_committed tells exactly what was committed, and by whom.
 */
describe('KafkaConsumerServer scale-out (two members, one group)', () => {
  const cluster = new KafkaTestCluster();
  const apps: INestMicroservice[] = [];

  beforeAll(() => cluster.connect());
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await cluster.disconnect();
  });

  /** A member whose handler copies `<value>` to `output` as `<value>@<member>` in the input's transaction. */
  async function startMember(
    member: string,
    inputs: string[],
    output: string,
    groupId: string,
    hooks: { beforeCommit?: (record: KafkaRecord) => Promise<void>; failures?: unknown[] } = {},
  ): Promise<{ app: INestMicroservice; server: KafkaConsumerServer }> {
    const handle = async (record: KafkaRecord, context: KafkaConsumerContext): Promise<void> => {
      try {
        await context.transaction(async (tx) => {
          await tx.sendBatch([
            { topic: output, key: record.key, value: `${record.value!.toString()}@${member}` },
          ]);
          await hooks.beforeCommit?.(record);
        });
      } catch (error) {
        hooks.failures?.push(error);
        throw error;
      }
    };
    @Controller()
    class CopyController {
      @EventPattern(inputs[0])
      first(@Payload() record: KafkaRecord, @Ctx() context: KafkaConsumerContext): Promise<void> {
        return handle(record, context);
      }
      @EventPattern(inputs[1])
      second(@Payload() record: KafkaRecord, @Ctx() context: KafkaConsumerContext): Promise<void> {
        return handle(record, context);
      }
    }
    @Module({ controllers: [CopyController] })
    class MemberModule {}
    const server = new KafkaConsumerServer({
      connection: { brokers: TEST_BROKERS, clientId: member },
      groupId,
      serviceName: 'kafka-scale-out-test',
      logger: SILENT_LOGGER,
      transactionalIdPrefix: `${groupId}-tx`,
      // The broker's minimum: a hung member is evicted quickly.
      sessionTimeoutMs: 6_000,
      maxWaitTimeMs: 200,
    });
    const app = await NestFactory.createMicroservice(MemberModule, { strategy: server, logger: false });
    app.useGlobalFilters(new RethrowRpcExceptionFilter());
    await app.listen();
    apps.push(app);
    return { app, server };
  }

  const valuesOf = (records: { value: Buffer | null }[]) => records.map((r) => r.value!.toString());

  it('splits co-partitioned tasks, hands them over on stop, and commits every record exactly once', async () => {
    const [trades, quotes, output, groupId] = ['trades', 'quotes', 'out', 'group'].map((l) =>
      cluster.uniqueName(l),
    ) as [string, string, string, string];
    await cluster.createTopics([trades, quotes], 4);
    await cluster.createTopics([`${trades}.dlq`, `${quotes}.dlq`, output]);
    const a = await startMember('a', [trades, quotes], output, groupId);
    const b = await startMember('b', [trades, quotes], output, groupId);
    await waitFor(
      'both members to own two tasks',
      () =>
        tasksOf(a.server.currentAssignment()).length === 2 &&
        tasksOf(b.server.currentAssignment()).length === 2,
      30_000,
    );
    for (const { server } of [a, b]) {
      const assignment = server.currentAssignment();
      // Co-partitioned: the same partition numbers of both topics.
      expect(assignment[trades]).toEqual(assignment[quotes]);
    }
    expect(
      [...tasksOf(a.server.currentAssignment()), ...tasksOf(b.server.currentAssignment())].sort(),
    ).toEqual([0, 1, 2, 3]);

    const keys = ['AAPL', 'AMZN', 'GOOG', 'MSFT', 'NVDA', 'TSLA', 'META', 'NFLX'];
    const batch = (label: string) =>
      keys.flatMap((key) => [0, 1, 2].map((i) => ({ key, value: `${label}-${key}-${i}` })));
    await cluster.produce(trades, batch('t1'));
    await cluster.produce(quotes, batch('q1'));
    await waitFor(
      'the first half',
      async () => (await cluster.readTopic(output, { count: 48, timeoutMs: 2_000 })).length >= 48,
      30_000,
    );

    await a.app.close();
    await waitFor('b to own every task', () => tasksOf(b.server.currentAssignment()).length === 4, 30_000);
    await cluster.produce(trades, batch('t2'));
    await cluster.produce(quotes, batch('q2'));

    const expected = [...batch('t1'), ...batch('q1'), ...batch('t2'), ...batch('q2')].map((r) => r.value);
    let copied: string[] = [];
    await waitFor(
      'every record copied',
      async () => {
        copied = valuesOf(await cluster.readTopic(output, { count: expected.length + 1, timeoutMs: 1_500 }));
        return copied.length >= expected.length;
      },
      30_000,
    );
    const inputs = copied.map((value) => value.split('@')[0]!);
    expect(new Set(inputs).size).toBe(inputs.length); // no duplicates
    expect(inputs.sort()).toEqual([...expected].sort()); // no loss
    expect(
      copied.filter((v) => v.startsWith('t2') || v.startsWith('q2')).every((v) => v.endsWith('@b')),
    ).toBe(true);
    expect(copied.some((v) => v.endsWith('@a'))).toBe(true);
  });

  it('fences a zombie: a member evicted mid-transaction commits nothing after the new owner took over', async () => {
    const [input, other, output, groupId] = ['in', 'other', 'out', 'group'].map((l) =>
      cluster.uniqueName(l),
    ) as [string, string, string, string];
    await cluster.createTopics([input, other], 2);
    await cluster.createTopics([`${input}.dlq`, `${other}.dlq`, output]);
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    let zombieHung = false;
    const zombieFailures: unknown[] = [];
    await startMember('zombie', [input, other], output, groupId, {
      failures: zombieFailures,
      beforeCommit: async (record) => {
        if (record.value!.toString() !== 'hang') return;
        zombieHung = true;
        // No heartbeat while hung: the coordinator evicts the member after the 6 s session timeout.
        await hung;
      },
    });
    await cluster.produce(input, [{ key: 'AAPL', value: 'hang' }]);
    await waitFor('the zombie to hang inside its transaction', () => zombieHung, 20_000);

    const heir = await startMember('heir', [input, other], output, groupId);
    await waitFor(
      'the heir to own every task',
      () => tasksOf(heir.server.currentAssignment()).length === 2,
      40_000,
    );
    await waitFor(
      'the heir to copy the record',
      async () =>
        valuesOf(await cluster.readTopic(output, { count: 1, timeoutMs: 1_500 })).includes('hang@heir'),
      30_000,
    );
    // The zombie wakes up and tries to commit its transaction (output + input offset).
    release();
    await waitFor('the zombie transaction to fail', () => zombieFailures.length > 0, 20_000);
    await cluster.produce(input, [{ key: 'AAPL', value: 'after' }]);
    await waitFor(
      'the next record',
      async () =>
        valuesOf(await cluster.readTopic(output, { count: 3, timeoutMs: 1_500 })).some((v) =>
          v.startsWith('after@'),
        ),
      40_000,
    );
    const committed = valuesOf(await cluster.readTopic(output, { count: 4, timeoutMs: 2_000 }));
    expect(committed.filter((v) => v.startsWith('hang@'))).toEqual(['hang@heir']);
    expect(committed.filter((v) => v.startsWith('after@'))).toHaveLength(1);
    expect(String(zombieFailures[0])).toMatch(/fenc|epoch|PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|not owned/i);
  });
});
