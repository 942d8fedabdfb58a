import { Writable } from 'node:stream';
import type { Client } from '@opensearch-project/opensearch';
import { BAR_1M_V1_FIXTURES, buildEvent, TOPICS } from '@tickwire/contracts';
import { dailyIndexName } from '@tickwire/resources';
import { MetricsService, type RunningService, startService } from '@tickwire/service-kit';
import { createLocalKafka, createLocalOpenSearch, uniqueName, waitUntil } from '@tickwire/testing';
import type { Admin, Producer } from 'kafkajs';
import { AppModule } from '../app.module';
import { OPENSEARCH_INDEXER } from '../service-definition';
import { IndexerConsumer } from './indexer-consumer';

/**
 * Scale-out and shutdown of the indexer on the real stack (Kafka, OpenSearch): two instances (Nest
 * apps in this process, each with its own Kafka consumer) in one group split the partitions of its
 * topics co-partitioned; one is shut down as on SIGTERM while 1-minute bars stream in, within 10 s,
 * and the other takes its partitions over. Afterwards the group's committed offsets are the topics'
 * ends and the day's index holds exactly the bars produced (ids `<symbol>:<startTime>`), each at
 * `_version` 1: nothing lost, nothing left uncommitted, nothing indexed twice.
 *
 * Isolation as in bulk-indexing.int-spec.ts: a group positioned at the topics' ends, and bars on a
 * unique far-future day, so the index is this run's own.
 */
const DAY_MS = 86_400_000;
const TOPICS_UNDER_TEST = [TOPICS.enriched, TOPICS.bars1m, TOPICS.alerts];
const BARS = 6_000;
const SYMBOLS = 12;
/** Partitions of each topic under test (tools/stack creates them with 3). */
const PARTITIONS = 3;
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });


