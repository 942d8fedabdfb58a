import { Writable } from 'node:stream';
import type { Client } from '@opensearch-project/opensearch';
import {
  buildEvent,
  DLQ_HEADERS,
  dlqTopic,
  GOLDEN_FIXTURES,
  INVALID_FIXTURES,
  type SchemaName,
  TOPIC_SCHEMAS,
  TOPICS,
  type TickwireEvent,
} from '@tickwire/contracts';
import { dailyIndexName, type SearchStream } from '@tickwire/resources';
import { type RunningService, startService } from '@tickwire/service-kit';
import { createLocalKafka, createLocalOpenSearch, freePort, uniqueName } from '@tickwire/testing';
import type { Admin, Consumer, IHeaders, Producer } from 'kafkajs';
import { AppModule } from '../app.module';
import { OPENSEARCH_INDEXER } from '../service-definition';

/**
 * The indexer on the real local stack (Kafka 9092, OpenSearch 9200). The topics are the real ones
 * (IndexerConsumer subscribes to the contract's topics); isolation comes from a unique consumer
 * group positioned at the topics' ends before the test produces, and from event times shifted to a
 * unique far-future day, so every index this test writes (`market-*-20xx.MM.DD`) is its own.
 */

const DAY_MS = 86_400_000;
const TOPICS_UNDER_TEST = [TOPICS.enriched, TOPICS.bars1m, TOPICS.alerts] as const;
const STREAM: Record<(typeof TOPICS_UNDER_TEST)[number], SearchStream> = {
  [TOPICS.enriched]: 'enriched',
  [TOPICS.bars1m]: 'bars-1m',
  [TOPICS.alerts]: 'alerts',
};
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

/** A unique whole-day shift into 2070..2099, so this run's daily indices are its own. */
const SHIFT_MS =
  (Math.floor((Date.UTC(2070, 0, 1) - Date.UTC(2012, 5, 21)) / DAY_MS) + Math.floor(Math.random() * 10_000)) *
  DAY_MS;

/** A golden event moved by `shiftMs` (whole days: minute alignment kept), id recomputed by its recipe. */
function shifted(event: TickwireEvent, shiftMs: number): TickwireEvent {
  const { schema, id: _id, ...rest } = structuredClone(event) as TickwireEvent & { eventTimeNs?: string };
  void _id;
  const input = rest as Record<string, unknown> & {
    payload: Record<string, unknown>;
    eventTime: number;
    eventTimeNs?: string;
  };
  input.eventTime += shiftMs;
  if (input.eventTimeNs !== undefined)
    input.eventTimeNs = (BigInt(input.eventTimeNs) + BigInt(shiftMs) * 1_000_000n).toString();
  for (const [field, value] of Object.entries(input.payload)) {
    if (/(Time|TimeMs)$/.test(field) && field !== 'processingTime' && typeof value === 'number')
      input.payload[field] = value + shiftMs;
  }
  return buildEvent(schema as SchemaName, input as never) as TickwireEvent;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Sum over partitions of the group's committed offsets on `topics` (-1 = nothing committed counts as 0). */
async function committedPositions(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
    for (const { partition, offset } of entry.partitions) result[`${entry.topic}[${partition}]`] = offset;
  }
  return result;
}

async function endPositions(admin: Admin, topics: readonly string[]): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const topic of topics) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic))
      result[`${topic}[${partition}]`] = high;
  }
  return result;
}

async function setGroupPositions(
  admin: Admin,
  groupId: string,
  positions: Record<string, string>,
): Promise<void> {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const [key, offset] of Object.entries(positions)) {
    const [, topic, partition] = /^(.*)\[(\d+)\]$/.exec(key) as RegExpExecArray;
    byTopic.set(topic as string, [
      ...(byTopic.get(topic as string) ?? []),
      { partition: Number(partition), offset },
    ]);
  }
  for (const [topic, partitions] of byTopic) await admin.setOffsets({ groupId, topic, partitions });
}

