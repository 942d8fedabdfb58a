import {
  DLQ_HEADERS,
  TOPICS,
  TRADE_V1_FIXTURES,
  QUOTE_V1_FIXTURES,
  parseDlqHeaders,
  parseSourceSequence,
  SEQUENCE_HEADERS,
  type TradeV1Event,
  type QuoteV1Event,
} from '@tickwire/contracts';
import type { OutgoingRecord } from '@tickwire/kafka';
import {
  eventRecord,
  IterableSource,
  MAX_PACING,
  rejectedRecord,
  type SourceRecord,
} from '@tickwire/market-sources';
import type { RecordSink } from '../publishing/market-event-publisher';
import type { IngestMetrics } from './ingest-metrics';
import { IngestPipeline } from './ingest-pipeline';
import { IngestProgress } from './ingest-status';

class RecordingSink implements RecordSink {
  readonly batches: OutgoingRecord[][] = [];
  failWith: Error | undefined;
  async sendBatch(records: readonly OutgoingRecord[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.batches.push([...records]);
  }
  get records(): OutgoingRecord[] {
    return this.batches.flat();
  }
}

class RecordingMetrics implements IngestMetrics {
  read = { event: 0, rejected: 0 };
  published: Record<string, number> = {};
  deadLettered: string[] = [];
  batches = 0;
  lags: number[] = [];
  recordRead(kind: 'event' | 'rejected'): void {
    this.read[kind] += 1;
  }
  recordsPublished(topic: string, count: number): void {
    this.published[topic] = (this.published[topic] ?? 0) + count;
  }
  recordDeadLettered(topic: string, reason: string): void {
    this.deadLettered.push(`${topic} ${reason}`);
  }
  batchAcknowledged(): void {
    this.batches += 1;
  }
  replayLag(seconds: number): void {
    this.lags.push(seconds);
  }
}

const trade = TRADE_V1_FIXTURES[0]!.event as TradeV1Event;
const quote = QUOTE_V1_FIXTURES[0]!.event as QuoteV1Event;
const badRow = rejectedRecord(TOPICS.trades, 'SchemaViolation', 'payload.size: size must be > 0 shares', {
  source: 'lobster',
  raw: '34200.3,4,1,0,5857400,-1',
  origin: 'lobster/AAPL message line 9',
  symbol: 'AAPL',
  receivedAt: 1_795_284_000_000,
});
/** An event that the source believed valid but breaks the contract (a crossed quote). */
const crossedQuote = {
  ...quote,
  payload: { ...quote.payload, bidPrice: quote.payload.askPrice + 1 },
} as QuoteV1Event;

function pipelineOf(
  records: Iterable<SourceRecord> | AsyncIterable<SourceRecord>,
  sink = new RecordingSink(),
  batchSize = 2,
) {
  const progress = new IngestProgress(
    { source: 'replay', dataset: 'lobster', speed: 'max', finite: true },
    () => 42,
  );
  const metrics = new RecordingMetrics();
  const pipeline = new IngestPipeline({
    source: new IterableSource(records),
    sink,
    progress,
    metrics,
    serviceName: 'ingest-producer',
    batchSize,
    lingerMs: 1,
    maxInFlight: 1,
    pacing: MAX_PACING,
    wallClock: () => 1_795_284_000_500,
  });
  return { pipeline, progress, metrics, sink };
}

describe('IngestPipeline', () => {
  it('publishes events keyed by symbol and dead-letters refused input, in source order, then completes', async () => {
    const { pipeline, progress, metrics, sink } = pipelineOf([
      eventRecord(trade),
      badRow,
      eventRecord(crossedQuote),
      eventRecord(quote),
      eventRecord(trade),
    ]);
    await pipeline.run();
    expect(sink.records.map((record) => `${record.topic} ${String(record.key)}`)).toEqual([
      'market.trades.v1 AAPL',
      'market.trades.v1.dlq AAPL',
      'market.quotes.v1.dlq AAPL',
      'market.quotes.v1 AAPL',
      'market.trades.v1 AAPL',
    ]);
    expect(sink.batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    const [, rowLetter, quoteLetter] = sink.records;
    expect(String(rowLetter!.value)).toBe('34200.3,4,1,0,5857400,-1');
    expect(parseDlqHeaders(rowLetter!.headers!).data).toMatchObject({
      [DLQ_HEADERS.originalTopic]: TOPICS.trades,
      [DLQ_HEADERS.originalOffset]: '1',
      [DLQ_HEADERS.errorClass]: 'SchemaViolation',
      [DLQ_HEADERS.errorMessage]: 'payload.size: size must be > 0 shares',
    });
    // The contract check happens in the producer too: the crossed quote is dead-lettered with its JSON.
    expect(JSON.parse(String(quoteLetter!.value))).toEqual(crossedQuote);
    expect(parseDlqHeaders(quoteLetter!.headers!).data?.[DLQ_HEADERS.errorMessage]).toMatch(/crossed quote/);
    expect(progress.snapshot()).toEqual({
      source: 'replay',
      dataset: 'lobster',
      speed: 'max',
      state: 'completed',
      startedAt: 42,
      completedAt: 42,
      published: { [TOPICS.trades]: 2, [TOPICS.quotes]: 1 },
      deadLettered: { 'market.trades.v1.dlq': 1, 'market.quotes.v1.dlq': 1 },
      rejected: 2,
    });
    expect(metrics.read).toEqual({ event: 4, rejected: 1 });
    expect(metrics.published).toEqual({ [TOPICS.trades]: 2, [TOPICS.quotes]: 1 });
    expect(metrics.deadLettered).toEqual([
      'market.trades.v1 SchemaViolation',
      'market.quotes.v1 SchemaViolation',
    ]);
    expect(metrics.batches).toBe(3);
    expect(metrics.lags).toEqual([]); // max pacing: no schedule to lag behind
  });

  it('stamps every published event with its session and a per-symbol sequence over all raw topics; dead letters get none', async () => {
    const other = { ...quote, payload: { ...quote.payload, symbol: 'MSFT' } } as QuoteV1Event;
    const { pipeline, sink } = pipelineOf([
      eventRecord(trade),
      badRow,
      eventRecord(quote),
      eventRecord(crossedQuote),
      eventRecord(other),
      eventRecord(trade),
    ]);
    await pipeline.run();
    const stamped = sink.records.map((record) => [
      `${record.topic} ${String(record.key)}`,
      parseSourceSequence(record.headers)?.sequence,
    ]);
    expect(stamped).toEqual([
      ['market.trades.v1 AAPL', 1],
      ['market.trades.v1.dlq AAPL', undefined],
      ['market.quotes.v1 AAPL', 2],
      ['market.quotes.v1.dlq AAPL', undefined],
      ['market.quotes.v1 MSFT', 1],
      ['market.trades.v1 AAPL', 3],
    ]);
    const sessions = new Set(sink.records.map((record) => record.headers?.[SEQUENCE_HEADERS.sourceSession]));
    sessions.delete(undefined);
    expect(sessions.size).toBe(1);
    // The envelope's own headers stay.
    expect(sink.records[0]!.headers).toMatchObject({ 'content-type': 'application/json', schema: 'market.trade.v1' });
  });

  it('fails when Kafka refuses a batch, counting nothing that was not acknowledged', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('KafkaJSNumberOfRetriesExceeded');
    const { pipeline, progress, metrics } = pipelineOf(
      [eventRecord(trade), eventRecord(quote), eventRecord(trade)],
      sink,
    );
    await pipeline.run();
    const status = progress.snapshot();
    expect(status.state).toBe('failed');
    expect(status.error).toBe('Error: KafkaJSNumberOfRetriesExceeded');
    expect(status.published).toEqual({});
    expect(metrics.published).toEqual({});
  });

  it('fails when the source fails, after publishing what was read before', async () => {
    async function* brokenFile(): AsyncGenerator<SourceRecord> {
      yield eventRecord(trade);
      throw new Error('unexpected end of file');
    }
    const { pipeline, progress, sink } = pipelineOf(brokenFile(), new RecordingSink(), 100);
    await pipeline.run();
    expect(progress.snapshot()).toMatchObject({
      state: 'failed',
      error: 'Error: unexpected end of file',
      published: { [TOPICS.trades]: 1 },
    });
    expect(sink.records).toHaveLength(1);
  });

  it('stops reading on stop() and still delivers every record read', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<SourceRecord> {
      for (;;) {
        produced += 1;
        yield eventRecord(trade);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const sink = new RecordingSink();
    const progress = new IngestProgress({ source: 'synthetic', dataset: null, speed: 'max', finite: false });
    const pipeline = new IngestPipeline({
      source: new IterableSource(endless()),
      sink,
      progress,
      serviceName: 'ingest-producer',
      batchSize: 1000,
      lingerMs: 60_000,
      maxInFlight: 1,
      pacing: MAX_PACING,
    });
    const running = pipeline.run();
    while (produced < 50) await new Promise((resolve) => setImmediate(resolve));
    await pipeline.stop();
    await running;
    expect(sink.records.length).toBeGreaterThanOrEqual(50);
    expect(progress.snapshot().published[TOPICS.trades]).toBe(sink.records.length);
    expect(progress.currentState).toBe('running'); // stopped, not completed
  });

  it('measures lag behind a paced schedule from the first event of each source', async () => {
    const second = {
      ...trade,
      eventTime: trade.eventTime + 1000,
      eventTimeNs: String(BigInt(trade.eventTimeNs!) + 1_000_000_000n),
    } as TradeV1Event;
    let now = 1_000_000;
    const metrics = new RecordingMetrics();
    const pipeline = new IngestPipeline({
      source: new IterableSource([eventRecord(trade), eventRecord(second)]),
      sink: {
        sendBatch: async () => {
          now += 1500; // each acknowledgement comes 1.5 s later
        },
      },
      progress: new IngestProgress({ source: 'replay', dataset: 'lobster', speed: 'x2', finite: true }),
      metrics,
      serviceName: 'ingest-producer',
      batchSize: 1,
      lingerMs: 0,
      maxInFlight: 1,
      pacing: { mode: 'scaled', speed: 2 },
      wallClock: () => now,
    });
    await pipeline.run();
    // First: 1.5 s after its own anchor. Second: due 0.5 s after the anchor (1 s of event time at x2), acknowledged 3 s after it.
    expect(metrics.lags).toEqual([1.5, 2.5]);
  });
});
