import { BAR_1M_V1_FIXTURES, buildEvent, type Bar1mV1Event, type TickwireEvent } from '@tickwire/contracts';
import { createLocalOpenSearch, uniqueName } from '@tickwire/testing';
import { toOperation } from './bulk-indexing.service';
import { OpenSearchBulkWriter } from './opensearch-bulk-writer';

/**
 * On the real local OpenSearch: the latest revision of a bar stays whatever the order in which its
 * revisions are written (a redelivery or replay of an older revision after a restatement).
 */
describe('opensearch-indexer on the local stack: bar revisions', () => {
  const client = createLocalOpenSearch();
  const observer = { bulkRequest: () => undefined, bulkRetry: () => undefined };
  const writer = new OpenSearchBulkWriter(client, observer, { retries: 1, minTimeoutMs: 50, maxTimeoutMs: 100 });
  const golden = BAR_1M_V1_FIXTURES[0]!.event as Bar1mV1Event;
  // An index of its own: the operation's index name is replaced (the daily name is shared by other tests).
  const index = uniqueName('market-bars-1m-revisions').toLowerCase();
  const revision = (n: number | undefined, close: number): TickwireEvent =>
    buildEvent('market.bar.1m.v1', {
      eventTime: golden.eventTime,
      ingestTime: golden.ingestTime,
      source: golden.source,
      payload: { ...golden.payload, close, ...(n === undefined ? {} : { revision: n, restatedBy: `correction-${n}` }) },
    });
  const write = async (event: TickwireEvent) => {
    const operation = toOperation('market.bars.1m.v1', event);
    const ndjson = operation.ndjson.replace(JSON.stringify(operation.index), JSON.stringify(index));
    return writer.write([{ ...operation, index, ndjson }]);
  };
  const stored = async () => {
    await client.indices.refresh({ index });
    const { body } = await client.get({ index, id: golden.id });
    return { version: body._version, source: body._source as { close: number; revision?: number } };
  };

  afterAll(async () => {
    await client.indices.delete({ index }).catch(() => undefined);
  });

  it('keeps revision 2 when the first publication and revision 1 arrive after it, and rewrites the same revision', async () => {
    expect(await write(revision(2, 585.5))).toEqual([{ kind: 'indexed' }]);
    expect(await write(revision(undefined, 585.63))).toEqual([{ kind: 'indexed' }]); // superseded (409), not an error
    expect(await write(revision(1, 585.6))).toEqual([{ kind: 'indexed' }]);
    expect(await stored()).toEqual({ version: 3, source: expect.objectContaining({ close: 585.5, revision: 2 }) });
    expect(await write(revision(2, 585.5))).toEqual([{ kind: 'indexed' }]); // a redelivery of the latest
    expect(await write(revision(3, 585.4))).toEqual([{ kind: 'indexed' }]);
    expect(await stored()).toEqual({ version: 4, source: expect.objectContaining({ close: 585.4, revision: 3 }) });
  });
});
