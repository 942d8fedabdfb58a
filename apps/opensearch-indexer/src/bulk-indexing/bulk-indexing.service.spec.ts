import { isDeepStrictEqual } from 'node:util';
import {
  GOLDEN_FIXTURES,
  INVALID_FIXTURES,
  type InvalidFixture,
  TOPIC_SCHEMAS,
  TOPICS,
  type TickwireEvent,
} from '@tickwire/contracts';
import type { KafkaRecord } from '@tickwire/kafka';
import type { SearchStream } from '@tickwire/resources';
import { BulkBatcher } from './bulk-batcher';
import { type IndexingObserver, BulkIndexingService } from './bulk-indexing.service';
import { type BulkItemOutcome, interpretBulkItem } from './bulk-response';
import type { BulkOperation } from './opensearch-bulk-writer';

const INDEXED = [TOPICS.enriched, TOPICS.bars1m, TOPICS.alerts] as const;

function recordOf(topic: string, value: string | null, offset: number): KafkaRecord {
  return {
    topic,
    partition: 0,
    offset: String(offset),
    key: Buffer.from('AAPL'),
    value: value === null ? null : Buffer.from(value),
    headers: {},
    timestamp: 0,
  };
}

/** The Kafka value of an invalid fixture, and whether it survives JSON (NaN does not, so its reason may differ). */
function invalidValue(fixture: InvalidFixture): { text: string; exact: boolean } {
  if (fixture.text !== undefined) return { text: fixture.text, exact: true };
  const text = JSON.stringify(fixture.value);
  return { text, exact: isDeepStrictEqual(JSON.parse(text), fixture.value) };
}

/** The service over a batcher whose sender answers each operation with `answer(operation)`. */
function serviceAnswering(
  answer: (operation: BulkOperation) => { status: number; error?: { type: string; reason: string } },
) {
  const sent: BulkOperation[] = [];
  const counts: { indexed: Partial<Record<SearchStream, number>>; rejected: string[] } = {
    indexed: {},
    rejected: [],
  };
  const observer: IndexingObserver = {
    documentsIndexed: (stream, count) => (counts.indexed[stream] = (counts.indexed[stream] ?? 0) + count),
    documentRejected: (stream, type) => counts.rejected.push(`${stream}:${type}`),
  };
  const batcher = new BulkBatcher<BulkOperation, BulkItemOutcome>(
    { maxDocs: 1_000, maxBytes: 5 << 20, flushIntervalMs: 1 },
    async (operations) => {
      sent.push(...operations);
      return operations.map((operation) => interpretBulkItem(answer(operation)));
    },
  );
  const service = new BulkIndexingService(batcher, observer);
  return { service, sent, counts };
}

const documentOf = (operation: BulkOperation) =>
  JSON.parse(operation.ndjson.split('\n')[1] as string) as Record<string, unknown>;
const actionOf = (operation: BulkOperation) =>
  JSON.parse(operation.ndjson.split('\n')[0] as string) as { index: { _index: string; _id: string } };

