import {
  type BadInputCorpus,
  buildBadInputCorpus,
  createLocalDynamoDb,
  createLocalKafka,
  expectedBadInputCounts,
  loadBadInputCorpusReference,
  produceBadInputCorpus,
  type StackConfig,
} from '@tickwire/testing';

/**
 * Poison for the raw topics: @tickwire/testing's bad-input corpus (malformed JSON, invalid UTF-8,
 * tombstones, wrong types, missing fields, NaN/Infinity, zero and negative prices and sizes, crossed
 * quotes, unknown symbols, clock skew, timestamps out of range, oversized values, an exact duplicate
 * and an out-of-order trade), each with the sink and error class it must end in. One corpus per
 * injection, each with its own run id (its own symbols), so every injection is counted on its own.
 */
export function buildCorpora(count: number): BadInputCorpus[] {
  const stamp = Date.now().toString(36).toUpperCase().slice(-4);
  return Array.from({ length: count }, (_, i) => buildBadInputCorpus({ runId: `C${stamp}${i}`.slice(0, 6) }));
}

/**
 * Loads each corpus' reference row (its known symbol's previous close) into the reference table. Must
 * run before the enricher first sees the symbol: its reader caches a symbol's reference for its life.
 */
export async function loadCorpusReferences(config: StackConfig, corpora: readonly BadInputCorpus[]): Promise<void> {
  const dynamo = createLocalDynamoDb(config);
  try {
    for (const corpus of corpora) await loadBadInputCorpusReference(dynamo, corpus);
  } finally {
    dynamo.destroy();
  }
}

/**
 * Produces one corpus to the raw topics (idempotent producer, acks from all replicas).
 *
 * @returns the bad records it holds (what must land in the DLQ and late topics)
 * @throws Error when Kafka does not acknowledge
 */
export async function injectCorpus(config: StackConfig, corpus: BadInputCorpus): Promise<number> {
  const producer = createLocalKafka('tickwire-chaos-poison', config).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await produceBadInputCorpus(producer, corpus);
  } finally {
    await producer.disconnect();
  }
  return expectedBadInputCounts(corpus).total;
}
