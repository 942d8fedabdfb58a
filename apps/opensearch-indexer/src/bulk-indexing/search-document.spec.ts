import { BAR_1M_V1_FIXTURES, ENRICHED_V1_FIXTURES, TOPICS, type TickwireEvent } from '@tickwire/contracts';
import { indexTarget, searchDocument, searchStreamOf } from './search-document';

const enriched = ENRICHED_V1_FIXTURES[0]!.event as TickwireEvent;
const bar = BAR_1M_V1_FIXTURES[0]!.event as TickwireEvent;

describe('searchDocument', () => {
  it('flattens the payload next to the envelope fields', () => {
    const document = searchDocument(enriched);
    expect(document).toMatchObject({
      ...enriched.payload,
      id: enriched.id,
      schema: enriched.schema,
      eventTime: enriched.eventTime,
      source: enriched.source,
    });
    expect(document).not.toHaveProperty('payload');
  });
});

describe('indexTarget', () => {
  it('uses the daily index of the event time and the event id', () => {
    const day = new Date(bar.eventTime).toISOString().slice(0, 10).replaceAll('-', '.');
    expect(indexTarget(TOPICS.bars1m, bar)).toEqual({ index: `market-bars-1m-${day}`, id: bar.id });
  });

  it('refuses topics that are not indexed', () => {
    expect(searchStreamOf(TOPICS.alerts)).toBe('alerts');
    expect(() => searchStreamOf(TOPICS.trades)).toThrow(/not indexed/);
  });
});