describe('BulkIndexingService: contract, consumer side', () => {
  describe.each(INDEXED)('%s', (topic) => {
    const golden = GOLDEN_FIXTURES[TOPIC_SCHEMAS[topic]];
    const invalid = INVALID_FIXTURES[TOPIC_SCHEMAS[topic]];

    it('maps every golden fixture to one flat document in its daily index, with a deterministic _id', async () => {
      const { service, sent, counts } = serviceAnswering(() => ({ status: 201 }));
      const records = golden.map((fixture, offset) => recordOf(topic, JSON.stringify(fixture.event), offset));
      await expect(service.indexRecords(records)).resolves.toEqual({ deadLetters: [] });
      expect(sent).toHaveLength(golden.length);
      golden.forEach((fixture, position) => {
        const event = fixture.event as TickwireEvent;
        const operation = sent[position] as BulkOperation;
        const day = new Date(event.eventTime).toISOString().slice(0, 10).replaceAll('-', '.');
        const stream =
          topic === TOPICS.enriched ? 'enriched' : topic === TOPICS.bars1m ? 'bars-1m' : 'alerts';
        const payload = event.payload as Record<string, unknown>;
        const expectedId =
          topic === TOPICS.bars1m
            ? `${payload['symbol'] as string}:${payload['startTime'] as number}`
            : event.id;
        // Bars are externally versioned by revision (a golden bar is a first publication: version 1).
        const versioning = topic === TOPICS.bars1m ? { version: 1, version_type: 'external_gte' } : {};
        expect(actionOf(operation)).toEqual({
          index: { _index: `market-${stream}-${day}`, _id: expectedId, ...versioning },
        });
        expect(documentOf(operation)).toEqual({
          ...payload,
          id: event.id,
          schema: event.schema,
          eventTime: event.eventTime,
          ingestTime: event.ingestTime,
          source: event.source,
        });
        expect(operation.bytes).toBe(Buffer.byteLength(operation.ndjson));
      });
      expect(Object.values(counts.indexed)).toEqual([golden.length]);
    });

    it('dead-letters every invalid fixture with its contract error class and reason, indexing nothing', async () => {
      const { service, sent } = serviceAnswering(() => ({ status: 201 }));
      const values = invalid.map(invalidValue);
      const { deadLetters } = await service.indexRecords(
        values.map(({ text }, offset) => recordOf(topic, text, offset)),
      );
      expect(sent).toHaveLength(0);
      expect(deadLetters).toHaveLength(invalid.length);
      invalid.forEach((fixture, position) => {
        const error = deadLetters[position]?.error as { errorClass: string; reason: string };
        if (!values[position]?.exact) {
          expect(['SchemaViolation', 'MalformedJson', 'EmptyValue']).toContain(error.errorClass);
          return;
        }
        expect(error.errorClass).toBe(fixture.expected.errorClass);
        expect(error.reason).toContain(fixture.expected.reasonIncludes);
      });
    });
  });

  it('dead-letters a document OpenSearch rejects for good, with the item error as reason, and indexes the rest', async () => {
    const [first, second] = GOLDEN_FIXTURES['market.enriched.v1'];
    const { service, counts } = serviceAnswering((operation) =>
      operation.id === first!.event.id
        ? {
            status: 400,
            error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [price]' },
          }
        : { status: 201 },
    );
    const records = [
      recordOf(TOPICS.enriched, JSON.stringify(first!.event), 7),
      recordOf(TOPICS.enriched, JSON.stringify(second!.event), 8),
    ];
    const { deadLetters } = await service.indexRecords(records);
    expect(deadLetters.map(({ record }) => record.offset)).toEqual(['7']);
    expect(String((deadLetters[0]?.error as Error).message)).toContain(
      '400 mapper_parsing_exception): failed to parse field [price]',
    );
    expect(counts).toEqual({ indexed: { enriched: 1 }, rejected: ['enriched:mapper_parsing_exception'] });
  });

  it('sends a batch below BULK_MAX_DOCS at once instead of after BULK_FLUSH_INTERVAL_MS', async () => {
    const requests: number[] = [];
    const batcher = new BulkBatcher<BulkOperation, BulkItemOutcome>(
      // A one-minute interval: the batch may only resolve in time if it flushes its own tail.
      { maxDocs: 1_000, maxBytes: 5 << 20, flushIntervalMs: 60_000 },
      async (operations) => {
        requests.push(operations.length);
        return operations.map(() => interpretBulkItem({ status: 201 }));
      },
    );
    const service = new BulkIndexingService(batcher, {
      documentsIndexed: () => undefined,
      documentRejected: () => undefined,
    });
    const event = JSON.stringify(GOLDEN_FIXTURES['market.enriched.v1'][0]!.event);
    // 2,500 documents: two full requests, then a trailing partial one of 500.
    const records = Array.from({ length: 2_500 }, (_, offset) => recordOf(TOPICS.enriched, event, offset));
    let timer: NodeJS.Timeout | undefined;
    const tooLate = new Promise<'too late'>(
      (resolve) => (timer = setTimeout(() => resolve('too late'), 5_000)),
    );
    const outcome = await Promise.race([service.indexRecords(records), tooLate]);
    clearTimeout(timer);
    expect(outcome).toEqual({ deadLetters: [] });
    expect(requests).toEqual([1_000, 1_000, 500]);
    expect(batcher.backlog).toEqual({ waiting: 0, requestsInFlight: 0 });
  });

  it('fails the whole batch when the bulk request fails, so nothing is committed', async () => {
    const batcher = new BulkBatcher<BulkOperation, BulkItemOutcome>(
      { maxDocs: 10, maxBytes: 1 << 20, flushIntervalMs: 1 },
      async () => {
        throw new Error('OpenSearch unreachable');
      },
    );
    const service = new BulkIndexingService(batcher, {
      documentsIndexed: () => undefined,
      documentRejected: () => undefined,
    });
    const event = GOLDEN_FIXTURES['market.alert.v1'][0]!.event;
    await expect(service.indexRecords([recordOf(TOPICS.alerts, JSON.stringify(event), 1)])).rejects.toThrow(
      'OpenSearch unreachable',
    );
  });
});
