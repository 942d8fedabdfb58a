import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTOMER_TOPICS } from '@tickwire/contracts';
import { customerStreams, streamJsonSchema } from './stream-catalog';

describe('customerStreams', () => {
  it('lists the customer topics with their schema names and schema URLs', () => {
    const streams = customerStreams();
    expect(streams.map((stream) => stream.topic)).toEqual([...CUSTOMER_TOPICS]);
    expect(streams).toContainEqual({
      topic: 'market.bars.1m.v1',
      schema: 'market.bar.1m.v1',
      title: '1-minute bar',
      schemaUrl: '/v1/streams/market.bars.1m.v1/schema',
    });
    expect(streams.every((stream) => stream.title.length > 0)).toBe(true);
  });

  it('serves each stream the JSON Schema committed with the contracts, and none for other names', () => {
    for (const stream of customerStreams()) {
      const committed = JSON.parse(
        readFileSync(join(__dirname, '../../../../libs/contracts/schemas', `${stream.schema}.json`), 'utf8'),
      );
      expect(streamJsonSchema(stream.topic)).toEqual(committed);
    }
    expect(streamJsonSchema('market.trades.v1')).toBeNull();
    expect(streamJsonSchema('nope')).toBeNull();
  });
});
