/**
 * Measures the indexing path (contract parse -> document -> bulk batcher -> `_bulk` with retries)
 * against the local OpenSearch, for several bulk sizes, without Kafka (which the bench must not
 * pollute): records are built in memory like kafkajs batches of ~1 MiB per partition, handled by
 * `partitions` concurrent callers as KAFKA_PARTITIONS_CONCURRENCY would.
 *
 *   SWC_NODE_PROJECT=apps/opensearch-indexer/tsconfig.app.json \
 *     node -r @swc-node/register apps/opensearch-indexer/src/bench/bulk-throughput.bench.ts [documents]
 *
 * Writes into daily indices of a far-future day, deleted at the end.
 */
import { buildEvent, ENRICHED_V1_FIXTURES, TOPICS } from '@tickwire/contracts';
import type { KafkaRecord } from '@tickwire/kafka';
import { createOpenSearchClient } from '@tickwire/aws';
import { dailyIndexName } from '@tickwire/resources';
import { BulkBatcher } from '../bulk-indexing/bulk-batcher';
import { BulkIndexingService } from '../bulk-indexing/bulk-indexing.service';
import type { BulkItemOutcome } from '../bulk-indexing/bulk-response';
import { IndexTemplateInstaller } from '../bulk-indexing/index-template-installer';
import { type BulkOperation, OpenSearchBulkWriter } from '../bulk-indexing/opensearch-bulk-writer';

const DAY_MS = 86_400_000;
const FIXTURE =
  ENRICHED_V1_FIXTURES[0] ??
  (() => {
    throw new Error('contracts ship no enriched fixture');
  })();
const documents = Number(process.argv[2] ?? 60_000);
const client = createOpenSearchClient({ url: process.env['OPENSEARCH_URL'] ?? 'http://127.0.0.1:9200' });

/** `count` distinct enriched trades on day `day` (days after the fixture's), as Kafka record values. */
function enrichedValues(count: number, day: number): Buffer[] {
  const base = FIXTURE.event;
  return Array.from({ length: count }, (_, i) => {
    const eventTime = base.eventTime + day * DAY_MS + i;
    const { schema: _schema, id: _id, ...input } = structuredClone(base);
    void _schema;
    void _id;
    const payload = {
      ...input.payload,
      sourceEventId: (BigInt(`0x${input.payload.sourceEventId}`) + BigInt(i)).toString(16).padStart(32, '0'),
    };
    const event = buildEvent('market.enriched.v1', {
      ...input,
      eventTime,
      eventTimeNs: `${eventTime}000000`,
      payload,
    } as never);
    return Buffer.from(JSON.stringify(event));
  });
}

async function run(
  maxDocs: number,
  maxBytes: number,
  flushIntervalMs: number,
  partitions: number,
  day: number,
  report = true,
): Promise<void> {
  const values = enrichedValues(documents, day);
  const batchBytes = 1_048_576; // kafkajs maxBytesPerPartition default
  const batches: KafkaRecord[][] = [];
  let current: KafkaRecord[] = [];
  let bytes = 0;
  values.forEach((value, offset) => {
    current.push({
      topic: TOPICS.enriched,
      partition: offset % partitions,
      offset: String(offset),
      key: null,
      value,
      headers: {},
      timestamp: 0,
    });
    bytes += value.length;
    if (bytes >= batchBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
  });
  if (current.length > 0) batches.push(current);
  let requests = 0;
  const writer = new OpenSearchBulkWriter(
    client,
    { bulkRequest: () => void (requests += 1), bulkRetry: () => undefined },
    undefined,
    undefined,
    () => new IndexTemplateInstaller(client).ensure(),
  );
  const batcher = new BulkBatcher<BulkOperation, BulkItemOutcome>(
    { maxDocs, maxBytes, flushIntervalMs },
    (operations) => writer.write(operations),
  );
  const service = new BulkIndexingService(batcher, {
    documentsIndexed: () => undefined,
    documentRejected: () => undefined,
  });
  const started = process.hrtime.bigint();
  const queue = [...batches];
  await Promise.all(
    Array.from({ length: partitions }, async () => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) await service.indexRecords(batch);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const megabytes = values.reduce((sum, value) => sum + value.length, 0) / 1_048_576;
  if (!report) return;
  console.log(
    `BULK_MAX_DOCS=${String(maxDocs).padEnd(5)} BULK_MAX_BYTES=${String(maxBytes).padEnd(8)} interval=${flushIntervalMs}ms partitions=${partitions}: ` +
      `${Math.round(documents / seconds)} docs/s, ${(megabytes / seconds).toFixed(1)} MB/s, ${requests} bulk requests, ${seconds.toFixed(1)} s`,
  );
}

async function main(): Promise<void> {
  const firstDay = 20_000 + Math.floor(Math.random() * 5_000);
  let day = firstDay;
  // Warm-up (JIT, connection pool, index creation paths), not reported.
  await run(1_000, 5 << 20, 50, 1, day, false);
  day += 1;
  for (const [maxDocs, maxBytes, partitions] of [
    [250, 5 << 20, 1],
    [500, 5 << 20, 1],
    [1_000, 5 << 20, 1],
    [2_000, 5 << 20, 1],
    [1_000, 5 << 20, 3],
    [2_000, 5 << 20, 3],
    [5_000, 10 << 20, 3],
  ] as const) {
    await run(maxDocs, maxBytes, 50, partitions, day);
    day += 1;
  }
  // Only this bench's indices: one per bench day.
  const base = FIXTURE.event.eventTime;
  const ours = Array.from({ length: day - firstDay }, (_, i) =>
    dailyIndexName('enriched', base + (firstDay + i) * DAY_MS),
  );
  await client.indices.delete({ index: ours, ignore_unavailable: true } as never);
  await client.close();
}

void main();
