import { safeParseEventValue } from '@tickwire/contracts';
import type { EventRecord, RejectedRecord } from '../core/source-record';
import { mapAlpacaDataMessage } from './alpaca-message-mapper';

const receipt = { receivedAt: 1_795_284_000_000, origin: 'alpaca ws://test' };
const trade = { T: 't', S: 'AAPL', i: 96921, x: 'D', p: 126.55, s: 1, c: ['@', 'I'], t: '2021-02-22T15:51:44.208123456Z', z: 'C' };
const quote = { T: 'q', S: 'AMD', bx: 'U', bp: 87.66, bs: 1, ax: 'Q', ap: 87.68, as: 4, t: '2021-02-22T15:51:45.335689322Z', c: ['R'], z: 'C' };
const bar = { T: 'b', S: 'SPY', o: 388.985, h: 389.13, l: 388.975, c: 389.12, v: 49378, t: '2021-02-22T19:15:00Z', n: 461, vw: 389.062639 };

describe('mapAlpacaDataMessage', () => {
  it('maps a trade (Alpaca docs example) to a valid market.trade.v1', () => {
    const record = mapAlpacaDataMessage(trade, receipt) as EventRecord;
    expect(record.kind).toBe('event');
    expect(record.topic).toBe('market.trades.v1');
    expect(record.event).toMatchObject({
      schema: 'market.trade.v1',
      eventTimeNs: '1614009104208123456',
      eventTime: 1614009104208,
      ingestTime: receipt.receivedAt,
      source: 'alpaca',
      payload: { symbol: 'AAPL', price: 126.55, size: 1, aggressorSide: 'unknown', venue: 'D', tradeId: '96921', conditions: ['@', 'I'] },
    });
    expect(safeParseEventValue('market.trades.v1', record.event).success).toBe(true);
  });

  it('maps a quote; venue only when bid and ask exchange agree', () => {
    const record = mapAlpacaDataMessage(quote, receipt) as EventRecord;
    expect(record.event).toMatchObject({ schema: 'market.quote.v1', eventTime: 1614009105336, payload: { symbol: 'AMD', bidPrice: 87.66, bidSize: 1, askPrice: 87.68, askSize: 4 } });
    expect(record.event.payload).not.toHaveProperty('venue');
    expect((mapAlpacaDataMessage({ ...quote, ax: 'U' }, receipt) as EventRecord).event.payload).toMatchObject({ venue: 'U' });
  });

  it('maps a minute bar stamped at its start to a bar ending a minute later', () => {
    const record = mapAlpacaDataMessage(bar, receipt) as EventRecord;
    expect(record.topic).toBe('market.bars.1m.v1');
    expect(record.event).toMatchObject({
      schema: 'market.bar.1m.v1',
      id: `SPY:${Date.UTC(2021, 1, 22, 19, 15)}`,
      eventTime: Date.UTC(2021, 1, 22, 19, 16),
      payload: { startTime: Date.UTC(2021, 1, 22, 19, 15), endTime: Date.UTC(2021, 1, 22, 19, 16), open: 388.985, vwap: 389.062639, volume: 49378, tradeCount: 461 },
    });
  });

  it.each([
    ['crossed quote', { ...quote, bp: 87.7 }, 'market.quotes.v1', 'crossed quote'],
    ['zero bid', { ...quote, bp: 0 }, 'market.quotes.v1', 'bidPrice must be > 0'],
    ['negative price', { ...trade, p: -1 }, 'market.trades.v1', 'price must be > 0'],
    ['price as text', { ...trade, p: '126.55' }, 'market.trades.v1', 'price must be a finite number, got "126.55"'],
    ['missing symbol', { ...trade, S: undefined }, 'market.trades.v1', 'symbol is required'],
    ['bad timestamp', { ...trade, t: '22/02/2021' }, 'market.trades.v1', 't: timestamp must be RFC 3339'],
    ['numeric timestamp', { ...trade, t: 1614009104208 }, 'market.trades.v1', 't (timestamp) must be an RFC 3339 string'],
    ['object trade id', { ...trade, i: { id: 1 } }, 'market.trades.v1', 'i (trade id) must be a number or string'],
    ['unaligned bar', { ...bar, t: '2021-02-22T19:15:30Z' }, 'market.bars.1m.v1', 'must be minute-aligned'],
    ['bar close above high', { ...bar, c: 390 }, 'market.bars.1m.v1', 'close must be within [low, high]'],
    ['unknown type', { T: 'zz', S: 'AAPL' }, null, 'unsupported Alpaca message type T="zz"'],
  ])('rejects a %s with the reason and the message as raw', (_name, message, topic, reason) => {
    const record = mapAlpacaDataMessage(message as Record<string, unknown>, receipt) as RejectedRecord;
    expect(record.kind).toBe('rejected');
    expect(record.topic).toBe(topic);
    expect(record.errorClass).toBe('SchemaViolation');
    expect(record.reason).toContain(reason);
    expect(record.raw).toBe(JSON.stringify(message));
    expect(record).toMatchObject({ source: 'alpaca', origin: receipt.origin, receivedAt: receipt.receivedAt });
  });
});
