import { Writable } from 'node:stream';
import { DLQ_HEADERS, TOPICS, TRADE_V1_FIXTURES } from '@tickwire/contracts';
import { type RunningService, startService } from '@tickwire/service-kit';
import { createLocalKafka, uniqueName, commitOffsetsAtEnd } from '@tickwire/testing';
import { AppModule } from './app.module';
import { ENRICHER_INPUT_TOPICS } from './enrichment/enrichment-pipeline.service';
import { ENRICHER } from './service-definition';

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

describe('enricher on the local stack', () => {
  const kafka = createLocalKafka('enricher-int-test');
  const admin = kafka.admin();
  const groupId = uniqueName('it-enricher');
  // Own transactional id (SERVICE_NAME-hostname) and changelog: a running enricher on this machine is not fenced or disturbed.
  const serviceName = uniqueName('enricher-it');
  const changelogTopic = uniqueName('it-enricher-changelog');
  let running: RunningService<unknown>;

  beforeAll(async () => {
    await admin.connect();
    // Start the test's group at the end of every shared input topic: only this test's records matter
    // (see commitOffsetsAtEnd: kafkajs' resetOffsets let it read every earlier run's records first).
    await commitOffsetsAtEnd(admin, groupId, ENRICHER_INPUT_TOPICS);
    running = await startService(AppModule, ENRICHER, {
      env: {
        ...process.env,
        KAFKA_CONSUMER_GROUP: groupId,
        SERVICE_NAME: serviceName,
        ENRICHER_CHANGELOG_TOPIC: changelogTopic,
        LOG_LEVEL: 'warn',
      },
      httpPort: 0,
      logDestination: discard,
    });
  });

  afterAll(async () => {
    await running?.app.close();
    await admin.deleteTopics({ topics: [changelogTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('answers liveness, readiness (Kafka, DynamoDB, pending symbol-state writes) and metrics', async () => {
    expect((await fetch(`${running.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${running.url}/health/ready`);
    const body = (await ready.json()) as { info: Record<string, { status: string; pending?: number }> };
    expect(ready.status).toBe(200);
    expect(Object.keys(body.info).sort()).toEqual(['dynamodb', 'kafka', 'kafka-consumer', 'symbol-state']);
    expect(typeof body.info['symbol-state']?.pending).toBe('number');
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain(`process_cpu_seconds_total{service="${serviceName}"}`);
    expect(metrics).toMatch(/^tickwire_enricher_symbol_state_pending_records\{[^}]*\} \d+$/m);
  });

  it('consumes valid trades and dead-letters a malformed one, then commits past both', async () => {
    const symbol = 'ZZIT';
    const valid = {
      ...TRADE_V1_FIXTURES[0]!.event,
      payload: { ...TRADE_V1_FIXTURES[0]!.event.payload, symbol },
    };
    // The shared DLQ may hold many other runs' dead letters: read it from its end as of now.
    const dlq = `${TOPICS.trades}.dlq`;
    const dlqStart = await admin.fetchTopicOffsets(dlq);
    const producer = kafka.producer();
    await producer.connect();
    const marker = uniqueName('malformed');
    const [sent] = await producer.send({
      topic: TOPICS.trades,
      acks: -1,
      messages: [
        { key: symbol, value: JSON.stringify(valid) },
        { key: symbol, value: `{"not json ${marker}` },
      ],
    });
    await producer.disconnect();

    // Both records went to one partition (same key); the group must commit past the malformed one.
    const afterOurs = BigInt(sent!.baseOffset!) + 2n;
    const committed = async (): Promise<bigint> => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [TOPICS.trades] });
      return BigInt(offsets!.partitions.find((p) => p.partition === sent!.partition)?.offset ?? '-1');
    };
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await committed()) < afterOurs)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await committed()).toBeGreaterThanOrEqual(afterOurs);

    // Other tests may write to the shared topic meanwhile, hence "at least".
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    const sample = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? 0);
    expect(
      sample(
        new RegExp(
          `tickwire_records_consumed_total\\{topic="market\\.trades\\.v1",service="${serviceName}"\\} (\\d+)`,
        ),
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(
        new RegExp(
          `tickwire_dlq_records_total\\{topic="market\\.trades\\.v1",reason="MalformedJson",service="${serviceName}"\\} (\\d+)`,
        ),
      ),
    ).toBeGreaterThanOrEqual(1);

    // The dead letter carries the original bytes and the contract's error class.
    const readerGroup = uniqueName('it-dlq-reader');
    await admin.setOffsets({
      groupId: readerGroup,
      topic: dlq,
      partitions: dlqStart.map(({ partition, high }) => ({ partition, offset: high })),
    });
    const reader = kafka.consumer({ groupId: readerGroup, maxWaitTimeInMs: 200 });
    await reader.connect();
    await reader.subscribe({ topics: [dlq], fromBeginning: true });
    const found = await new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('dead letter not found')), 20_000);
      void reader.run({
        eachMessage: async ({ message }) => {
          if (message.value?.toString().includes(marker)) {
            clearTimeout(timer);
            resolve(
              Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
              ),
            );
          }
        },
      });
    });
    await reader.disconnect();
    expect(found[DLQ_HEADERS.errorClass]).toBe('MalformedJson');
    expect(found[DLQ_HEADERS.service]).toBe(serviceName);
    expect(found[DLQ_HEADERS.consumerGroup]).toBe(groupId);
  });
});
