import { GOLDEN_FIXTURES, safeParseEvent, TOPICS, type TickwireEvent } from '@tickwire/contracts';
import type { OutgoingRecord } from '@tickwire/kafka';
import { loadServiceConfig } from '@tickwire/service-kit';
import type { RecordSink } from '../publishing/market-event-publisher';
import { INGEST_PRODUCER } from '../service-definition';
import { createMarketSource } from '../sources/market-source-factory';
import { IngestPipeline } from './ingest-pipeline';
import { IngestProgress } from './ingest-status';

/**
 * Producer side of the contract tests: what the service publishes for the first LOBSTER rows (the real
 * files in data/market, through the configured source and the publishing pipeline) must equal
 * @tickwire/contracts' golden fixtures, and every value must parse with the consumers' parser.
 */
describe('ingest-producer publishes the golden fixtures (producer contract)', () => {
  const FIRST_RECORDS = 5_000;
  const published: OutgoingRecord[] = [];

  beforeAll(async () => {
    const config = loadServiceConfig(INGEST_PRODUCER.name, INGEST_PRODUCER.envSchema, {
      SOURCE: 'replay',
      REPLAY_DATASET: 'lobster',
      REPLAY_SPEED: 'max',
      REPLAY_LIMIT: String(FIRST_RECORDS),
    });
    const { source, description } = createMarketSource(config);
    const sink: RecordSink = { sendBatch: async (records) => void published.push(...records) };
    const pipeline = new IngestPipeline({
      source,
      sink,
      progress: new IngestProgress(description),
      serviceName: config.SERVICE_NAME,
      batchSize: config.PUBLISH_BATCH_SIZE,
      maxBatchBytes: config.PUBLISH_BATCH_MAX_BYTES,
      lingerMs: config.PUBLISH_LINGER_MS,
      maxInFlight: config.PUBLISH_MAX_IN_FLIGHT,
      pacing: config.REPLAY_SPEED,
    });
    await pipeline.run();
  });

  it('publishes the first rows, all to the raw topics, none dead-lettered', () => {
    expect(published).toHaveLength(FIRST_RECORDS);
    expect(new Set(published.map((record) => record.topic))).toEqual(new Set([TOPICS.trades, TOPICS.quotes]));
  });

  it('publishes values that the consumers parse, keyed by their symbol, with the schema header', () => {
    for (const record of published) {
      const parsed = safeParseEvent(record.topic, record.value as string);
      if (!parsed.success) throw new Error(`${record.topic} ${String(record.value)}: ${parsed.reason}`);
      expect(record.key).toBe(parsed.event.payload.symbol);
      expect(record.headers?.['schema']).toBe(parsed.event.schema);
    }
  });

  it.each([
    'aapl-first-trade',
    'aapl-sweep-second-fill',
    'amzn-first-trade',
    'goog-first-trade',
    'aapl-first-quote',
    'aapl-quote-after-sweep',
    'amzn-first-quote',
    'goog-first-quote',
  ])('publishes golden fixture %s exactly (id, times, payload; ingestTime is the replay clock)', (name) => {
    const fixtures = [...GOLDEN_FIXTURES['market.trade.v1'], ...GOLDEN_FIXTURES['market.quote.v1']] as {
      name: string;
      event: TickwireEvent;
    }[];
    const fixture = fixtures.find((candidate) => candidate.name === name);
    expect(fixture).toBeDefined();
    const record = published.find(
      (candidate) => (JSON.parse(String(candidate.value)) as TickwireEvent).id === fixture!.event.id,
    );
    expect(record).toBeDefined();
    const event = JSON.parse(String(record!.value)) as TickwireEvent;
    expect({ ...event, ingestTime: fixture!.event.ingestTime }).toEqual(fixture!.event);
    expect(record!.key).toBe(fixture!.event.payload.symbol);
    expect(record!.topic).toBe(fixture!.event.schema === 'market.trade.v1' ? TOPICS.trades : TOPICS.quotes);
  });
});