describe('opensearch-indexer on the local stack: bulk indexing', () => {
  const kafka = createLocalKafka('it-opensearch-indexer');
  const admin = kafka.admin();
  const producer: Producer = kafka.producer();
  let search: Client;
  let groupId: string;
  let startPositions: Record<string, string>;
  let running: RunningService<unknown> | null = null;
  const dlqRecords: { topic: string; value: string; headers: IHeaders }[] = [];
  let dlqConsumer: Consumer;

  const golden = Object.fromEntries(
    TOPICS_UNDER_TEST.map((topic) => [
      topic,
      GOLDEN_FIXTURES[TOPIC_SCHEMAS[topic]]
        .map((fixture) => shifted(fixture.event as TickwireEvent, SHIFT_MS))
        // A fixture that is a variant of another's event (same id: the stale-close enriched trade) would
        // be one document overwritten; each event once keeps the counts and versions below exact.
        .filter((event, index, all) => all.findIndex((other) => other.id === event.id) === index),
    ]),
  ) as Record<(typeof TOPICS_UNDER_TEST)[number], TickwireEvent[]>;
  /** One JSON-safe SchemaViolation fixture per topic, tagged so this run finds its own dead letters. */
  const invalid = Object.fromEntries(
    TOPICS_UNDER_TEST.map((topic) => {
      const fixture = INVALID_FIXTURES[TOPIC_SCHEMAS[topic]].find(
        (candidate) => candidate.value !== undefined && candidate.expected.errorClass === 'SchemaViolation',
      )!;
      return [
        topic,
        { fixture, text: JSON.stringify({ ...(fixture.value as object), itRun: groupId ?? '' }) },
      ];
    }),
  );
  // A valid alert on a day whose index this test pre-creates with a conflicting mapping: a per-item 400.
  const poisonDayShift = SHIFT_MS + 3 * DAY_MS;
  const poisoned = shifted(GOLDEN_FIXTURES['market.alert.v1'][0]!.event as TickwireEvent, poisonDayShift);

  const start = async (env: Record<string, string> = {}) => {
    running = await startService(AppModule, OPENSEARCH_INDEXER, {
      env: {
        ...process.env,
        KAFKA_CONSUMER_GROUP: groupId,
        LOG_LEVEL: 'warn',
        BULK_FLUSH_INTERVAL_MS: '20',
        ...env,
      },
      httpPort: 0,
      logDestination: discard,
    });
  };
  const stop = async () => {
    if (!running) return;
    await running.app.close();
    running = null;
    // The next start (or setOffsets) needs the group empty: wait until the broker saw the member leave.
    // Up to twice the indexer's 30 s session timeout: a consumer that kafkajs was restarting when the
    // close came may not send its LeaveGroup, and the broker then expires it (a fresh-clone npm test
    // on the loaded machine timed out at 30 s).
    await waitFor(
      'the consumer group to be empty',
      async () => ((await admin.describeGroups([groupId])).groups[0]?.state === 'Empty' ? true : undefined),
      60_000,
    );
  };
  const refreshAndCount = async (index: string): Promise<number> => {
    await search.indices.refresh({ index, ignore_unavailable: true });
    const response = await search.count({ index, ignore_unavailable: true } as never);
    return (response.body as { count: number }).count;
  };
  const ourIndices = TOPICS_UNDER_TEST.map((topic) =>
    dailyIndexName(STREAM[topic], golden[topic][0]!.eventTime),
  );

  beforeAll(async () => {
    search = createLocalOpenSearch();
    groupId = uniqueName('it-indexer');
    for (const topic of TOPICS_UNDER_TEST)
      invalid[topic]!.text = JSON.stringify({ ...(invalid[topic]!.fixture.value as object), itRun: groupId });
    await admin.connect();
    await producer.connect();
    // The group starts where the topics end now: it sees only what this test produces.
    startPositions = await endPositions(admin, TOPICS_UNDER_TEST);
    await setGroupPositions(admin, groupId, startPositions);
    dlqConsumer = kafka.consumer({ groupId: uniqueName('it-indexer-dlq') });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({
      topics: TOPICS_UNDER_TEST.map((topic) => dlqTopic(topic)),
      fromBeginning: false,
    });
    await dlqConsumer.run({
      eachMessage: async ({ topic, message }) => {
        const value = message.value?.toString('utf8') ?? '';
        if (value.includes(groupId) || value.includes(poisoned.id))
          dlqRecords.push({ topic, value, headers: message.headers ?? {} });
      },
    });
    await waitFor('the DLQ consumer to join', async () =>
      (await dlqConsumer.describeGroup()).state === 'Stable' ? true : undefined,
    );
    await search.indices.create({
      index: dailyIndexName('alerts', poisoned.eventTime),
      body: { mappings: { properties: { symbol: { type: 'long' } } } },
    } as never);
  });

  afterEach(async () => {
    await stop();
  });

  afterAll(async () => {
    await dlqConsumer?.disconnect();
    await producer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
    await search.indices.delete({
      index: [...ourIndices, dailyIndexName('alerts', poisoned.eventTime)],
      ignore_unavailable: true,
    } as never);
    await search.close();
  });

  it('does not commit while OpenSearch is unreachable', async () => {
    for (const topic of TOPICS_UNDER_TEST) {
      await producer.send({
        topic,
        messages: [
          ...golden[topic].map((event) => ({
            key: (event.payload as { symbol: string }).symbol,
            value: JSON.stringify(event),
          })),
          { key: 'AAPL', value: invalid[topic]!.text },
          ...(topic === TOPICS.alerts ? [{ key: 'AAPL', value: JSON.stringify(poisoned) }] : []),
        ],
      });
    }
    await start({ OPENSEARCH_URL: `http://127.0.0.1:${await freePort()}`, BULK_MAX_RETRIES: '1' });
    // Long enough for the group to join and batches to fail their bulk requests (with a retry each),
    // short of kafkajs' own batch retries running out (~9 s), whose consumer restart would race the close.
    await waitFor(
      'a bulk retry',
      async () => {
        const text = await (await fetch(`${running!.url}/metrics`)).text();
        return /tickwire_bulk_retries_total\{reason="connection",service="opensearch-indexer"\} [1-9]/.test(
          text,
        )
          ? true
          : undefined;
      },
      8_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await committedPositions(admin, groupId, TOPICS_UNDER_TEST)).toEqual(startPositions);
    await stop();
    expect(await refreshAndCount(ourIndices.join(','))).toBe(0);
    // Joins, failing bulk requests, the close that waits for them and the group leaving (up to 30 s):
    // over a minute on a loaded 2-core machine (a fresh-clone run timed out at 60 s).
  }, 150_000);

  it('indexes every golden event once OpenSearch is back, dead-letters the invalid and the rejected, and commits', async () => {
    await start();
    const ends = await endPositions(admin, TOPICS_UNDER_TEST);
    await waitFor('the group to commit up to the end of the topics', async () => {
      const committed = await committedPositions(admin, groupId, TOPICS_UNDER_TEST);
      return Object.entries(ends).every(([key, end]) => BigInt(committed[key] ?? '-1') >= BigInt(end))
        ? true
        : undefined;
    });
    for (const topic of TOPICS_UNDER_TEST) {
      const index = dailyIndexName(STREAM[topic], golden[topic][0]!.eventTime);
      expect(await refreshAndCount(index)).toBe(golden[topic].length);
      const { body } = await search.search({ index, body: { size: 100, query: { match_all: {} } } } as never);
      const hits = (body as { hits: { hits: { _id: string; _source: Record<string, unknown> }[] } }).hits
        .hits;
      const expectedIds = golden[topic].map((event) =>
        topic === TOPICS.bars1m
          ? `${(event.payload as { symbol: string }).symbol}:${(event.payload as { startTime: number }).startTime}`
          : event.id,
      );
      expect(hits.map((hit) => hit._id).sort()).toEqual([...expectedIds].sort());
      for (const event of golden[topic]) {
        const id = expectedIds[golden[topic].indexOf(event)];
        expect(hits.find((hit) => hit._id === id)?._source).toEqual({
          ...(event.payload as object),
          id: event.id,
          schema: event.schema,
          eventTime: event.eventTime,
          ingestTime: event.ingestTime,
          source: event.source,
        });
      }
    }
    // A bar document carries the OHLCV fields flat, keyed <symbol>:<startTime>.
    const bar = golden[TOPICS.bars1m][0]!;
    const barPayload = bar.payload as { symbol: string; startTime: number };
    const { body: barDoc } = await search.get({
      index: dailyIndexName('bars-1m', bar.eventTime),
      id: `${barPayload.symbol}:${barPayload.startTime}`,
    });
    expect(Object.keys((barDoc as { _source: object })._source).sort()).toEqual(
      [
        'symbol',
        'startTime',
        'endTime',
        'open',
        'high',
        'low',
        'close',
        'vwap',
        'volume',
        'tradeCount',
        'id',
        'schema',
        'eventTime',
        'ingestTime',
        'source',
      ].sort(),
    );

    await waitFor('the dead letters', async () =>
      dlqRecords.length >= TOPICS_UNDER_TEST.length + 1 ? true : undefined,
    );
    for (const topic of TOPICS_UNDER_TEST) {
      const letter = dlqRecords.find(
        (record) => record.topic === dlqTopic(topic) && record.value === invalid[topic]!.text,
      );
      expect(letter).toBeDefined();
      expect(letter!.headers[DLQ_HEADERS.errorClass]?.toString()).toBe('SchemaViolation');
      expect(letter!.headers[DLQ_HEADERS.errorMessage]?.toString()).toContain(
        invalid[topic]!.fixture.expected.reasonIncludes,
      );
      expect(letter!.headers[DLQ_HEADERS.originalTopic]?.toString()).toBe(topic);
    }
    const rejected = dlqRecords.find((record) => record.value === JSON.stringify(poisoned));
    expect(rejected?.topic).toBe(dlqTopic(TOPICS.alerts));
    expect(rejected?.headers[DLQ_HEADERS.errorClass]?.toString()).toBe('ProcessingFailed');
    expect(rejected?.headers[DLQ_HEADERS.errorMessage]?.toString()).toMatch(
      /OpenSearch rejected the document \(400 (mapper_parsing_exception|document_parsing_exception)\)/,
    );

    const metrics = await (await fetch(`${running!.url}/metrics`)).text();
    // At least ours: other tests may be producing to the same real topics meanwhile.
    const indexedBars =
      /tickwire_indexed_documents_total\{stream="bars-1m",service="opensearch-indexer"\} (\d+)/.exec(metrics);
    expect(Number(indexedBars?.[1])).toBeGreaterThanOrEqual(golden[TOPICS.bars1m].length);
    expect(metrics).toMatch(
      /tickwire_bulk_item_failures_total\{stream="alerts",type="(mapper_parsing_exception|document_parsing_exception)",service="opensearch-indexer"\} 1/,
    );
    expect(metrics).toMatch(
      /tickwire_bulk_request_duration_seconds_count\{service="opensearch-indexer",outcome="ok"\} [1-9]/,
    );
    await stop();
  });

  it('creates no duplicates when the same batches are delivered again (index by _id overwrites)', async () => {
    await setGroupPositions(admin, groupId, startPositions);
    // A flush interval past the 30 s wait below: the batches (far below BULK_MAX_DOCS) must commit
    // because each flushes its own request, not because the timer fired.
    await start({ BULK_FLUSH_INTERVAL_MS: '60000' });
    const ends = await endPositions(admin, TOPICS_UNDER_TEST);
    await waitFor('the redelivered batches to be committed', async () => {
      const committed = await committedPositions(admin, groupId, TOPICS_UNDER_TEST);
      return Object.entries(ends).every(([key, end]) => BigInt(committed[key] ?? '-1') >= BigInt(end))
        ? true
        : undefined;
    });
    for (const topic of TOPICS_UNDER_TEST) {
      const index = dailyIndexName(STREAM[topic], golden[topic][0]!.eventTime);
      expect(await refreshAndCount(index)).toBe(golden[topic].length);
      // Version 2: each document was written again (overwritten), not skipped nor duplicated. Bars are
      // externally versioned by revision (version = revision + 1 = 1): rewritten at the same version.
      const { body } = await search.search({
        index,
        body: { size: 100, version: true, query: { match_all: {} } },
      } as never);
      const versions = (body as { hits: { hits: { _version: number }[] } }).hits.hits.map(
        (hit) => hit._version,
      );
      expect(versions).toEqual(golden[topic].map(() => (topic === TOPICS.bars1m ? 1 : 2)));
    }
    await stop();
  });
});
