import {
  BAR_SOURCE_1M_V1_FIXTURES,
  TRADE_CANCEL_V1_FIXTURES,
  TRADE_CORRECTION_V1_FIXTURES,
  TRADING_STATUS_V1_FIXTURES,
  safeParseEventValue,
  type GoldenFixture,
} from '@tickwire/contracts';
import type { EventRecord, RejectedRecord } from '../core/source-record';
import { mapAlpacaDataMessage } from './alpaca-message-mapper';

const receipt = { receivedAt: 1_795_284_000_000, origin: 'alpaca ws://test' };
const trade = { T: 't', S: 'AAPL', i: 96921, x: 'D', p: 126.55, s: 1, c: ['@', 'I'], t: '2021-02-22T15:51:44.208123456Z', z: 'C' };
const quote = { T: 'q', S: 'AMD', bx: 'U', bp: 87.66, bs: 1, ax: 'Q', ap: 87.68, as: 4, t: '2021-02-22T15:51:45.335689322Z', c: ['R'], z: 'C' };
const bar = { T: 'b', S: 'SPY', o: 388.985, h: 389.13, l: 388.975, c: 389.12, v: 49378, t: '2021-02-22T19:15:00Z', n: 461, vw: 389.062639 };
// A daily bar as Alpaca streams it: `t` = midnight New York (EST in November, so 05:00Z).
const dailyBar = { T: 'd', S: 'AAPL', o: 116.57, h: 117.62, l: 113.75, c: 116.03, v: 76499234, t: '2020-11-25T05:00:00Z', n: 512345, vw: 116.2 };
const correction = { T: 'c', S: 'AAPL', x: 'D', oi: 96921, op: 126.55, os: 1, oc: ['@', 'I'], ci: 96930, cp: 126.5, cs: 1, cc: ['@', 'I'], z: 'C', t: '2021-02-22T15:51:44.208Z' };
const cancel = { T: 'x', S: 'AAPL', i: 96921, x: 'D', p: 126.55, s: 1, a: 'C', z: 'C', t: '2021-02-22T15:51:44.208Z' };
const halt = { T: 's', S: 'AAPL', sc: 'H', sm: 'Trading Halt', rc: 'T12', rm: 'Trading Halted; For information requested by NASDAQ', t: '2021-02-22T15:52:00.000Z', z: 'C' };

