import {
  DLQ_HEADERS,
  INVALID_FIXTURES,
  QUOTE_V1_FIXTURES,
  TOPICS,
  TRADE_CANCEL_V1_FIXTURES,
  TRADE_CORRECTION_V1_FIXTURES,
  TRADE_V1_FIXTURES,
  TRADING_STATUS_V1_FIXTURES,
} from '@tickwire/contracts';
import { DeadLetterPublisher, type KafkaRecord, parseBatch } from '@tickwire/kafka';
import { ENRICHER_INPUT_TOPICS } from './enrichment-pipeline.service';

/**
 * Consumer side of the contract tests: the enricher's input step (contracts' parser via parseBatch,
 * dead letters built by libs/kafka's DeadLetterPublisher, as EnrichmentPipeline does inside its
 * transaction) accepts every golden trade, quote, correction, cancel and trading status and dead-letters every invalid fixture with its
 * error class and reason.
 */
const publisher = new DeadLetterPublisher(
  { sendBatch: () => Promise.resolve() },
  'enricher',
  undefined,
  'enricher',
  () => 1_795_284_000_000,
);

function recordOf(topic: string, value: string | null, offset: number): KafkaRecord {
  return {
    topic,
    partition: 0,
    offset: String(offset),
    key: Buffer.from('AAPL'),
    value: value === null ? null : Buffer.from(value),
    headers: {},
    timestamp: 0,
  };
}

describe('enricher input contract', () => {
  it('consumes trades, quotes, daily bars, trade corrections, trade cancels and trading statuses', () => {
    expect(ENRICHER_INPUT_TOPICS).toEqual([
      TOPICS.trades,
      TOPICS.quotes,
      TOPICS.barsDaily,
      TOPICS.tradeCorrections,
      TOPICS.tradeCancels,
      TOPICS.tradingStatus,
    ]);
  });

  it.each([
    [TOPICS.trades, 'market.trade.v1', TRADE_V1_FIXTURES],
    [TOPICS.quotes, 'market.quote.v1', QUOTE_V1_FIXTURES],
    [TOPICS.tradeCorrections, 'market.trade-correction.v1', TRADE_CORRECTION_V1_FIXTURES],
    [TOPICS.tradeCancels, 'market.trade-cancel.v1', TRADE_CANCEL_V1_FIXTURES],
    [TOPICS.tradingStatus, 'market.trading-status.v1', TRADING_STATUS_V1_FIXTURES],
  ] as const)(
    '%s: accepts every golden fixture and dead-letters every invalid one with its reason',
    (topic, schema, golden) => {
      const invalid = INVALID_FIXTURES[schema];
      expect(invalid.length).toBeGreaterThan(0);
      const records = [
        ...golden.map((fixture, i) => recordOf(topic, JSON.stringify(fixture.event), i)),
        ...invalid.map((fixture, i) =>
          recordOf(topic, fixture.text ?? JSON.stringify(fixture.value), 1_000 + i),
        ),
      ];
      const { parsed, deadLetters } = parseBatch(records);
      expect(parsed.map(({ event }) => event)).toEqual(golden.map((fixture) => fixture.event));
      expect(deadLetters).toHaveLength(invalid.length);
      for (const [i, fixture] of invalid.entries()) {
        const letter = publisher.build(deadLetters[i]!.record, deadLetters[i]!.error);
        expect(letter.topic).toBe(`${topic}.dlq`);
        expect(letter.value).toEqual(records[golden.length + i]!.value);
        const headers = letter.headers as Record<string, string>;
        expect([fixture.name, headers[DLQ_HEADERS.errorClass]]).toEqual([
          fixture.name,
          fixture.expected.errorClass,
        ]);
        // NaN / Infinity cannot travel in JSON text (they arrive as null): the same field is still named.
        const travelsAsIs =
          fixture.text !== undefined ||
          (JSON.stringify(JSON.parse(JSON.stringify(fixture.value))) === JSON.stringify(fixture.value) &&
            !/NaN|Infinity/.test(fixture.expected.reasonIncludes));
        const reason = travelsAsIs ? fixture.expected.reasonIncludes : `${fixture.expected.path ?? ''}:`;
        expect([fixture.name, headers[DLQ_HEADERS.errorMessage]]).toEqual([
          fixture.name,
          expect.stringContaining(reason),
        ]);
        expect(headers[DLQ_HEADERS.originalOffset]).toBe(String(1_000 + i));
      }
    },
  );
});
