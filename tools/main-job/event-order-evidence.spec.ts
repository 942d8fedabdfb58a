import { dlqTopic, DLQ_HEADERS, LATE_HEADERS, lateTopic, TOPICS } from '@tickwire/contracts';
import { EVENT_ORDER_TOPICS, enrichedTopicRecord, eventOrderInvariants, evidenceItem, type EvidenceItem, rawEventOf, rawReference } from './event-order-evidence';
import type { ReadRecord } from './topic-reader';

const T = 1_340_285_400_000; // 2012-06-21T13:30:00Z
const envelope = (schema: string, id: string, eventTime: number, payload: object): object => ({ schema, id, eventTime, ingestTime: T, source: 'lobster', payload });
const tradeEvent = (id: string, eventTime: number, price: number, sequence: number): object =>
  envelope('market.trade.v1', id, eventTime, { symbol: 'AAPL', price, size: 100, aggressorSide: 'buy', sequence });
const quoteEvent = (id: string, eventTime: number, bidPrice: number, askPrice: number, sequence: number): object =>
  envelope('market.quote.v1', id, eventTime, { symbol: 'AAPL', bidPrice, bidSize: 300, askPrice, askSize: 200, sequence });

function record(topic: string, offset: number, value: object | string, headers: Record<string, string> = {}): ReadRecord {
  return { topic, partition: 0, offset: String(offset), key: 'AAPL', value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), headers };
}

/** An enriched record of raw event `source` (as the enricher writes it), with what it knew. */
function enriched(offset: number, source: Record<string, unknown>, kind: 'trade' | 'quote', lastPrice: number | null, bidAsk: Record<string, unknown>): ReadRecord {
  const raw = source['payload'] as Record<string, unknown>;
  const previousClose = 100;
  return record(
    TOPICS.enriched,
    offset,
    envelope('market.enriched.v1', `e${source['id']}`, source['eventTime'] as number, {
      kind,
      [kind]: raw,
      symbol: 'AAPL',
      sourceEventId: source['id'],
      previousClose,
      changePercent: lastPrice === null ? null : ((lastPrice - previousClose) / previousClose) * 100,
      lastPrice,
      bidPrice: bidAsk['bidPrice'] ?? null,
      askPrice: bidAsk['askPrice'] ?? null,
      bidSize: bidAsk['bidSize'] ?? null,
      askSize: bidAsk['askSize'] ?? null,
      processingTime: T,
    }),
  );
}

