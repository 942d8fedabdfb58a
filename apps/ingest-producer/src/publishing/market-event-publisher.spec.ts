import { EventContractError, QUOTE_V1_FIXTURES, TOPICS, TRADE_V1_FIXTURES, type TickwireEvent } from '@tickwire/contracts';
import type { OutgoingRecord } from '@tickwire/kafka';
import { MarketEventPublisher, type PublishedRecordsCounter, type RecordSink, toOutgoingRecord } from './market-event-publisher';

class RecordingSink implements RecordSink {
  batches: OutgoingRecord[][] = [];
  async sendBatch(records: readonly OutgoingRecord[]): Promise<void> {
    this.batches.push([...records]);
  }
}

class RecordingCounter implements PublishedRecordsCounter {
  counts: Record<string, number> = {};
  recordsProduced(topic: string, count: number): void {
    this.counts[topic] = (this.counts[topic] ?? 0) + count;
  }
}

const trade = TRADE_V1_FIXTURES[0]!.event as TickwireEvent;
const quote = QUOTE_V1_FIXTURES[0]!.event as TickwireEvent;

describe('toOutgoingRecord', () => {
  it('routes by schema, keys by symbol and serializes the envelope', () => {
    const record = toOutgoingRecord(trade);
    expect(record.topic).toBe(TOPICS.trades);
    expect(record.key).toBe(trade.payload.symbol);
    expect(JSON.parse(String(record.value))).toEqual(trade);
    expect(record.headers).toEqual({ 'content-type': 'application/json', schema: 'market.trade.v1' });
    expect(toOutgoingRecord(quote).topic).toBe(TOPICS.quotes);
  });

  it('refuses an event that breaks its contract', () => {
    const broken = { ...trade, payload: { ...trade.payload, price: -1 } } as TickwireEvent;
    expect(() => toOutgoingRecord(broken)).toThrow(EventContractError);
  });
});

describe('MarketEventPublisher', () => {
  it('sends one batch and counts records per topic', async () => {
    const sink = new RecordingSink();
    const counter = new RecordingCounter();
    await new MarketEventPublisher(sink, counter).publish([trade, quote, trade]);
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]!.map((record) => record.topic)).toEqual([TOPICS.trades, TOPICS.quotes, TOPICS.trades]);
    expect(counter.counts).toEqual({ [TOPICS.trades]: 2, [TOPICS.quotes]: 1 });
  });

  it('sends nothing when any event is invalid', async () => {
    const sink = new RecordingSink();
    const counter = new RecordingCounter();
    const broken = { ...quote, payload: { ...quote.payload, bidPrice: 10_000 } } as TickwireEvent;
    await expect(new MarketEventPublisher(sink, counter).publish([trade, broken])).rejects.toThrow(/crossed quote/);
    expect(sink.batches).toEqual([]);
    expect(counter.counts).toEqual({});
  });
});
