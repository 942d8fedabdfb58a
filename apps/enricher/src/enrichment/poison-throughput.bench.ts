/**
 * Poison-input throughput of the enricher's record path, in process (no Kafka I/O): the LOBSTER AAPL
 * day (trades and quotes as Kafka records) with and without 1 % poison (the bad-input corpus'
 * trade and quote entries, cycled: malformed JSON, wrong types, NaN/Infinity, zero prices, crossed
 * quotes, unknown symbols, clock skew, oversized values, duplicates). Each record goes through what
 * EnrichmentPipeline does per record: the contract parse (parseBatch), the engine (enrich, aggregate,
 * refuse unknown symbols and duplicates), the serialised outputs, and a dead letter built for every
 * refusal (DeadLetterPublisher.build, what the transaction sends). Prints one JSON line with both
 * rates in good records per CPU second, and their ratio (with poison / without).
 *
 *   npx tsx apps/enricher/src/enrichment/poison-throughput.bench.ts [rounds=3]
 *
 * Kafka's own cost per record (fetch, produce in a transaction) is the same for a good record and a
 * dead letter, so the in-process ratio is a lower bound of what poison costs end to end.
 */
import { type KafkaRecord, DeadLetterPublisher, parseBatch } from '@tickwire/kafka';
import { type QuoteV1Event, serializeEvent, TOPICS, type TradeV1Event } from '@tickwire/contracts';
import { type DailyBarRow, PreviousCloseReference } from '@tickwire/indicators';
import { LobsterReplaySource } from '@tickwire/market-sources';
import { readDailyBarsCsv, referenceDailyFilePaths } from '@tickwire/reference-data';
import { buildBadInputCorpus } from '@tickwire/testing';
import { EnrichmentEngine } from './enrichment-engine.service';
import { DEFAULT_ENRICHMENT_SETTINGS } from './enrichment-settings';

const POISON_EVERY = 100;

function record(topic: string, key: string, value: string | Buffer | null, offset: number): KafkaRecord {
  return {
    topic,
    partition: 0,
    offset: String(offset),
    key: Buffer.from(key),
    value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value),
    headers: {},
    timestamp: 1_795_284_000_000,
  };
}

/** Runs `records` through the per-record path of the pipeline; returns [good records handled, dead letters]. */
function run(records: readonly KafkaRecord[], reference: PreviousCloseReference): [number, number] {
  const engine = new EnrichmentEngine(DEFAULT_ENRICHMENT_SETTINGS);
  const deadLetters = new DeadLetterPublisher({ sendBatch: () => Promise.resolve() }, 'enricher');
  let good = 0;
  let dead = 0;
  let bytes = 0;
  for (let i = 0; i < records.length; i += 500) {
    const { parsed, deadLetters: refused } = parseBatch(records.slice(i, i + 500));
    for (const { record: input, event } of parsed) {
      try {
        const out =
          event.schema === 'market.trade.v1'
            ? engine.processTrade(event as TradeV1Event, reference)
            : engine.processQuote(event as QuoteV1Event, reference);
        for (const e of [...out.enriched, ...out.bars, ...out.alerts]) bytes += serializeEvent(e).length;
        good += 1;
      } catch (error) {
        refused.push({ record: input, error });
      }
    }
    for (const { record: input, error } of refused) bytes += deadLetters.build(input, error).headers ? 1 : 0;
    dead += refused.length;
  }
  if (bytes === 0) throw new Error('nothing produced');
  return [good, dead];
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const rows: DailyBarRow[] = [];
  for await (const item of readDailyBarsCsv(referenceDailyFilePaths()[0] as string))
    if (item.kind === 'bar') rows.push(item.bar);
  const corpus = buildBadInputCorpus({ runId: 'BENCH' });
  // The corpus' known symbol becomes AAPL (reference data exists); its unknown one stays unknown.
  const reference = new PreviousCloseReference([
    ...rows,
    { symbol: corpus.symbols.known, tradingDate: '2012-06-20', close: 100 },
  ]);
  const clean: KafkaRecord[] = [];
  for await (const item of new LobsterReplaySource({ symbols: ['AAPL'], quotes: 'changes' })) {
    if (item.kind !== 'event') continue;
    clean.push(record(item.topic, 'AAPL', serializeEvent(item.event), clean.length));
  }
  const poison = corpus.entries
    .filter(
      (e) =>
        e.topic !== 'barsDaily' && e.expected.sink === 'dlq' && e.expected.errorClass !== 'DuplicateEvent',
    )
    .map((e) => record(e.topic === 'trades' ? TOPICS.trades : TOPICS.quotes, e.key, e.value, 0));
  // Duplicates: a re-sent copy of the clean record just before (refused as DuplicateEvent).
  const poisoned: KafkaRecord[] = [];
  for (const [i, r] of clean.entries()) {
    poisoned.push(r);
    if (i % POISON_EVERY === POISON_EVERY - 1) {
      const k = Math.floor(i / POISON_EVERY);
      poisoned.push(k % 10 === 9 ? r : (poison[k % poison.length] as KafkaRecord));
    }
  }
  // CPU time of this process (user + system), not wall time: the machine is shared, and CPU time per
  // record is what poison costs the enricher.
  const measure = (records: readonly KafkaRecord[]) => {
    const started = process.cpuUsage();
    const [good, dead] = run(records, reference);
    const used = process.cpuUsage(started);
    return { good, dead, seconds: (used.user + used.system) / 1e6 };
  };
  measure(clean.slice(0, 20_000)); // warm-up (JIT)
  const results = { clean: [] as number[], poisoned: [] as number[] };
  let deadLetters = 0;
  for (let round = 0; round < rounds; round++) {
    // Alternate the order, so neither run always follows the other's garbage.
    const runs = round % 2 === 0 ? (['clean', 'poisoned'] as const) : (['poisoned', 'clean'] as const);
    for (const kind of runs) {
      const result = measure(kind === 'clean' ? clean : poisoned);
      results[kind].push(result.good / result.seconds);
      if (kind === 'poisoned') deadLetters = result.dead;
    }
  }
  const median = (list: number[]) => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)] as number;
  const cleanRate = median(results.clean);
  const poisonedRate = median(results.poisoned);
  console.log(
    JSON.stringify({
      records: clean.length,
      poisonRecords: poisoned.length - clean.length,
      deadLettered: deadLetters,
      cleanGoodPerCpuSecond: Math.round(cleanRate),
      poisonedGoodPerCpuSecond: Math.round(poisonedRate),
      ratio: Number((poisonedRate / cleanRate).toFixed(3)),
      rounds,
    }),
  );
}

void main();