describe('opensearch-indexer scale-out: two instances, one group, graceful handover (real Kafka, OpenSearch)', () => {
  const kafka = createLocalKafka('it-indexer-scale');
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer();
  const groupId = uniqueName('it-indexer-scale');
  const token = Math.random()
    .toString(36)
    .slice(2, 6)
    .toUpperCase()
    .replace(/[^A-Z]/g, 'Q');
  // A unique whole day in 2040..2067 (bulk-indexing.int-spec.ts uses 2070..2099): the index is this run's.
  const dayStart = Date.UTC(2040, 0, 1) + Math.floor(Math.random() * 10_000) * DAY_MS;
  const index = dailyIndexName('bars-1m', dayStart + 1);
  const base = BAR_1M_V1_FIXTURES[0]!.event;
  let search: Client;
  const instances: RunningService<unknown>[] = [];
  /** Records this instance counted as handled (tickwire_records_consumed_total of `topic`). */
  const handled = async (running: RunningService<unknown>, topic: string): Promise<number> =>
    (await running.app.get(MetricsService).recordsConsumedTotal.get()).values
      .filter((value) => value.labels.topic === topic)
      .reduce((sum, value) => sum + value.value, 0);

  /** Bar k: symbol k mod 12, minute k div 12 of the day (the last minute ends before midnight). */
  const bar = (k: number) => {
    const startTime = dayStart + Math.floor(k / SYMBOLS) * 60_000;
    return buildEvent('market.bar.1m.v1', {
      eventTime: startTime + 60_000,
      ingestTime: startTime + 60_000,
      source: base.source,
      payload: {
        ...base.payload,
        symbol: `X${token}${String.fromCharCode(65 + (k % SYMBOLS))}`,
        startTime,
        endTime: startTime + 60_000,
      },
    });
  };
  const produce = async (from: number, to: number) => {
    for (let k = from; k < to; k += 500) {
      const events = Array.from({ length: Math.min(500, to - k) }, (_, i) => bar(k + i));
      await producer.send({
        topic: TOPICS.bars1m,
        acks: -1,
        // Symbol k mod 12 on partition (k mod 12) mod 3: every partition gets bars whatever the random
        // token does to the key hash, so each instance has work (a hashed key left one idle 1 time in ~100).
        messages: events.map((event, i) => ({
          key: event.payload.symbol,
          partition: ((k + i) % SYMBOLS) % PARTITIONS,
          value: JSON.stringify(event),
        })),
      });
    }
  };
  const start = async () => {
    const running = await startService(AppModule, OPENSEARCH_INDEXER, {
      env: { ...process.env, KAFKA_CONSUMER_GROUP: groupId, LOG_LEVEL: 'warn' },
      httpPort: 0,
      logDestination: discard,
    });
    instances.push(running);
    return running;
  };
  const tasks = (running: RunningService<unknown>) =>
    running.app.get(IndexerConsumer).currentAssignment()[TOPICS.bars1m] ?? [];
  const lagging = async (): Promise<string[]> => {
    const committed = await admin.fetchOffsets({ groupId, topics: [TOPICS.bars1m] });
    const ends = await admin.fetchTopicOffsets(TOPICS.bars1m);
    return ends
      .filter(
        ({ partition, high }) =>
          committed[0]?.partitions.find((p) => p.partition === partition)?.offset !== high,
      )
      .map(({ partition }) => String(partition));
  };
  const count = async (): Promise<number> => {
    await search.indices.refresh({ index, ignore_unavailable: true });
    return ((await search.count({ index, ignore_unavailable: true } as never)).body as { count: number })
      .count;
  };

  beforeAll(async () => {
    search = createLocalOpenSearch();
    await admin.connect();
    await producer.connect();
    for (const topic of TOPICS_UNDER_TEST) {
      const partitions = (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({
        partition,
        offset: high,
      }));
      await admin.setOffsets({ groupId, topic, partitions });
    }
  });

  afterAll(async () => {
    for (const running of instances) await running.shutdown('SIGTERM').catch(() => undefined);
    await search?.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('splits partitions, hands them over on SIGTERM within 10 s, and indexes every bar exactly once', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    await waitUntil('both instances to own partitions', () => tasks(a!).length > 0 && tasks(b!).length > 0);
    for (const running of [a!, b!]) {
      const assignment = running.app.get(IndexerConsumer).currentAssignment();
      for (const topic of TOPICS_UNDER_TEST) expect(assignment[topic]).toEqual(assignment[TOPICS.bars1m]);
    }
    expect([...tasks(a!), ...tasks(b!)].sort()).toEqual(Array.from({ length: PARTITIONS }, (_, p) => p));

    await produce(0, BARS / 2);
    // Both instances have indexed part of the first half before one of them is stopped.
    await waitUntil(
      'both instances to handle bars',
      async () => (await handled(a!, TOPICS.bars1m)) > 0 && (await handled(b!, TOPICS.bars1m)) > 0,
    );
    // Shut one down (service-kit's SIGTERM path) while the second half streams in.
    const streaming = produce(BARS / 2, BARS);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopping = Date.now();
    await a!.shutdown('SIGTERM');
    const shutdownMs = Date.now() - stopping;
    instances.splice(instances.indexOf(a!), 1);
    await streaming;
    expect(shutdownMs).toBeLessThan(10_000);

    await waitUntil('the other instance to own every partition', () => tasks(b!).length === 3);
    await waitUntil('every partition committed to its end', async () => (await lagging()).length === 0, 40_000);
    await waitUntil('every bar indexed', async () => (await count()) >= BARS, 20_000);
    expect(await count()).toBe(BARS);
    // Both instances did part of the work: the partitions really were split.
    expect(await handled(a!, TOPICS.bars1m)).toBeGreaterThan(0);
    expect(await handled(b!, TOPICS.bars1m)).toBeGreaterThan(0);
    // Nothing indexed twice: the stopped instance committed all it indexed before leaving the group.
    // An `index` of an existing _id bumps its _version, so every document of this run must be at
    // version 1. (Not the instances' consumed counters: concurrently running enricher tests write
    // bars of their own to the shared topic, and this group consumes those too.)
    const ids = new Set(Array.from({ length: BARS }, (_, k) => bar(k).id));
    const all = await search.search({
      index,
      body: { size: BARS, version: true, _source: false, query: { match_all: {} } },
    } as never);
    const hits = (all.body as { hits: { hits: { _id: string; _version: number }[] } }).hits.hits;
    expect(hits).toHaveLength(BARS);
    expect(hits.filter((hit) => !ids.has(hit._id))).toEqual([]);
    expect(hits.filter((hit) => hit._version !== 1).map((hit) => hit._id)).toEqual([]);
    console.info(`indexer SIGTERM under load: shutdown ${shutdownMs} ms`);
  }, 90_000);
});
