import { opensearchIndexerEnvSchema } from '@tickwire/service-kit';
import { z } from 'zod';

const positiveInt = (what: string) =>
  z.coerce
    .number({ error: `must be a number of ${what}` })
    .int({ error: `must be an integer number of ${what}` })
    .positive({ error: `must be a positive number of ${what}` });

/**
 * Bulk defaults. Measured on the local stack (single-node OpenSearch 2.19 sharing 2 cores with Kafka
 * and the other services; bench in src/bench/bulk-throughput.bench.ts, numbers in the README):
 * 500-2,000 documents per `_bulk` gave the best docs/s, 250 was clearly slower (request overhead),
 * and a kafkajs fetch (1 MiB per partition, ~1,500 enriched documents) caps a single partition's
 * request anyway; 1,000 sits in the plateau. 5 MiB bounds requests of large documents, at the low end
 * of OpenSearch's 5-15 MiB guidance ("Tuning for indexing speed"). Each Kafka batch flushes its
 * trailing partial request when it has been submitted, so the 50 ms interval only bounds the wait of
 * documents submitted without a flush; it never delays a batch's commit.
 */
export const BULK_DEFAULTS = {
  maxDocs: 1_000,
  maxBytes: 5 * 1024 * 1024,
  flushIntervalMs: 50,
  maxRetries: 5,
  maxPendingBatches: 4,
} as const;

/**
 * opensearch-indexer's environment: service-kit's shared variables (KAFKA_*, OPENSEARCH_URL, HTTP_PORT,
 * LOG_LEVEL, ...) plus the bulk tuning:
 * - BULK_MAX_DOCS: documents per `_bulk` request (default 1000);
 * - BULK_MAX_BYTES: NDJSON bytes per `_bulk` request (default 5 MiB); a single larger document still
 *   goes alone;
 * - BULK_FLUSH_INTERVAL_MS: longest a document waits for others to share its request (default 50); a
 *   Kafka batch flushes its own trailing request at once, so this does not delay its commit;
 * - BULK_MAX_RETRIES: retries of a `_bulk` answered 429/5xx or failing to connect, with exponential
 *   backoff 200 ms x2 up to 5 s (default 5); after that the whole Kafka batch is indexed again (200 ms
 *   x2 up to 5 s between tries) and nothing after it in its partition is committed meanwhile;
 * - BULK_MAX_PENDING_BATCHES: Kafka batches taken over and not committed yet (default 4): the consumer
 *   fetches and parses the next batches while OpenSearch indexes these (IndexerConsumer); at the limit
 *   it waits. 4 batches of at most 1 MiB each bound the memory.
 */
export const indexerEnvSchema = opensearchIndexerEnvSchema.safeExtend({
  BULK_MAX_DOCS: positiveInt('documents').default(BULK_DEFAULTS.maxDocs),
  BULK_MAX_BYTES: positiveInt('bytes').default(BULK_DEFAULTS.maxBytes),
  BULK_FLUSH_INTERVAL_MS: positiveInt('milliseconds').default(BULK_DEFAULTS.flushIntervalMs),
  BULK_MAX_RETRIES: z.coerce
    .number({ error: 'must be a number of retries' })
    .int()
    .min(0, { error: 'must be at least 0' })
    .default(BULK_DEFAULTS.maxRetries),
  BULK_MAX_PENDING_BATCHES: z.coerce
    .number({ error: 'must be a number of batches' })
    .int({ error: 'must be an integer number of batches' })
    .min(1, { error: 'must be at least 1' })
    .max(64, { error: 'must be at most 64' })
    .default(BULK_DEFAULTS.maxPendingBatches),
});

export type IndexerConfig = z.output<typeof indexerEnvSchema>;
