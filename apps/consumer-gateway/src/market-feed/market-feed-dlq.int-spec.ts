import { DLQ_HEADERS, dlqTopic, TOPICS } from '@tickwire/contracts';
import { createLocalKafka, uniqueName, waitUntil } from '@tickwire/testing';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { gatewayConsumerGroup } from '../config/gateway-config';
import { GatewayTestHarness } from '../testing/gateway-test-harness';
import { enrichedTrade, uniqueSymbol } from '../testing/market-event-builders';

/** Contract validation of consumed records: an invalid one is dead-lettered, the valid ones still flow. */
describe('market feed dead letters on the local stack', () => {
  let gateway: GatewayTestHarness;
  let dlqConsumer: Consumer;

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start();
  });

  afterAll(async () => {
    await dlqConsumer?.disconnect();
    await gateway?.stop();
  });

  it('sends a record that breaks the contract to market.enriched.v1.dlq with the reason, and keeps going', async () => {
    const symbol = uniqueSymbol();
    const valid = enrichedTrade(symbol, 101, Date.now());
    const invalid = { ...valid, payload: { ...valid.payload, changePercent: 55 } };
    const before = await gateway.metrics();

    // Watch the DLQ from its current end before producing.
    dlqConsumer = createLocalKafka(uniqueName('it-dlq-reader')).consumer({
      groupId: uniqueName('it-dlq-reader'),
    });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topics: [dlqTopic(TOPICS.enriched)], fromBeginning: false });
    const received = new Promise<KafkaMessage>((resolve) => {
      void dlqConsumer.run({
        eachMessage: async ({ message }) => {
          if (
            message.key?.toString() === symbol &&
            message.headers?.[DLQ_HEADERS.service]?.toString() === 'consumer-gateway'
          )
            resolve(message);
        },
      });
    });
    await new Promise<void>((resolve) => dlqConsumer.on(dlqConsumer.events.GROUP_JOIN, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const fannedOut = (text: string) =>
      Number(
        /tickwire_gateway_events_fanned_out_total\{[^}]*topic="market.enriched.v1"[^}]*\} (\d+)/.exec(
          text,
        )?.[1] ?? 0,
      );
    const fannedOutBefore = fannedOut(await gateway.metrics());
    await gateway.producer.sendBatch([
      { topic: TOPICS.enriched, key: symbol, value: JSON.stringify(invalid) },
      { topic: TOPICS.enriched, key: symbol, value: JSON.stringify(valid) },
    ]);

    const deadLetter = await received;
    const header = (name: string) => deadLetter.headers?.[name]?.toString();
    expect(header(DLQ_HEADERS.errorClass)).toBe('SchemaViolation');
    expect(header(DLQ_HEADERS.errorMessage)).toContain('payload.changePercent');
    expect(header(DLQ_HEADERS.originalTopic)).toBe(TOPICS.enriched);
    expect(header(DLQ_HEADERS.consumerGroup)).toBe(gatewayConsumerGroup(gateway.running.config));
    expect(JSON.parse(deadLetter.value!.toString())).toEqual(invalid);
    const dlqCount = (text: string) =>
      Number(
        /tickwire_dlq_records_total\{[^}]*topic="market.enriched.v1"[^}]*reason="SchemaViolation"[^}]*\} (\d+)/.exec(
          text,
        )?.[1] ?? 0,
      );
    // Counted once the gateway's DLQ send is acknowledged, which a reader of the DLQ can beat (a loaded
    // fresh-clone run saw the record before the counter moved).
    await waitUntil(
      'the dead letter to be counted',
      async () => dlqCount(await gateway.metrics()) > dlqCount(before),
      10_000,
    );
    // The valid record behind it (same partition) was fanned out.
    await waitUntil(
      'the valid record after the dead letter to be fanned out',
      async () => fannedOut(await gateway.metrics()) > fannedOutBefore,
      10_000,
    );
  });
});
