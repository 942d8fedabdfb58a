import { buildEvent, CORRECTION_V1_FIXTURES, HALT_V1_FIXTURES, type CorrectionV1Event, type EnrichedV1Event } from '@tickwire/contracts';
import { bar1m, enrichedQuote, enrichedTrade } from '../testing/market-event-builders';
import { alpacaExchangeOf, alpacaMessageOf } from './alpaca-messages';

const trade: EnrichedV1Event = { ...enrichedTrade('AAPL', 585.39, 1_340_285_400_275, 8), eventTimeNs: '1340285400275016159' };
const quote = enrichedQuote('AAPL', 585.3, 585.45, 1_340_285_400_276, 9);

describe('alpacaMessageOf', () => {
  it('maps an enriched trade to t on trades only, with the exact ns time and the source sequence as i', () => {
    expect(alpacaMessageOf('trades', trade)).toEqual({ T: 't', S: 'AAPL', i: 8, x: 'Q', p: 585.39, s: 40, t: '2012-06-21T13:30:00.275016159Z' });
    expect(alpacaMessageOf('quotes', trade)).toBeNull();
    expect(alpacaMessageOf('bars', trade)).toBeNull();
  });

  it('prefers a decimal tradeId for i and passes conditions', () => {
    const payload = trade.payload as Extract<EnrichedV1Event['payload'], { kind: 'trade' }>;
    const withId = { ...trade, payload: { ...payload, trade: { ...payload.trade, tradeId: '96921', conditions: ['@', 'I'] } } };
    expect(alpacaMessageOf('trades', withId)).toMatchObject({ i: 96921, c: ['@', 'I'] });
    const opaque = { ...trade, payload: { ...payload, trade: { ...payload.trade, tradeId: 'abc', sequence: undefined } } };
    expect(alpacaMessageOf('trades', opaque)).not.toHaveProperty('i');
  });

  it('maps an enriched quote to q with bid/ask exchange, prices and sizes; ms times get zero ns', () => {
    expect(alpacaMessageOf('quotes', quote)).toEqual({
      T: 'q',
      S: 'AAPL',
      bx: 'Q',
      bp: 585.3,
      bs: quote.payload.kind === 'quote' ? quote.payload.quote.bidSize : -1,
      ax: 'Q',
      ap: 585.45,
      as: quote.payload.kind === 'quote' ? quote.payload.quote.askSize : -1,
      t: '2012-06-21T13:30:00.276000000Z',
    });
  });

  it('sends a first bar as b on bars and a restated one as u on updatedBars, t = the minute start', () => {
    const bar = bar1m('AAPL', 1_340_285_400_000, 585.36);
    const restated = { ...bar, payload: { ...bar.payload, revision: 1 } };
    expect(alpacaMessageOf('bars', bar)).toEqual({
      T: 'b',
      S: 'AAPL',
      o: 585.36,
      h: 585.36,
      l: 585.36,
      c: 585.36,
      v: bar.payload.volume,
      vw: 585.36,
      n: bar.payload.tradeCount,
      t: '2012-06-21T13:30:00.000000000Z',
    });
    expect(alpacaMessageOf('updatedBars', bar)).toBeNull();
    expect(alpacaMessageOf('bars', restated)).toBeNull();
    expect(alpacaMessageOf('updatedBars', restated)).toMatchObject({ T: 'u', S: 'AAPL' });
  });

  it('maps corrections to c and cancels/errors to x, each on its own channel', () => {
    const fixtures = CORRECTION_V1_FIXTURES.map((fixture) => fixture.event as CorrectionV1Event);
    const correction = fixtures.find((event) => event.payload.kind === 'correction')!;
    const p = correction.payload;
    expect(alpacaMessageOf('corrections', correction)).toMatchObject({ T: 'c', S: p.symbol, op: p.originalPrice, os: p.originalSize, cp: p.correctedPrice, cs: p.correctedSize });
    expect(alpacaMessageOf('cancelErrors', correction)).toBeNull();
    const cancel = buildEvent('market.correction.v1', {
      ...correction,
      payload: { symbol: p.symbol, kind: 'cancel', sourceEventId: p.sourceEventId, tradeId: '42', originalPrice: 10, originalSize: 5, outcome: 'not-found' },
    }) as CorrectionV1Event;
    expect(alpacaMessageOf('cancelErrors', cancel)).toMatchObject({ T: 'x', S: p.symbol, i: 42, p: 10, s: 5, a: 'C' });
    expect(alpacaMessageOf('corrections', cancel)).toBeNull();
  });

  it('maps a halt to s with status and reason codes', () => {
    const halt = HALT_V1_FIXTURES[0]!.event;
    expect(alpacaMessageOf('statuses', halt)).toMatchObject({ T: 's', S: halt.payload.symbol, sc: halt.payload.statusCode });
    expect(alpacaMessageOf('lulds', halt)).toBeNull();
  });
});

describe('alpacaExchangeOf', () => {
  it('writes MICs as Alpaca exchange codes and passes other codes through', () => {
    expect([alpacaExchangeOf('XNAS'), alpacaExchangeOf('XNYS'), alpacaExchangeOf('IEXG'), alpacaExchangeOf('V'), alpacaExchangeOf(undefined)]).toEqual(['Q', 'N', 'V', 'V', undefined]);
  });
});
