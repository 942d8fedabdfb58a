import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DLQ_HEADERS, parseDlqHeaders } from '@tickwire/contracts';
import { SILENT_LOGGER } from '../client/structured-logger';
import type { KafkaRecord } from '../kafka-record';
import type { KafkaMetricsSink } from '../kafka-metrics-sink';
import { KafkaTestCluster, TEST_BROKERS, waitFor } from '../testing/kafka-test-cluster';
import type { BatchHandlingResult } from './kafka-handler-options';
import { KafkaConsumerContext } from './kafka-consumer-context';
import {
  KAFKA_TASKS_ASSIGNED,
  KafkaConsumerServer,
  type KafkaConsumerServerOptions,
  type TasksAssigned,
} from './kafka-consumer-server';
import { RethrowRpcExceptionFilter } from './rethrow-rpc-exception-filter';
import { RecordProducer } from '../producer/record-producer';
import type { Consumer } from 'kafkajs';

jest.setTimeout(90_000);

/** A latch a handler awaits, so the test can look at the broker while the handler is mid-flight. */
function latch(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

async function startMicroservice(
  controller: new (...args: never[]) => unknown,
  options: KafkaConsumerServerOptions | KafkaConsumerServer,
): Promise<INestMicroservice> {
  @Module({ controllers: [controller] })
  class TestModule {}
  const strategy = options instanceof KafkaConsumerServer ? options : new KafkaConsumerServer(options);
  const app = await NestFactory.createMicroservice(TestModule, { strategy, logger: false });
  app.useGlobalFilters(new RethrowRpcExceptionFilter());
  await app.listen();
  return app;
}

/** Records what the server reports through the metrics port. */
class RecordingMetrics implements KafkaMetricsSink {
  consumed = 0;
  deadLettered: string[] = [];
  lag: [string, number, number][] = [];
  recordsConsumed(_topic: string, count: number): void {
    this.consumed += count;
  }
  recordDeadLettered(_topic: string, reason: string): void {
    this.deadLettered.push(reason);
  }
  handlerDuration(): void {
    return undefined;
  }
  consumerLag(topic: string, partition: number, lagRecords: number): void {
    this.lag.push([topic, partition, lagRecords]);
  }
}

function serverOptions(
  groupId: string,
  extra: Partial<KafkaConsumerServerOptions> = {},
): KafkaConsumerServerOptions {
  return {
    connection: { brokers: TEST_BROKERS, clientId: groupId },
    groupId,
    serviceName: 'kafka-int-test',
    logger: SILENT_LOGGER,
    ...extra,
  };
}

/**
 * A controller whose record handler writes the record upper-cased to `output` in a transaction with
 * the input offset; for `abort-me` it throws after sending, so that transaction aborts.
 */
function upperCaseTransform(input: string, output: string): new () => unknown {
  @Controller()
  class TransformController {
    @EventPattern(input)
    async handle(@Payload() record: KafkaRecord, @Ctx() context: KafkaConsumerContext): Promise<void> {
      const text = record.value!.toString();
      await context.transaction(async (tx) => {
        await tx.sendBatch([{ topic: output, key: record.key, value: text.toUpperCase() }]);
        // Fails after sending: the transaction aborts, the output must never become visible.
        if (text === 'abort-me') throw new Error('late failure');
      });
    }
  }
  return TransformController;
}

describe('KafkaConsumerServer on the real Kafka', () => {
  const cluster = new KafkaTestCluster();
  let app: INestMicroservice | undefined;

  beforeAll(() => cluster.connect());
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => cluster.disconnect());

  it('commits a failing record only after its dead letter is written, and keeps consuming', async () => {
    const topic = cluster.uniqueName('orders');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([topic, `${topic}.dlq`]);
    const poisonReached = latch();
    const releasePoison = latch();
    const handled: string[] = [];

    @Controller()
    class OrdersController {
      @EventPattern(topic)
      async handle(@Payload() record: KafkaRecord, @Ctx() context: KafkaConsumerContext): Promise<void> {
        expect(context.getTopic()).toBe(topic);
        const text = record.value?.toString('utf8') ?? '';
        if (text === 'poison') {
          poisonReached.open();
          await releasePoison.wait;
          throw new TypeError('poison pill');
        }
        handled.push(text);
      }
    }

    await cluster.produce(topic, [
      { key: 'AAPL', value: 'first' },
      { key: 'AAPL', value: 'poison', headers: { traceparent: '00-trace-01' } },
      { key: 'AAPL', value: 'third' },
    ]);
    const metrics = new RecordingMetrics();
    const server = new KafkaConsumerServer(serverOptions(groupId, { metrics }));
    await expect(server.probe()).rejects.toThrow('Kafka consumer is idle');
    app = await startMicroservice(OrdersController, server);

    await poisonReached.wait;
    await expect(server.probe()).resolves.toMatchObject({ consumerStatus: 'connected', topics: [topic] });
    try {
      // The poison record (offset 1) is in its handler: nothing at or past it may be committed yet.
      expect(await cluster.committedOffset(groupId, topic)).toBeLessThanOrEqual(1);
      expect(await cluster.readTopic(`${topic}.dlq`, { count: 1, timeoutMs: 1_500 })).toEqual([]);
    } finally {
      releasePoison.open();
    }

    await waitFor('offset 3 committed', async () => (await cluster.committedOffset(groupId, topic)) === 3);
    expect(handled).toEqual(['first', 'third']);
    expect(metrics.consumed).toBe(3);
    expect(metrics.deadLettered).toEqual(['ProcessingFailed']);
    expect(metrics.lag[metrics.lag.length - 1]).toEqual([topic, 0, 0]);
    const [dead, ...more] = await cluster.readTopic(`${topic}.dlq`, { count: 2, timeoutMs: 3_000 });
    expect(more).toEqual([]);
    expect(dead!.key!.toString()).toBe('AAPL');
    expect(dead!.value!.toString()).toBe('poison');
    expect(dead!.headers['traceparent']!.toString()).toBe('00-trace-01');
    const headers = parseDlqHeaders(dead!.headers as Record<string, Buffer>);
    expect(headers.success).toBe(true);
    expect(headers.data).toMatchObject({
      [DLQ_HEADERS.originalTopic]: topic,
      [DLQ_HEADERS.originalPartition]: '0',
      [DLQ_HEADERS.originalOffset]: '1',
      [DLQ_HEADERS.errorClass]: 'ProcessingFailed',
      [DLQ_HEADERS.errorMessage]: 'TypeError: poison pill',
      [DLQ_HEADERS.service]: 'kafka-int-test',
      [DLQ_HEADERS.consumerGroup]: groupId,
    });
  });

  it('on close, stops fetching, lets the in-flight record finish and commits it before disconnecting', async () => {
    const topic = cluster.uniqueName('shutdown');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([topic, `${topic}.dlq`]);
    const inFlight = latch();
    const release = latch();
    const handled: string[] = [];

    @Controller()
    class SlowController {
      @EventPattern(topic)
      async handle(@Payload() record: KafkaRecord): Promise<void> {
        const text = record.value!.toString();
        if (text === 'slow') {
          inFlight.open();
          await release.wait;
        }
        handled.push(text);
      }
    }

    await cluster.produce(topic, [
      { key: 'IBM', value: 'slow' },
      { key: 'IBM', value: 'after-shutdown' },
    ]);
    const microservice = await startMicroservice(SlowController, serverOptions(groupId));
    await inFlight.wait;
    const closed = microservice.close();
    let closeResolved = false;
    void closed.then(() => (closeResolved = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // close() waits for the handler still running.
    expect(closeResolved).toBe(false);
    release.open();
    await closed;
    expect(handled).toEqual(['slow']);
    // The in-flight record was committed on the way out; the next one was never started.
    expect(await cluster.committedOffset(groupId, topic)).toBe(1);
  });

  it('redelivers a batch whose handler threw, and dead-letters what a batch handler rejects', async () => {
    const topic = cluster.uniqueName('bulk');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([topic, `${topic}.dlq`]);
    const attempts: string[][] = [];

    @Controller()
    class BulkController {
      @EventPattern(topic, { batch: true })
      handle(@Payload() records: KafkaRecord[]): BatchHandlingResult {
        attempts.push(records.map((record) => record.offset));
        // First delivery: the sink is "down", nothing may be committed and the batch must come again.
        if (attempts.length === 1) throw new Error('sink unavailable');
        return {
          deadLetters: records
            .filter((record) => record.value?.toString() === 'rejected')
            .map((record) => ({
              record,
              error: Object.assign(new Error('mapping conflict'), { errorClass: 'ProcessingFailed' }),
            })),
        };
      }
    }

    await cluster.produce(topic, [
      { key: 'MSFT', value: 'a' },
      { key: 'MSFT', value: 'rejected' },
      { key: 'MSFT', value: 'c' },
    ]);
    app = await startMicroservice(BulkController, serverOptions(groupId));

    await waitFor(
      'offset 3 committed',
      async () => (await cluster.committedOffset(groupId, topic)) === 3,
      45_000,
    );
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts[0]![0]).toBe('0');
    expect(attempts[attempts.length - 1]![0]).toBe('0');
    const dead = await cluster.readTopic(`${topic}.dlq`, { count: 2, timeoutMs: 3_000 });
    expect(dead.map((record) => record.value!.toString())).toEqual(['rejected']);
    expect(dead[0]!.headers[DLQ_HEADERS.errorMessage]!.toString()).toBe('mapping conflict');
  });

  it('consume-transform-produce: output and input offset commit in one transaction, read_committed sees only committed output', async () => {
    const input = cluster.uniqueName('in');
    const output = cluster.uniqueName('out');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([input, `${input}.dlq`, output]);

    const TransformController = upperCaseTransform(input, output);

    await cluster.produce(input, [
      { key: 'GOOG', value: 'one' },
      { key: 'GOOG', value: 'abort-me' },
      { key: 'GOOG', value: 'two' },
    ]);
    app = await startMicroservice(
      TransformController,
      serverOptions(groupId, { transactionalIdPrefix: cluster.uniqueName('tx') }),
    );

    await waitFor('offset 3 committed', async () => (await cluster.committedOffset(groupId, input)) === 3);
    const committed = await cluster.readTopic(output, { count: 3, timeoutMs: 3_000 });
    expect(committed.map((record) => record.value!.toString())).toEqual(['ONE', 'TWO']);
    // The aborted record is physically in the log; only read_uncommitted shows it.
    const uncommitted = await cluster.readTopic(output, {
      count: 3,
      timeoutMs: 3_000,
      readUncommitted: true,
    });
    expect(uncommitted.map((record) => record.value!.toString())).toEqual(['ONE', 'ABORT-ME', 'TWO']);
    const dead = await cluster.readTopic(`${input}.dlq`, { count: 1, timeoutMs: 3_000 });
    expect(dead.map((record) => record.value!.toString())).toEqual(['abort-me']);
  });

  it('Kafka: a plain offset commit that lands while a transactional one is pending replaces it when the transaction commits', async () => {
    // Why the server never plain-commits in transactional mode (see KafkaConsumerServer's class doc).
    const input = cluster.uniqueName('in');
    const output = cluster.uniqueName('out');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([input, output]);
    await cluster.produce(
      input,
      Array.from({ length: 300 }, (_, i) => ({ key: 'GOOG', value: String(i) })),
    );
    const producer = new RecordProducer(cluster.kafka, { transactionalId: cluster.uniqueName('tx') });
    const admin = cluster.kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    try {
      await producer.initTransactions();
      await producer.transaction(async (tx) => {
        await tx.sendBatch([{ topic: output, key: 'GOOG', value: 'through 199' }]);
        await tx.sendOffsets({
          consumerGroupId: groupId,
          offsets: [{ topic: input, partition: 0, offset: '200' }],
        });
        // A second writer of the same group offset, with an older position, while the above is pending.
        await admin.setOffsets({ groupId, topic: input, partitions: [{ partition: 0, offset: '150' }] });
      });
      expect(await cluster.readTopic(output, { count: 1, timeoutMs: 5_000 })).toHaveLength(1);
      // Output visible = markers written; give the __consumer_offsets marker the same moment again.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      // The outputs of records 150..199 are committed, yet the group would read those records again.
      expect(await cluster.committedOffset(groupId, input)).toBe(150);
    } finally {
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }
  });

  it('transactional mode: the group offset moves only in transactions (no plain commit); a dead-lettered last record is committed by an offsets-only transaction', async () => {
    const input = cluster.uniqueName('in');
    const output = cluster.uniqueName('out');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([input, `${input}.dlq`, output]);

    const TransformController = upperCaseTransform(input, output);

    // The server's and kafkajs' warnings, shown if the commit does not come (CI once waited 20 s in vain).
    const logged: string[] = [];
    const record =
      (level: string) =>
      (fields: object, message: string): void => {
        logged.push(`${new Date().toISOString()} ${level} ${message} ${JSON.stringify(fields)}`);
      };
    const logger = {
      error: record('error'),
      warn: record('warn'),
      info: record('info'),
      debug: () => undefined,
      level: 'warn',
    };
    const server = new KafkaConsumerServer(
      serverOptions(groupId, { transactionalIdPrefix: cluster.uniqueName('tx'), logger }),
    );
    app = await startMicroservice(TransformController, server);
    // kafkajs reports every plain OffsetCommit it sent (OffsetManager.commitOffsets).
    const plainCommits: unknown[] = [];
    const consumer = server['consumer'] as Consumer;
    consumer.on(consumer.events.COMMIT_OFFSETS, (event) => plainCommits.push(event.payload));
    await cluster.produce(input, [
      { key: 'GOOG', value: 'one' },
      { key: 'GOOG', value: 'two' },
      { key: 'GOOG', value: 'abort-me' },
    ]);

    // 60 s: an aborted transaction's markers must complete before the offsets-only one can start
    // (the broker answers CONCURRENT_TRANSACTIONS meanwhile and kafkajs retries with back-off).
    await waitFor(
      'offset 3 committed',
      async () => (await cluster.committedOffset(groupId, input)) === 3,
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; server log:\n${logged.join('\n')}`);
    });
    const dead = await cluster.readTopic(`${input}.dlq`, { count: 1, timeoutMs: 3_000 });
    expect(dead.map((record) => record.value!.toString())).toEqual(['abort-me']);
    expect(
      (await cluster.readTopic(output, { count: 3, timeoutMs: 3_000 })).map((r) => r.value!.toString()),
    ).toEqual(['ONE', 'TWO']);
    expect(plainCommits).toEqual([]);
  });

  it('transactional mode: the tasks-assigned handler hears the group join with no record consumed, its owned tasks fenced', async () => {
    const input = cluster.uniqueName('in');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([input], 3);
    const joins: { groupId: string; generation: number; owned: number[] }[] = [];

    @Controller()
    class LifecycleController {
      @EventPattern(input)
      handle(): void {
        throw new Error('no record is produced to this topic');
      }

      @EventPattern(KAFKA_TASKS_ASSIGNED)
      async assigned(@Payload() event: TasksAssigned): Promise<void> {
        await event.tasks.ready();
        joins.push({
          groupId: event.groupId,
          generation: event.tasks.generation,
          owned: event.tasks.ownedTasks(),
        });
      }
    }
    const server = new KafkaConsumerServer(
      serverOptions(groupId, { transactionalIdPrefix: cluster.uniqueName('tx') }),
    );
    app = await startMicroservice(LifecycleController, server);
    // The pattern is a lifecycle event, not a topic to subscribe to.
    expect(server.subscribedTopics()).toEqual([input]);
    await waitFor('the first join to be reported', async () => joins.length >= 1, 30_000);
    expect(joins[0]).toEqual({ groupId, generation: 1, owned: [0, 1, 2] });
  });

  it('transactional mode: a handler that committed the offsets in its own task transaction (markOffsetsCommitted) gets no second commit', async () => {
    const input = cluster.uniqueName('in');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([input]);
    const handled: string[] = [];

    @Controller()
    class MarkingController {
      @EventPattern(input, { batch: true })
      handle(@Payload() records: KafkaRecord[], @Ctx() context: KafkaConsumerContext): void {
        handled.push(...records.map((record) => record.value!.toString()));
        // Claims a commit it never made: the server must trust it and commit nothing itself.
        const last = records[records.length - 1]!;
        context.markOffsetsCommitted(String(Number(last.offset) + 1));
      }
    }

    app = await startMicroservice(
      MarkingController,
      serverOptions(groupId, { transactionalIdPrefix: cluster.uniqueName('tx') }),
    );
    await cluster.produce(input, [
      { key: 'GOOG', value: 'one' },
      { key: 'GOOG', value: 'two' },
    ]);
    await waitFor('both records handled', () => handled.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await cluster.committedOffset(groupId, input)).toBe(-1);
  });

  it('transactional mode: a buffering handler (deferOffsetCommit) gets its fetch end and no commit; the next batch continues after the buffered records', async () => {
    const input = cluster.uniqueName('in');
    const groupId = cluster.uniqueName('group');
    await cluster.createTopics([input]);
    const batches: { values: string[]; fetchEnd: { nextOffset: string; caughtUp: boolean } }[] = [];

    @Controller()
    class BufferingController {
      @EventPattern(input, { batch: true })
      handle(@Payload() records: KafkaRecord[], @Ctx() context: KafkaConsumerContext): void {
        context.deferOffsetCommit();
        batches.push({
          values: records.map((record) => record.value!.toString()),
          fetchEnd: context.getFetchEnd(),
        });
      }
    }

    app = await startMicroservice(
      BufferingController,
      serverOptions(groupId, { transactionalIdPrefix: cluster.uniqueName('tx') }),
    );
    await cluster.produce(input, [
      { key: 'GOOG', value: 'one' },
      { key: 'GOOG', value: 'two' },
    ]);
    await waitFor('the first records', () => batches.flatMap((b) => b.values).length === 2);
    await cluster.produce(input, [{ key: 'GOOG', value: 'three' }]);
    await waitFor('the third record', () => batches.flatMap((b) => b.values).length === 3);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Fetched on past the buffered records (no redelivery), and nothing committed for them.
    expect(batches.flatMap((b) => b.values)).toEqual(['one', 'two', 'three']);
    expect(batches[batches.length - 1]?.fetchEnd).toEqual({ nextOffset: '3', caughtUp: true });
    expect(await cluster.committedOffset(groupId, input)).toBe(-1);
  });
});
