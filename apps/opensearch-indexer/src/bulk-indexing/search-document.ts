import { TOPICS, type TickwireEvent } from '@tickwire/contracts';
import { dailyIndexName, type SearchStream } from '@tickwire/resources';

/** The searchable stream of each indexed topic. */
const STREAM_OF_TOPIC: Readonly<Record<string, SearchStream>> = {
  [TOPICS.enriched]: 'enriched',
  [TOPICS.bars1m]: 'bars-1m',
  [TOPICS.alerts]: 'alerts',
};

/**
 * The search stream of `topic`.
 * @throws Error for a topic that is not indexed (a wiring mistake, not a data problem).
 */
export function searchStreamOf(topic: string): SearchStream {
  const stream = STREAM_OF_TOPIC[topic];
  if (!stream) throw new Error(`Topic ${topic} is not indexed in OpenSearch`);
  return stream;
}

/**
 * The OpenSearch document of an event: the payload's fields flattened next to the envelope's
 * `id`, `schema`, `eventTime`, `ingestTime` and `source`, as the index templates of
 * @tickwire/resources map them (flat, `dynamic: false`).
 */
export function searchDocument(event: TickwireEvent): Record<string, unknown> {
  const { payload, id, schema, eventTime, ingestTime, source } = event;
  return { ...payload, id, schema, eventTime, ingestTime, source };
}

/** Where an event of `topic` is indexed: its stream's daily index (UTC date of eventTime) and `_id` = event id. */
export function indexTarget(topic: string, event: TickwireEvent): { index: string; id: string } {
  return { index: dailyIndexName(searchStreamOf(topic), event.eventTime), id: event.id };
}
