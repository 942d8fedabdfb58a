import { EventContractError, QUOTE_V1_FIXTURES, TOPICS, TRADE_V1_FIXTURES, type TickwireEvent } from '@tickwire/contracts';
import { toOutgoingRecord } from './market-event-publisher';

const trade = TRADE_V1_FIXTURES[0]!.event as TickwireEvent;
const quote = QUOTE_V1_FIXTURES[0]!.event as TickwireEvent;

describe('toOutgoingRecord', () => {
  it('routes by schema, keys by symbol and serializes the envelope', () => {
    const record = toOutgoingRecord(trade);
    expect(record.topic).toBe(TOPICS.trades);
    expect(record.key).toBe(trade.payload.symbol);
    expect(JSON.parse(String(record.value))).toEqual(trade);
    expect(record.headers).toEqual({ 'content-type': 'application/json', schema: 'market.trade.v1' });
    expect(record.timestamp).toBeUndefined();
    expect(toOutgoingRecord(quote).topic).toBe(TOPICS.quotes);
  });

  it('prefixes the topic when asked (isolated runs)', () => {
    expect(toOutgoingRecord(quote, 'it-42.').topic).toBe('it-42.market.quotes.v1');
  });

  it('refuses an event that breaks its contract, with the reason', () => {
    const broken = { ...trade, payload: { ...trade.payload, price: -1 } } as TickwireEvent;
    expect(() => toOutgoingRecord(broken)).toThrow(EventContractError);
    const crossed = { ...quote, payload: { ...quote.payload, bidPrice: 10_000 } } as TickwireEvent;
    expect(() => toOutgoingRecord(crossed)).toThrow(/crossed quote/);
  });
});
