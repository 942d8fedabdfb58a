import { Writable } from 'node:stream';
import {
  buildEvent,
  buildSourceSequenceHeaders,
  type EnrichedV1Event,
  QUOTE_V1_FIXTURES,
  serializeEvent,
  type TickwireEvent,
  TOPICS,
  TRADE_V1_FIXTURES,
} from '@tickwire/contracts';
import { type RunningService, startService } from '@tickwire/service-kit';
import { commitOffsetsAtEnd, createLocalKafka, uniqueName } from '@tickwire/testing';
import type { Consumer } from 'kafkajs';
import { AppModule } from '../app.module';
import { ENRICHER } from '../service-definition';
import { ENRICHER_INPUT_TOPICS } from './enrichment-pipeline.service';

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

/**
 * The merge with ingest-producer's sequence headers on the real stack: a symbol's trades and quotes,
 * numbered per symbol over both topics as ingest-producer numbers them, are all sent to the trades
 * topic first and then to the quotes topic, so the enricher fetches trades while quotes are still
 * empty. The records it can prove complete go without the idle wait (counted as `complete`), the
 * others wait for their predecessors as before, and the enriched stream of the symbol is in event-time
 * order with each quote's lastPrice the last trade at or before it.
 */
describe('enricher merge with source sequence headers (real Kafka)', () => {
  const kafka = createLocalKafka('enricher-merge-seq-test');
  const admin = kafka.admin();
  const groupId = uniqueName('it-enricher-merge-seq');
  const serviceName = uniqueName('enricher-merge-seq');
  const changelogTopic = uniqueName('it-enricher-changelog');
  const symbol = `Y${Math.random()
    .toString(36)
    .slice(2, 7)
    .toUpperCase()
    .replace(/[^A-Z]/g, 'Q')}`;
  let running: RunningService<unknown>;
  let reader: Consumer;

  beforeAll(async () => {
    await admin.connect();
    await commitOffsetsAtEnd(admin, groupId, ENRICHER_INPUT_TOPICS);
    running = await startService(AppModule, ENRICHER, {
      env: {
        ...process.env,
        KAFKA_CONSUMER_GROUP: groupId,
        SERVICE_NAME: serviceName,
        ENRICHER_CHANGELOG_TOPIC: changelogTopic,
        // The symbol is invented: enrich it without a previous close instead of dead-lettering it.
        UNKNOWN_SYMBOL_POLICY: 'enrich',
        LOG_LEVEL: 'warn',
      },
      httpPort: 0,
      logDestination: discard,
    });
  });

  afterAll(async () => {
    await reader?.disconnect().catch(() => undefined);
    await running?.app.close();
    await admin.deleteTopics({ topics: [changelogTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('takes provably complete records without waiting, and keeps the symbol in event-time order', async () => {
    const trade = TRADE_V1_FIXTURES[0]!.event;
    const quote = QUOTE_V1_FIXTURES[0]!.event;
    const start = Date.now() - 60_000;
    const events: TickwireEvent[] = [];
    for (let i = 0; i < 40; i += 1) {
      const common = { eventTime: start + i * 10, ingestTime: start + i * 10 + 1, source: trade.source };
      events.push(
        i % 4 === 3
          ? buildEvent('market.quote.v1', {
              ...common,
              payload: { ...quote.payload, symbol, bidPrice: 100 + i, askPrice: 100.5 + i, sequence: i },
            })
          : buildEvent('market.trade.v1', {
              ...common,
              payload: { ...trade.payload, symbol, price: 100 + i, sequence: i },
            }),
      );
    }
    const session = uniqueName('session');
    const recordOf = (event: TickwireEvent, i: number) => ({
      key: symbol,
      value: serializeEvent(event),
      headers: buildSourceSequenceHeaders({ session, sequence: i + 1 }),
    });
    const numbered = events.map((event, i) => ({ event, record: recordOf(event, i) }));

    const enrichedStart = await admin.fetchTopicOffsets(TOPICS.enriched);
    const readerGroup = uniqueName('it-merge-seq-reader');
    await admin.setOffsets({
      groupId: readerGroup,
      topic: TOPICS.enriched,
      partitions: enrichedStart.map(({ partition, high }) => ({ partition, offset: high })),
    });
    reader = kafka.consumer({ groupId: readerGroup, maxWaitTimeInMs: 200, readUncommitted: false });
    await reader.connect();
    await reader.subscribe({ topics: [TOPICS.enriched], fromBeginning: true });
    const enriched: EnrichedV1Event[] = [];
    const all = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`enriched ${enriched.length} of ${events.length}`)), 30_000);
      void reader.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== symbol) return;
          enriched.push(JSON.parse(message.value?.toString() ?? '{}') as EnrichedV1Event);
          if (enriched.length >= events.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: TOPICS.trades,
      acks: -1,
      messages: numbered.filter(({ event }) => event.schema === 'market.trade.v1').map(({ record }) => record),
    });
    await producer.send({
      topic: TOPICS.quotes,
      acks: -1,
      messages: numbered.filter(({ event }) => event.schema === 'market.quote.v1').map(({ record }) => record),
    });
    await producer.disconnect();
    await all;

    expect(enriched.map((event) => event.payload.sourceEventId)).toEqual(events.map((event) => event.id));
    let lastTrade: number | null = null;
    for (const [i, event] of events.entries()) {
      if (event.schema === 'market.trade.v1') lastTrade = event.payload.price;
      else expect(enriched[i]!.payload.lastPrice).toBe(lastTrade);
    }
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    const complete = new RegExp(
      `tickwire_enricher_merge_takes_total\\{reason="complete",service="${serviceName}"\\} (\\d+)`,
    ).exec(metrics);
    // At least the symbol's first record (sequence 1) and the records left after the quotes ran out.
    expect(Number(complete?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
  });
});
