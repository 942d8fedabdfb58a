import { RecordProducer } from '@tickwire/kafka';
import { AlpacaProtocolServer, AlpacaSource, type MarketDataSource, type SourceRecord } from '@tickwire/market-sources';
import { createLocalKafka, uniqueName } from '@tickwire/testing';
import type { Admin, Kafka } from 'kafkajs';
import pino from 'pino';
import { KafkaDailyBarHoldStore } from './kafka-daily-bar-hold-store';

/**
 * The Alpaca source's daily-bar hold across a restart, on the real local Kafka: a first source receives the
 * session's daily bar at 10:00 ET and holds it (the session is open), then stops; a second source with a
 * store on the same compacted topic starts after the close and publishes that bar first, without Alpaca
 * sending it again. Without the store the bar would be lost (Alpaca sends it only while it changes).
 */
jest.setTimeout(120_000);

const logger = pino({ level: 'silent' });
const credentials = { keyId: 'it-key', secretKey: 'it-secret' };
// Only the frames this test injects flow.
const empty: MarketDataSource = {
  name: 'empty',
  close: async () => undefined,
  async *[Symbol.asyncIterator]() {
    // nothing to replay
  },
};
/** Alpaca `d` for AAPL on 2020-11-25 with close `c` (`t` = the start of the New York day). */
const dailyBarFrame = (close: number) =>
  JSON.stringify([{ T: 'd', S: 'AAPL', o: 116, h: 118, l: 115, c: close, v: 1_000_000, t: '2020-11-25T05:00:00Z', n: 9_000, vw: 116.5 }]);

describe('KafkaDailyBarHoldStore with AlpacaSource (restart across the close)', () => {
  const kafka: Kafka = createLocalKafka('it-daily-bar-hold');
  let admin: Admin;
  let producer: RecordProducer;
  let server: AlpacaProtocolServer;
  const topic = uniqueName('it-daily-bar-hold');

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    producer = new RecordProducer(kafka);
    await producer.connect();
    server = new AlpacaProtocolServer({ credentials, feed: () => empty });
    await server.start();
  });

  afterAll(async () => {
    await server?.close();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  const store = () => new KafkaDailyBarHoldStore(kafka, producer, { topic, groupIdPrefix: 'it-daily-bar-hold', logger });
  const source = (now: number, dailyBarStore: KafkaDailyBarHoldStore) =>
    new AlpacaSource({ url: server.url, credentials, subscription: { dailyBars: ['AAPL'] }, wallClock: () => now, dailyBarStore });

  async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('publishes the bar a stopped run held, at once after the close, and forgets it', async () => {
    // Run 1, 10:00 ET on 2020-11-25: the session is open, so the two updates of the day's bar are held.
    const first = store();
    const during = source(Date.parse('2020-11-25T15:00:00Z'), first);
    const firstRecords: SourceRecord[] = [];
    const iterating = (async () => {
      for await (const record of during) firstRecords.push(record);
    })();
    await waitFor(() => during.connectionState === 'streaming' && during.subscription !== undefined, 'the first source to subscribe');
    server.injectFrame(dailyBarFrame(116.1));
    server.injectFrame(dailyBarFrame(116.03));
    await waitFor(async () => {
      await first.flush();
      const saved = await store().load();
      return saved.length === 1 && saved[0]?.message['c'] === 116.03;
    }, 'the latest update of the held bar to be saved');
    await during.close();
    await iterating;
    expect(firstRecords).toEqual([]);

    // Run 2, 16:30 ET: nothing is sent by Alpaca; the held bar comes back from the topic and is due.
    const second = store();
    const after = source(Date.parse('2020-11-25T21:30:00Z'), second);
    const iterator = after[Symbol.asyncIterator]();
    const next = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the held bar was not published after the restart')), 20_000)),
    ]);
    expect(next.done).toBe(false);
    expect(next.value).toMatchObject({
      kind: 'event',
      event: {
        schema: 'market.bar.daily.v1',
        ingestTime: Date.parse('2020-11-25T21:30:00Z'),
        payload: { symbol: 'AAPL', tradingDate: '2020-11-25', close: 116.03 },
      },
    });
    await second.flush();
    await iterator.return?.();

    // Released, so forgotten: a third run restores nothing.
    expect(await store().load()).toEqual([]);
  });
});