describe('eventOrderInvariants', () => {
  const q1 = quoteEvent('q1', T, 99.9, 100.1, 1) as Record<string, unknown>;
  const t1 = tradeEvent('t1', T + 10, 100.1, 2) as Record<string, unknown>;
  // Arrives after q2 was processed: the enricher sends it to market.trades.v1.late.
  const late = tradeEvent('t-late', T + 15, 99, 3) as Record<string, unknown>;
  const q2 = quoteEvent('q2', T + 20, 100, 100.2, 4) as Record<string, unknown>;
  const raw = [record(TOPICS.trades, 0, t1), record(TOPICS.trades, 1, 'not json'), record(TOPICS.trades, 2, late)];
  const quotes = [record(TOPICS.quotes, 0, q1), record(TOPICS.quotes, 1, q2)];
  const q1Payload = q1['payload'] as Record<string, unknown>;
  const q2Payload = q2['payload'] as Record<string, unknown>;
  const output = [enriched(0, q1, 'quote', null, q1Payload), enriched(1, t1, 'trade', 100.1, q1Payload), enriched(2, q2, 'quote', 100.1, q2Payload)];
  const bar = envelope('market.bar.1m.v1', `AAPL:${T}`, T + 60_000, { symbol: 'AAPL', startTime: T, endTime: T + 60_000 });
  const lateRecord = record(lateTopic(TOPICS.trades), 0, late, {
    [LATE_HEADERS.originalTopic]: TOPICS.trades,
    [LATE_HEADERS.originalPartition]: '0',
    [LATE_HEADERS.originalOffset]: '2',
  });
  /** The topics as read, each record made an evidence item. */
  const topics = (overrides: Record<string, ReadRecord[]> = {}): Map<string, EvidenceItem[]> =>
    new Map(
      Object.entries({
        [TOPICS.trades]: raw,
        [TOPICS.quotes]: quotes,
        [TOPICS.enriched]: output,
        [TOPICS.bars1m]: [record(TOPICS.bars1m, 0, bar)],
        [lateTopic(TOPICS.trades)]: [lateRecord],
        ...overrides,
      }).map(([topic, records]) => [topic, records.map(evidenceItem)]),
    );

  it('reads every topic it needs: raw inputs, enriched outputs, late and dead-letter topics of the inputs', () => {
    expect(EVENT_ORDER_TOPICS).toEqual(expect.arrayContaining([TOPICS.trades, TOPICS.quotes, TOPICS.enriched, TOPICS.bars1m, TOPICS.alerts, lateTopic(TOPICS.quotes), dlqTopic(TOPICS.trades)]));
  });

  it('holds for an enricher that took the input in event-time order; the late trade is excused, the invalid record ignored', () => {
    const evidence = eventOrderInvariants(topics(), output.map(enrichedTopicRecord));
    for (const check of [evidence.enrichedOrder, evidence.barsOrder, evidence.alertsOrder, evidence.topicLookAhead, evidence.searchLookAhead]) {
      expect({ name: check.name, held: check.held, detail: check.detail }).toMatchObject({ held: true });
    }
    expect(evidence.topicLookAhead).toMatchObject({ checked: 3, quotes: 2 });
    expect(evidence.reference).toMatchObject({ late: 1, deadLettered: 0 });
    expect(evidence.reference.sources.size).toBe(3);
  });

  it('takes a trade the enricher did not excuse as known: without its late record q2 looks stale', () => {
    const evidence = eventOrderInvariants(topics({ [lateTopic(TOPICS.trades)]: [] }), []);
    expect(evidence.topicLookAhead).toMatchObject({ held: false, quotesWithLookAhead: 1 });
    expect(evidence.topicLookAhead.detail).toContain('lastPrice 100.1, expected 99 (last before)');
  });

  it('excuses a dead-lettered record as well', () => {
    const dlq = record(dlqTopic(TOPICS.trades), 0, late, {
      [DLQ_HEADERS.originalTopic]: TOPICS.trades,
      [DLQ_HEADERS.originalPartition]: '0',
      [DLQ_HEADERS.originalOffset]: '2',
    });
    const reference = rawReference([...topics({ [lateTopic(TOPICS.trades)]: [], [dlqTopic(TOPICS.trades)]: [dlq] }).values()].flat());
    expect(reference).toMatchObject({ late: 0, deadLettered: 1 });
  });

  it('finds the enriched events of a run that took all trades before the quotes', () => {
    const batched = [enriched(0, t1, 'trade', 100.1, {}), enriched(1, q1, 'quote', 100.1, q1Payload), enriched(2, q2, 'quote', 100.1, q2Payload)];
    const evidence = eventOrderInvariants(topics({ [TOPICS.enriched]: batched }), []);
    expect(evidence.enrichedOrder).toMatchObject({ held: false, decreases: 1 });
    expect(evidence.topicLookAhead).toMatchObject({ held: false, quotesWithLookAhead: 1 });
    expect(evidence.searchLookAhead).toMatchObject({ held: true, checked: 0 });
  });

  it('takes a raw record into the reference only with an id, a symbol, an integer eventTime and usable prices and sizes', () => {
    expect(rawEventOf('trade', record(TOPICS.trades, 0, t1))).toMatchObject({ id: 't1', symbol: 'AAPL', kind: 'trade', eventTime: T + 10 });
    expect(rawEventOf('quote', record(TOPICS.quotes, 0, q1))).toMatchObject({ id: 'q1', kind: 'quote', payload: { bidPrice: 99.9 } });
    const negativeSize = quoteEvent('negative-size', T, 1, 2, 1) as { payload: { bidSize: number } };
    negativeSize.payload.bidSize = -1;
    const broken: ['trade' | 'quote', object | string][] = [
      ['trade', '{"id":"x"'],
      ['trade', tradeEvent('nan', T, Number.NaN, 1)], // JSON.stringify sends null
      ['trade', tradeEvent('zero', T, 0, 1)],
      ['trade', { ...tradeEvent('no-time', T, 1, 1), eventTime: '2012-06-21' }],
      ['trade', envelope('market.trade.v1', 'no-symbol', T, { price: 1, size: 1 })],
      ['quote', negativeSize],
    ];
    expect(broken.map(([kind, value]) => rawEventOf(kind, record(TOPICS.trades, 0, value)))).toEqual(broken.map(() => undefined));
  });

  it('parses an enriched record with its position and its raw event’s source sequence', () => {
    expect(enrichedTopicRecord(output[1] as ReadRecord)).toMatchObject({
      where: '0@1',
      partition: 0,
      offset: '1',
      id: 'et1',
      sourceEventId: 't1',
      kind: 'trade',
      eventTime: T + 10,
      sequence: 2,
      lastPrice: 100.1,
      bidPrice: 99.9,
      askSize: 200,
    });
  });
});
