import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  ALL_TOPICS,
  DLQ_HEADERS,
  dlqTopic,
  LATE_HEADERS,
  LATE_TOPICS,
  lateTopic,
  safeParseEvent,
  TOPICS,
} from '@tickwire/contracts';
import {
  ARCHIVE_DATA_PREFIX,
  ARCHIVE_ERROR_PREFIX,
  indexPrefix,
  SYMBOL_STATE_TABLE,
} from '@tickwire/resources';
import {
  type BadInputCorpus,
  createLocalDynamoDb,
  createLocalKafka,
  createLocalOpenSearch,
  DEFAULT_CORPUS_TOPICS,
  type RawTopicKey,
  type StackConfig,
} from '@tickwire/testing';
import {
  EVENT_ORDER_TOPICS,
  enrichedOf,
  eventOrderInvariants,
  evidenceItem,
  readEnrichedDocuments,
} from '../main-job/event-order-evidence';
import { forEachArchiveObject } from '../main-job/sink-counts';
import {
  countLobsterMessages,
  readLobsterTrades,
  referenceBars,
  type ReferenceBar,
} from '../main-job/testing/raw-market-data';
import { readTopics, type ReadRecord } from '../main-job/topic-reader';
import {
  checkArchive,
  checkBars,
  checkCustomerStream,
  checkDeadLetters,
  type CustomerEventKey,
  injectedOutOfOrder,
  checkEnriched,
  checkIndexedCounts,
  checkRawInput,
  checkSymbolState,
  expectedSymbolStates,
  type IndexedBar,
  type InvariantResult,
  type PoisonExpectation,
  type RawEventRecord,
  type SideRecord,
  type SymbolStateItem,
} from './invariant-checks';

/** What {@link verifyPipeline} needs to know about the run. */
export interface VerifyInput {
  readonly config: StackConfig;
  /** LOBSTER symbols replayed. */
  readonly symbols: readonly string[];
  /** Records ingest-producer acknowledged (sum over topics). */
  readonly acknowledged: number;
  /** The poison corpora injected (each produced once). */
  readonly corpora: readonly BadInputCorpus[];
  /**
   * What a `/v1/stream` customer of `symbols` (enriched, bars, alerts), connected before the replay
   * and throughout, received: checked against the committed customer topics (checkCustomerStream).
   */
  readonly customer?: { readonly received: readonly CustomerEventKey[]; readonly problems: readonly string[] };
  readonly log?: (line: string) => void;
}

const position = (r: { topic: string; partition: number; offset: string }): string =>
  `${r.topic}:${r.partition}:${r.offset}`;
const RAW_TOPIC_NAMES = [TOPICS.trades, TOPICS.quotes, TOPICS.barsDaily] as const;

/**
 * Reads back every topic and sink of the pipeline after a run and checks the invariants of issue 6
 * (invariant-checks.ts) and of issue 12 (per-symbol event-time order of the enriched, bars and alerts
 * topics; no look-ahead in the enriched topic and in OpenSearch against the raw topics:
 * main-job/event-order-evidence.ts). Independent of the services' own counters: Kafka topics are read with a
 * fresh read_committed consumer, OpenSearch counted and searched, every S3 object downloaded, DynamoDB
 * read item by item; reference bars and record counts come from the raw LOBSTER files.
 *
 * @throws Error when a server does not answer (a failed invariant is a result, not an error)
 */
