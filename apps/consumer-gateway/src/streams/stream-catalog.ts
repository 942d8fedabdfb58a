import { CUSTOMER_TOPICS, EVENT_CATALOG, TOPIC_SCHEMAS } from '@tickwire/contracts';

/** One stream customers can subscribe to. */
export interface StreamDescription {
  /** Kafka topic, e.g. `market.enriched.v1`. */
  topic: string;
  /** Schema name of its events, e.g. `market.enriched.v1`; its JSON Schema is published with the contracts. */
  schema: string;
  title: string;
}

/** The customer streams (enriched events, 1-minute bars, alerts), from the contracts catalog. */
export function customerStreams(): StreamDescription[] {
  return CUSTOMER_TOPICS.map((topic) => {
    const schema = TOPIC_SCHEMAS[topic];
    return { topic, schema, title: EVENT_CATALOG[schema].title };
  });
}
