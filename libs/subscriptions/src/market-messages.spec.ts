import { ALERT_V1_FIXTURES, BAR_1M_V1_FIXTURES, CORRECTION_V1_FIXTURES, ENRICHED_V1_FIXTURES, HALT_V1_FIXTURES, type Bar1mV1Event } from '@tickwire/contracts';
import { filterFieldsOf, routeEvent } from './market-messages';

describe('routeEvent: corrections, statuses and restated bars', () => {
  it('routes a correction to corrections and a trading status to statuses, never conflated, with the payload as data', () => {
    const correction = CORRECTION_V1_FIXTURES[0]!.event;
    expect(routeEvent(correction)).toEqual([
      {
        channel: 'corrections',
        symbol: 'AAPL',
        eventTime: correction.eventTime,
        conflationKey: `corrections:${correction.id}`,
        frame: { type: 'correction', symbol: 'AAPL', eventTime: correction.eventTime, ingestTime: correction.ingestTime, id: correction.id, data: correction.payload },
      },
    ]);
    const halt = HALT_V1_FIXTURES[0]!.event;
    expect(routeEvent(halt)).toMatchObject([{ channel: 'statuses', conflationKey: `statuses:${halt.id}`, frame: { type: 'status', data: { halted: true, statusCode: 'H' } } }]);
    expect(filterFieldsOf(correction)).toEqual({ symbol: 'AAPL', eventTime: correction.eventTime, kind: 'correction', outcome: 'restated', price: 126.5 });
    expect(filterFieldsOf(halt)).toMatchObject({ state: 'halted', statusCode: 'H', reasonCode: 'T12' });
  });

  it('gives a restated bar a key of its own (a slow client cannot lose it to the next bar), a first publication the symbol key', () => {
    const bar = BAR_1M_V1_FIXTURES[0]!.event;
    const restated = { ...bar, payload: { ...bar.payload, revision: 1, restatedBy: 'x' } } as Bar1mV1Event;
    expect(routeEvent(bar)[0]!.conflationKey).toBe('bars:AAPL');
    expect(routeEvent(restated)[0]).toMatchObject({ channel: 'bars', conflationKey: `bars:${bar.id}:1`, frame: { type: 'bar', data: { revision: 1 } } });
  });
});

describe('routeEvent', () => {
  it('routes an enriched trade to enriched and trades, with the envelope times', () => {
    const trade = ENRICHED_V1_FIXTURES.map((fixture) => fixture.event).find((event) => event.payload.kind === 'trade')!;
    const routed = routeEvent(trade);
    expect(routed.map((message) => [message.channel, message.frame.type, message.conflationKey])).toEqual([
      ['enriched', 'enriched', 'enriched:AAPL'],
      ['trades', 'trade', 'trades:AAPL'],
    ]);
    expect(routed[1]!.frame).toEqual({
      type: 'trade',
      symbol: 'AAPL',
      eventTime: trade.eventTime,
      ingestTime: trade.ingestTime,
      id: trade.id,
      data: (trade.payload as { trade: unknown }).trade,
    });
    expect(routed[0]!.frame).toMatchObject({ type: 'enriched', eventTime: trade.eventTime, ingestTime: trade.ingestTime, data: trade.payload });
    expect(trade.ingestTime).not.toBe(trade.eventTime);
  });

  it('routes an enriched quote to quotes, a bar to bars, an alert to alerts with a unique key', () => {
    const quote = ENRICHED_V1_FIXTURES.map((fixture) => fixture.event).find((event) => event.payload.kind === 'quote')!;
    expect(routeEvent(quote).map((message) => message.channel)).toEqual(['enriched', 'quotes']);
    const bar = BAR_1M_V1_FIXTURES[0]!.event;
    expect(routeEvent(bar)).toMatchObject([{ channel: 'bars', eventTime: bar.payload.endTime, frame: { ingestTime: bar.ingestTime } }]);
    const alert = ALERT_V1_FIXTURES[0]!.event;
    expect(routeEvent(alert)).toMatchObject([{ channel: 'alerts', conflationKey: `alerts:${alert.id}`, frame: { ingestTime: alert.ingestTime } }]);
  });

  it('exposes the filter fields of each stream', () => {
    const trade = ENRICHED_V1_FIXTURES[1]!.event;
    expect(filterFieldsOf(trade)).toMatchObject({ symbol: 'AAPL', price: 577.635, changePercent: -1.3838881007134545, kind: 'trade' });
    expect(filterFieldsOf(ALERT_V1_FIXTURES[0]!.event)).toMatchObject({ alertType: 'price-change-threshold', direction: 'down', price: 579.88 });
    expect(filterFieldsOf(BAR_1M_V1_FIXTURES[0]!.event)).toMatchObject({ symbol: 'AAPL', price: BAR_1M_V1_FIXTURES[0]!.event.payload.close });
  });
});