export async function verifyPipeline(input: VerifyInput): Promise<InvariantResult[]> {
  const log = input.log ?? (() => undefined);
  const kafka = createLocalKafka('tickwire-chaos-verify', input.config);
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.disconnect();
  const sideTopics = [...ALL_TOPICS.map((t) => dlqTopic(t)), ...LATE_TOPICS.map((t) => lateTopic(t))].filter(
    (t) => existing.has(t),
  );
  log('verify: reading the raw, enriched, bars, alerts, DLQ and late topics (read_committed)');
  const topics = await readTopics(kafka, [
    ...RAW_TOPIC_NAMES,
    TOPICS.enriched,
    TOPICS.bars1m,
    TOPICS.alerts,
    ...sideTopics,
  ]);
  const records = (topic: string): ReadRecord[] => topics.get(topic) ?? [];

  // Poison: map each corpus record to its place in the raw topics (per topic and key, in corpus order).
  const poison = new Map<string, PoisonExpectation>();
  const poisonProblems: string[] = [];
  for (const corpus of input.corpora) {
    for (const role of Object.keys(DEFAULT_CORPUS_TOPICS) as RawTopicKey[]) {
      const topic = DEFAULT_CORPUS_TOPICS[role];
      for (const key of [corpus.symbols.known, corpus.symbols.unknown]) {
        const sent = corpus.records.filter((r) => r.topic === role && r.key === key);
        const found = records(topic).filter((r) => r.key === key);
        if (sent.length !== found.length)
          poisonProblems.push(`${topic} key ${key}: ${found.length} records, ${sent.length} injected`);
        sent.forEach((entry, i) => {
          const at = found[i];
          if (at && entry.kind === 'bad')
            poison.set(position(at), {
              name: `${corpus.runId}/${entry.name}`,
              sink: entry.expected.sink,
              errorClass: entry.expected.errorClass,
            });
        });
      }
    }
  }

  // Raw records: valid ones by contract (what the archiver files under raw/ and the enricher enriches).
  const lobster = new Set(input.symbols);
  const lobsterRaw: RawEventRecord[] = [];
  const expectedSources = new Map<string, RawEventRecord>();
  /** Valid records of the corpora (not LOBSTER), by position: the only ones the out-of-order rule may excuse. */
  const injected = new Map<string, RawEventRecord>();
  const validIds = new Map<string, number>();
  const invalidPositions = new Set<string>();
  for (const topic of RAW_TOPIC_NAMES) {
    for (const record of records(topic)) {
      const parsed = safeParseEvent(topic, record.value);
      if (!parsed.success) {
        invalidPositions.add(position(record));
        continue;
      }
      const event = parsed.event;
      validIds.set(event.id, (validIds.get(event.id) ?? 0) + 1);
      if (topic === TOPICS.barsDaily) continue;
      const raw: RawEventRecord = {
        topic,
        partition: record.partition,
        offset: record.offset,
        id: event.id,
        symbol: event.payload.symbol,
        kind: topic === TOPICS.trades ? 'trade' : 'quote',
        eventTime: event.eventTime,
        payload: event.payload as Record<string, unknown>,
      };
      if (lobster.has(raw.symbol)) lobsterRaw.push(raw);
      else if (!poison.has(position(record))) injected.set(position(record), raw);
      if (!poison.has(position(record))) expectedSources.set(raw.id, raw);
    }
  }
  let fromFiles = 0;
  const reference = new Map<string, ReferenceBar>();
  for (const symbol of input.symbols) {
    const trades = await readLobsterTrades(symbol);
    fromFiles += trades.length + (await countLobsterMessages(symbol));
    for (const [key, bar] of referenceBars(trades)) reference.set(key, bar);
  }

  const evidence = new Map(EVENT_ORDER_TOPICS.map((topic) => [topic, records(topic).map(evidenceItem)]));
  const enriched = enrichedOf(evidence);
  const idsOf = (topic: string): string[] =>
    records(topic).map((r) => (JSON.parse(r.value?.toString('utf8') ?? '{}') as { id: string }).id);
  const barIds = idsOf(TOPICS.bars1m);

  const side: SideRecord[] = [];
  for (const topic of sideTopics) {
    const late = topic.endsWith('.late');
    for (const r of records(topic)) {
      const h = r.headers;
      side.push(
        late
          ? {
              sink: 'late',
              original: `${h[LATE_HEADERS.originalTopic]}:${h[LATE_HEADERS.originalPartition]}:${h[LATE_HEADERS.originalOffset]}`,
              errorClass: 'LateEvent',
              watermark: Number(h[LATE_HEADERS.watermark]),
            }
          : {
              sink: 'dlq',
              original: `${h[DLQ_HEADERS.originalTopic]}:${h[DLQ_HEADERS.originalPartition]}:${h[DLQ_HEADERS.originalOffset]}`,
              errorClass: h[DLQ_HEADERS.errorClass] ?? '?',
            },
      );
    }
  }

  log('verify: OpenSearch counts, bars and enriched documents');
  const { indexed, bars } = await readOpenSearch(input.config);
  const order = eventOrderInvariants(evidence, await readEnrichedDocuments(input.config));
  log('verify: downloading the S3 archive');
  const archive = await readArchive(input.config);
  log('verify: DynamoDB symbol-state');
  const items = await readSymbolState(input.config, input.symbols);

  // Valid corpus records the enricher justly routed to .late are not expected in the enriched topic.
  const excused = injectedOutOfOrder(side, injected, enriched);
  for (const original of excused.keys()) {
    const raw = injected.get(original);
    if (raw) expectedSources.delete(raw.id);
  }
  const results: InvariantResult[] = [
    checkRawInput(lobsterRaw, input.acknowledged, fromFiles),
    ...checkEnriched(enriched, expectedSources),
    checkIndexedCounts(indexed, {
      enriched: new Set(enriched.map((e) => e.id)).size,
      'bars-1m': new Set(barIds).size,
      alerts: new Set(idsOf(TOPICS.alerts)).size,
    }),
    checkBars(bars, reference, input.symbols, barIds),
    checkArchive(archive.ids, validIds, archive.errors, invalidPositions),
    checkSymbolState(
      items,
      expectedSymbolStates(
        lobsterRaw,
        enriched.filter((e) => lobster.has(e.symbol)),
      ),
    ),
    checkDeadLetters(side, poison, excused),
    order.enrichedOrder,
    order.barsOrder,
    order.alertsOrder,
    order.topicLookAhead,
    order.searchLookAhead,
  ];
  if (input.customer) {
    const frameType: Record<string, string> = { [TOPICS.enriched]: 'enriched', [TOPICS.bars1m]: 'bar', [TOPICS.alerts]: 'alert' };
    const committed: CustomerEventKey[] = [];
    for (const topic of [TOPICS.enriched, TOPICS.bars1m, TOPICS.alerts]) {
      for (const record of records(topic)) {
        const event = JSON.parse(record.value?.toString('utf8') ?? '{}') as {
          id: string;
          payload: { symbol: string; revision?: number };
        };
        if (!lobster.has(event.payload.symbol)) continue;
        const revision = topic === TOPICS.bars1m ? event.payload.revision : undefined;
        committed.push({ type: frameType[topic] as string, id: event.id, ...(revision === undefined ? {} : { revision }) });
      }
    }
    const stream = checkCustomerStream(input.customer.received, committed);
    results.push(
      input.customer.problems.length === 0
        ? stream
        : { ...stream, held: false, detail: `${input.customer.problems.join('; ')}; ${stream.detail}` },
    );
  }
  if (poisonProblems.length) {
    results.push({ name: 'poison produced once each', held: false, detail: poisonProblems.join('; ') });
  }
  return results;
}