/** The Alpaca message a golden fixture's `origin` quotes: the first `{"T":...}` object in it. */
function alpacaMessageOf(fixture: GoldenFixture<unknown>): Record<string, unknown> {
  const match = /\{"T":.*?\}(?=[ ;:)]|$)/.exec(fixture.origin);
  if (match === null) throw new Error(`fixture ${fixture.name} quotes no Alpaca message`);
  return JSON.parse(match[0]) as Record<string, unknown>;
}

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

  it("maps a minute bar stamped at its start to the source's bar ending a minute later, on its own raw topic", () => {
    const record = mapAlpacaDataMessage(bar, receipt) as EventRecord;
    expect(record.topic).toBe('market.bars.source.1m.v1');
    expect(record.event).toMatchObject({
      schema: 'market.bar.source.1m.v1',
      id: `alpaca:SPY:${Date.UTC(2021, 1, 22, 19, 15)}`,
      eventTime: Date.UTC(2021, 1, 22, 19, 16),
      payload: { startTime: Date.UTC(2021, 1, 22, 19, 15), endTime: Date.UTC(2021, 1, 22, 19, 16), open: 388.985, vwap: 389.062639, volume: 49378, tradeCount: 461 },
    });
  });

  it("maps a daily bar stamped at midnight New York to market.bar.daily.v1 of that date, at the 16:00 close", () => {
    const record = mapAlpacaDataMessage(dailyBar, receipt) as EventRecord;
    expect(record.topic).toBe('market.bars.daily.v1');
    expect(record.event).toMatchObject({
      schema: 'market.bar.daily.v1',
      eventTime: Date.UTC(2020, 10, 25, 21, 0), // 16:00 EST
      source: 'alpaca',
      payload: { symbol: 'AAPL', tradingDate: '2020-11-25', open: 116.57, high: 117.62, low: 113.75, close: 116.03, adjustedClose: 116.03, volume: 76499234, dividendAmount: 0, splitCoefficient: 1 },
    });
    expect(safeParseEventValue('market.bars.daily.v1', record.event).success).toBe(true);
    // Summer time: midnight New York is 04:00Z, the close 20:00Z.
    expect((mapAlpacaDataMessage({ ...dailyBar, t: '2020-08-31T04:00:00Z' }, receipt) as EventRecord).event).toMatchObject({
      eventTime: Date.UTC(2020, 7, 31, 20, 0),
      payload: { tradingDate: '2020-08-31' },
    });
  });

  it.each([
    ['daily bar close above high', { ...dailyBar, c: 118 }, 'market.bars.daily.v1', 'close must be within [low, high]'],
    ['crossed quote', { ...quote, bp: 87.7 }, 'market.quotes.v1', 'crossed quote'],
    ['zero bid', { ...quote, bp: 0 }, 'market.quotes.v1', 'bidPrice must be > 0'],
    ['negative price', { ...trade, p: -1 }, 'market.trades.v1', 'price must be > 0'],
    ['price as text', { ...trade, p: '126.55' }, 'market.trades.v1', 'price must be a finite number, got "126.55"'],
    ['missing symbol', { ...trade, S: undefined }, 'market.trades.v1', 'symbol is required'],
    ['bad timestamp', { ...trade, t: '22/02/2021' }, 'market.trades.v1', 't: timestamp must be RFC 3339'],
    ['numeric timestamp', { ...trade, t: 1614009104208 }, 'market.trades.v1', 't (timestamp) must be an RFC 3339 string'],
    ['object trade id', { ...trade, i: { id: 1 } }, 'market.trades.v1', 'i (trade id) must be a number or string'],
    ['unaligned bar', { ...bar, t: '2021-02-22T19:15:30Z' }, 'market.bars.source.1m.v1', 'must be minute-aligned'],
    ['bar close above high', { ...bar, c: 390 }, 'market.bars.source.1m.v1', 'close must be within [low, high]'],
    ['correction without oi', { ...correction, oi: undefined }, 'market.trade-corrections.v1', 'oi (trade id) must be a number or string, got nothing'],
    ['correction to price 0', { ...correction, cp: 0 }, 'market.trade-corrections.v1', 'correctedPrice must be > 0'],
    ['cancel with unknown action', { ...cancel, a: 'X' }, 'market.trade-cancels.v1', 'a (action) must be "C" (cancel) or "E" (error), got "X"'],
    ['cancel without trade id', { ...cancel, i: undefined }, 'market.trade-cancels.v1', 'i (trade id) must be a number or string, got nothing'],
    ['cancel of 0 shares', { ...cancel, s: 0 }, 'market.trade-cancels.v1', 'size must be > 0 shares'],
    ['status without code', { ...halt, sc: '' }, 'market.trading-status.v1', 'sc (status code) must be a non-empty string'],
    ['status with bad timestamp', { ...halt, t: 'yesterday' }, 'market.trading-status.v1', 't: timestamp must be RFC 3339'],
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

  describe('producer side of the contracts: each golden fixture is what the mapper makes of the Alpaca message it quotes', () => {
    const fixtures = [...TRADE_CORRECTION_V1_FIXTURES, ...TRADE_CANCEL_V1_FIXTURES, ...TRADING_STATUS_V1_FIXTURES, ...BAR_SOURCE_1M_V1_FIXTURES] as GoldenFixture<{
      ingestTime: number;
      schema: string;
    }>[];
    it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s', (_name, fixture) => {
      const record = mapAlpacaDataMessage(alpacaMessageOf(fixture), { receivedAt: fixture.event.ingestTime, origin: 'alpaca test' });
      if (record.kind !== 'event') throw new Error(`rejected: ${record.reason}`);
      expect(record.event).toEqual(fixture.event);
    });
  });

  it('maps a correction, a cancel, an error and a halt to their own raw topics', () => {
    expect(mapAlpacaDataMessage(correction, receipt)).toMatchObject({
      kind: 'event',
      topic: 'market.trade-corrections.v1',
      event: { schema: 'market.trade-correction.v1', eventTime: 1614009104208, payload: { originalTradeId: '96921', correctedTradeId: '96930', correctedPrice: 126.5 } },
    });
    expect(mapAlpacaDataMessage(cancel, receipt)).toMatchObject({ kind: 'event', topic: 'market.trade-cancels.v1', event: { payload: { tradeId: '96921', action: 'cancel' } } });
    expect(mapAlpacaDataMessage({ ...cancel, a: 'E' }, receipt)).toMatchObject({ kind: 'event', event: { payload: { action: 'error' } } });
    expect(mapAlpacaDataMessage(halt, receipt)).toMatchObject({ kind: 'event', topic: 'market.trading-status.v1', event: { payload: { statusCode: 'H', reasonCode: 'T12', state: 'halted' } } });
  });

  it.each([
    ['T', 'trading'],
    ['Q', 'quoting'],
    ['P', 'halted'],
    ['2', 'halted'],
    ['3', 'trading'],
    ['E', 'other'],
  ])('derives state %s -> %s from the status code', (sc, state) => {
    const record = mapAlpacaDataMessage({ ...halt, sc, rc: undefined, rm: undefined }, receipt) as EventRecord;
    expect(record.event.payload).toMatchObject({ statusCode: sc, state });
    expect(record.event.payload).not.toHaveProperty('reasonCode');
  });
});
