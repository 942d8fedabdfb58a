import type { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import { dailyIndexName, type SearchStream } from '@tickwire/resources';
import type { CustomerEvent } from '@tickwire/subscriptions';

/**
 * Indexes `events` into the daily indices of `stream` as opensearch-indexer writes them (the payload
 * flattened next to the envelope's id, schema, eventTime, ingestTime and source), refreshed, so the
 * REST history routes find them at once.
 * @throws Error when OpenSearch refuses any of them.
 */
export async function indexAsIndexer(
  openSearch: OpenSearchClient,
  stream: SearchStream,
  events: readonly CustomerEvent[],
): Promise<void> {
  const body = events.flatMap((event) => [
    { index: { _index: dailyIndexName(stream, event.eventTime), _id: event.id } },
    {
      ...event.payload,
      id: event.id,
      schema: event.schema,
      eventTime: event.eventTime,
      ingestTime: event.ingestTime,
      source: event.source,
    },
  ]);
  const response = await openSearch.bulk({ body, refresh: true });
  if (response.body.errors)
    throw new Error(
      `OpenSearch refused documents of ${stream}: ${JSON.stringify(response.body.items).slice(0, 500)}`,
    );
}
