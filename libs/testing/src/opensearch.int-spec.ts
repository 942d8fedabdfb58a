import { indexPrefix } from '@tickwire/resources';
import { createLocalOpenSearch } from './stack-clients';
import { uniqueName } from './unique-names';

describe('OpenSearch on the local stack', () => {
  const client = createLocalOpenSearch();
  const indices: string[] = [];

  afterAll(async () => {
    if (indices.length > 0) await client.indices.delete({ index: indices.join(','), ignore_unavailable: true });
    await client.close();
  });

  it('writes a document and reads it back by id', async () => {
    const index = uniqueName('it-os');
    indices.push(index);
    await client.index({ index, id: 'AAPL:1', body: { symbol: 'AAPL', price: 190.12 }, refresh: 'wait_for' });

    const { body } = await client.get({ index, id: 'AAPL:1' });

    expect(body.found).toBe(true);
    expect(body._source).toEqual({ symbol: 'AAPL', price: 190.12 });
  });

  it('applies the provisioned index template to a new market-enriched index', async () => {
    const index = `${indexPrefix('enriched')}${uniqueName('it')}`;
    indices.push(index);
    await client.index({ index, id: 'e1', body: { symbol: 'MSFT', lastPrice: 400.5, trade: { symbol: 'MSFT', price: 400.5, size: 100 }, eventTime: 1_700_000_000_000 }, refresh: 'wait_for' });

    const { body } = await client.indices.getMapping({ index });
    const properties = body[index]?.mappings?.properties as
      | Record<string, { type: string; properties?: Record<string, { type: string }> }>
      | undefined;

    expect(properties?.['lastPrice']?.type).toBe('double');
    expect(properties?.['trade']?.properties?.['price']?.type).toBe('double');
    expect(properties?.['symbol']?.type).toBe('keyword');
    expect(properties?.['eventTime']?.type).toBe('date');
  });
});
