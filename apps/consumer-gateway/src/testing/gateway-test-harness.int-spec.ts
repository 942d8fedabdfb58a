import { TOPICS } from '@tickwire/contracts';
import { createLocalKafka, uniqueName } from '@tickwire/testing';
import { GatewayTestHarness } from './gateway-test-harness';
import { enrichedTrade, recordOf, uniqueSymbol } from './market-event-builders';

/**
 * The harness's reference reader, which the stream tests compare subscribers with, on the real local
 * stack. A CI run lost one symbol's 20 records: another test's transaction was open on its partition,
 * so the listed end offsets (last stable offsets) stayed below the records just produced.
 */
describe('GatewayTestHarness.readTopic on the local stack', () => {
  let gateway: GatewayTestHarness;

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start();
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('returns records produced behind an open transaction once it commits', async () => {
    const symbol = uniqueSymbol();
    const t0 = Date.now();
    const transactional = createLocalKafka(uniqueName('it-harness-txn')).producer({
      transactionalId: uniqueName('it-harness-txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await transactional.connect();
    try {
      const transaction = await transactional.transaction();
      const inTransaction = enrichedTrade(symbol, 100, t0, 0);
      const [sent] = await transaction.send({ topic: TOPICS.enriched, messages: [{ key: symbol, value: JSON.stringify(inTransaction) }] });
      const partition = sent!.partition;

      const from = await gateway.endOffsets(TOPICS.enriched);
      // The listed end cannot pass the open transaction's first record.
      expect(BigInt(from.get(partition)!)).toBeLessThanOrEqual(BigInt(sent!.baseOffset!));
      const after = [1, 2, 3].map((i) => enrichedTrade(symbol, 100 + i, t0 + i, i));
      await gateway.producer.sendBatch(after.map((event) => ({ ...recordOf(event), partition })));

      const reading = gateway.readTopic(TOPICS.enriched, from, [symbol], 4);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await transaction.commit();

      expect((await reading).map((event) => event.id)).toEqual([inTransaction, ...after].map((event) => event.id));
    } finally {
      await transactional.disconnect();
    }
  });
});
