import { SILENT_LOGGER } from '../client/structured-logger';
import { createKafkaClient } from '../client/kafka-client-factory';
import { KafkaTestCluster, TEST_BROKERS } from '../testing/kafka-test-cluster';
import { RecordProducer, TransactionDeadlineError } from './record-producer';

jest.setTimeout(60_000);

describe('RecordProducer on the real Kafka', () => {
  const cluster = new KafkaTestCluster();
  const kafka = createKafkaClient(
    { brokers: TEST_BROKERS, clientId: 'record-producer-int-test' },
    SILENT_LOGGER,
  );

  beforeAll(() => cluster.connect());
  afterAll(() => cluster.disconnect());

  it('sends an idempotent batch keyed by symbol, all acknowledged', async () => {
    const topic = cluster.uniqueName('trades');
    await cluster.createTopics([topic], 3);
    const producer = new RecordProducer(kafka, { compression: 'gzip' });
    await producer.connect();
    try {
      await producer.sendBatch([
        { topic, key: 'AAPL', value: '1', headers: { schema: 'market.trade.v1' } },
        { topic, key: 'MSFT', value: '2' },
        { topic, key: 'AAPL', value: '3' },
      ]);
    } finally {
      await producer.disconnect();
    }
    const records = await cluster.readTopic(topic, { count: 3, timeoutMs: 10_000 });
    expect(records).toHaveLength(3);
    const aapl = records.filter((record) => record.key!.toString() === 'AAPL');
    // One symbol, one partition, in order.
    expect(new Set(aapl.map((record) => record.partition)).size).toBe(1);
    expect(aapl.map((record) => record.value!.toString())).toEqual(['1', '3']);
    expect(aapl[0]!.headers['schema']!.toString()).toBe('market.trade.v1');
  });

  it('keeps per-key order without duplicates under concurrent batches (5 requests in flight)', async () => {
    const topic = cluster.uniqueName('load');
    await cluster.createTopics([topic], 3);
    const producer = new RecordProducer(kafka);
    await producer.connect();
    const symbols = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'INTC'];
    const batches = 40;
    const perBatch = 250;
    try {
      // Batches in parallel: several produce requests per broker in flight at once.
      await Promise.all(
        Array.from({ length: batches }, (_, batch) =>
          producer.sendBatch(
            Array.from({ length: perBatch }, (_, i) => {
              const n = batch * perBatch + i;
              return { topic, key: symbols[n % symbols.length]!, value: `${batch}:${i}` };
            }),
          ),
        ),
      );
    } finally {
      await producer.disconnect();
    }
    const records = await cluster.readTopic(topic, { count: batches * perBatch, timeoutMs: 15_000 });
    expect(records).toHaveLength(batches * perBatch);
    expect(new Set(records.map((record) => record.value!.toString())).size).toBe(batches * perBatch);
    // Within one batch, a symbol's records keep their order (across concurrent batches no order is promised).
    for (const symbol of symbols) {
      const ofSymbol = records.filter((record) => record.key!.toString() === symbol);
      expect(new Set(ofSymbol.map((record) => record.partition)).size).toBe(1);
      const lastIndexByBatch = new Map<string, number>();
      for (const record of ofSymbol) {
        const [batch, index] = record.value!.toString().split(':') as [string, string];
        expect(Number(index)).toBeGreaterThan(lastIndexByBatch.get(batch) ?? -1);
        lastIndexByBatch.set(batch, Number(index));
      }
    }
  });

  it('makes transactional records visible to read_committed consumers only after commit', async () => {
    const topic = cluster.uniqueName('tx');
    await cluster.createTopics([topic]);
    const producer = new RecordProducer(kafka, { transactionalId: cluster.uniqueName('txid') });
    await producer.connect();
    try {
      await expect(producer.sendBatch([{ topic, key: 'X', value: 'y' }])).rejects.toThrow(
        /inside transaction/,
      );
      await producer.transaction(async (tx) => {
        await tx.sendBatch([
          { topic, key: 'AAPL', value: 'a' },
          { topic, key: 'AAPL', value: 'b' },
        ]);
        // Written but not committed: read_uncommitted sees both, read_committed nothing.
        const uncommitted = await cluster.readTopic(topic, {
          count: 2,
          timeoutMs: 10_000,
          readUncommitted: true,
        });
        expect(uncommitted.map((record) => record.value!.toString())).toEqual(['a', 'b']);
        expect(await cluster.readTopic(topic, { count: 1, timeoutMs: 2_000 })).toEqual([]);
      });
      const committed = await cluster.readTopic(topic, { count: 2, timeoutMs: 10_000 });
      expect(committed.map((record) => record.value!.toString())).toEqual(['a', 'b']);

      await expect(
        producer.transaction(async (tx) => {
          await tx.sendBatch([{ topic, key: 'AAPL', value: 'aborted' }]);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      const afterAbort = await cluster.readTopic(topic, { count: 3, timeoutMs: 2_500 });
      expect(afterAbort.map((record) => record.value!.toString())).toEqual(['a', 'b']);
    } finally {
      await producer.disconnect();
    }
  });

  it('fails a transaction whose step does not settle within the transaction timeout, and aborts it', async () => {
    const topic = cluster.uniqueName('tx-deadline');
    await cluster.createTopics([topic]);
    const producer = new RecordProducer(kafka, {
      transactionalId: cluster.uniqueName('txid-deadline'),
      transactionTimeoutMs: 1_500,
    });
    await producer.connect();
    try {
      const started = Date.now();
      await expect(
        producer.transaction(async (tx) => {
          await tx.sendBatch([{ topic, key: 'AAPL', value: 'stuck' }]);
          await new Promise(() => undefined);
        }),
      ).rejects.toThrow(TransactionDeadlineError);
      expect(Date.now() - started).toBeLessThan(10_000);
      // Nothing of it became visible (our abort, or the broker's transaction timeout).
      expect(await cluster.readTopic(topic, { count: 1, timeoutMs: 2_500 })).toEqual([]);
    } finally {
      await producer.disconnect();
    }
  });
});