async function readOpenSearch(
  config: StackConfig,
): Promise<{ indexed: Record<string, number>; bars: Map<string, IndexedBar> }> {
  const client = createLocalOpenSearch(config);
  try {
    const indexed: Record<string, number> = {};
    for (const stream of ['enriched', 'bars-1m', 'alerts'] as const) {
      const index = `${indexPrefix(stream)}*`;
      await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
      indexed[stream] = Number(
        (await client.count({ index, ignore_unavailable: true, allow_no_indices: true })).body.count,
      );
    }
    const response = await client.search({
      index: `${indexPrefix('bars-1m')}*`,
      body: { size: 10_000, query: { match_all: {} } },
    });
    const hits = response.body.hits.hits as { _id: string; _source: IndexedBar }[];
    return { indexed, bars: new Map(hits.map((h) => [h._id, h._source])) };
  } finally {
    await client.close();
  }
}

async function readArchive(
  config: StackConfig,
): Promise<{ ids: Map<string, number>; errors: Map<string, number> }> {
  const ids = new Map<string, number>();
  const errors = new Map<string, number>();
  await forEachArchiveObject(config, (key, lines) => {
    const isError = key.startsWith(`${ARCHIVE_ERROR_PREFIX}/`);
    if (!isError && !key.startsWith(`${ARCHIVE_DATA_PREFIX}/`)) return;
    for (const line of lines) {
      const parsed = JSON.parse(line) as {
        id?: string;
        topic?: string;
        partition?: number;
        offset?: string | number;
      };
      const recordKey = isError ? `${parsed.topic}:${parsed.partition}:${parsed.offset}` : String(parsed.id);
      const target = isError ? errors : ids;
      target.set(recordKey, (target.get(recordKey) ?? 0) + 1);
    }
  });
  return { ids, errors };
}

async function readSymbolState(
  config: StackConfig,
  symbols: readonly string[],
): Promise<Map<string, SymbolStateItem | undefined>> {
  const documents = DynamoDBDocumentClient.from(createLocalDynamoDb(config));
  try {
    const items = new Map<string, SymbolStateItem | undefined>();
    for (const symbol of symbols) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: SYMBOL_STATE_TABLE.tableName, Key: { symbol } }),
      );
      items.set(symbol, Item);
    }
    return items;
  } finally {
    documents.destroy();
  }
}
