import { ALERT_V1_FIXTURES, BAR_1M_V1_FIXTURES, ENRICHED_V1_FIXTURES } from '@tickwire/contracts';
import { filterFieldsOf, routeEvent } from './market-messages';

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
