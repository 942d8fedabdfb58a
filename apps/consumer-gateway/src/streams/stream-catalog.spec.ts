import { CUSTOMER_TOPICS } from '@tickwire/contracts';
import { customerStreams } from './stream-catalog';

describe('customerStreams', () => {
  it('lists the customer topics with their schema names', () => {
    const streams = customerStreams();
    expect(streams.map((stream) => stream.topic)).toEqual([...CUSTOMER_TOPICS]);
    expect(streams).toContainEqual({ topic: 'market.bars.1m.v1', schema: 'market.bar.1m.v1', title: '1-minute bar' });
    expect(streams.every((stream) => stream.title.length > 0)).toBe(true);
  });
});
