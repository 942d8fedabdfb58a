import { TOPICS, type TickwireEvent } from '@tickwire/contracts';
import { dailyIndexName, type SearchStream } from '@tickwire/resources';

/** The searchable stream of each indexed topic. */
const STREAM_OF_TOPIC: Readonly<Record<string, SearchStream>> = {
  [TOPICS.enriched]: 'enriched',
  [TOPICS.bars1m]: 'bars-1m',
  [TOPICS.alerts]: 'alerts',
};

/** The topics this service indexes, one search stream each. */
export const INDEXED_TOPICS: readonly string[] = Object.keys(STREAM_OF_TOPIC);

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
 * @tickwire/resources map them (flat, `dynamic: false`). A bar document is thus
 * `{ symbol, startTime, endTime, open, high, low, close, vwap, volume, tradeCount, id, schema,
 * eventTime, ingestTime, source }` (times epoch ms UTC, prices USD, volume in shares).
 */
export function searchDocument(event: TickwireEvent): Record<string, unknown> {
  const { payload, id, schema, eventTime, ingestTime, source } = event;
  return { ...payload, id, schema, eventTime, ingestTime, source };
}

/**
 * Where an event of `topic` is indexed: its stream's daily index (`market-<stream>-YYYY.MM.DD`, UTC
 * date of eventTime) and a deterministic `_id`: `<symbol>:<startTime>` for a 1-minute bar (its
 * natural key: one bar per symbol and minute, whatever id a producer gave it), the event id otherwise.
 *
 * @throws Error for a topic that is not indexed.
 */
export function indexTarget(topic: string, event: TickwireEvent): { index: string; id: string } {
  const stream = searchStreamOf(topic);
  const id =
    event.schema === 'market.bar.1m.v1' ? `${event.payload.symbol}:${event.payload.startTime}` : event.id;
  return { index: dailyIndexName(stream, event.eventTime), id };
}
