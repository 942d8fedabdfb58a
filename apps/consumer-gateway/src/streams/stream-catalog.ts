import { CUSTOMER_TOPICS, EVENT_CATALOG, TOPIC_SCHEMAS, toJsonSchema } from '@tickwire/contracts';

/** Path of the JSON Schema of the stream on `topic`. */
export function streamSchemaPath(topic: string): string {
  return `/v1/streams/${topic}/schema`;
}

/** One stream customers can subscribe to. */
export interface StreamDescription {
  /** Kafka topic, e.g. `market.enriched.v1`; the stream's name in `/v1/streams/{name}/schema`. */
  topic: string;
  /** Schema name of its events, e.g. `market.enriched.v1`; its JSON Schema is published with the contracts. */
  schema: string;
  title: string;
  /** Where the gateway serves its events' JSON Schema, e.g. `/v1/streams/market.enriched.v1/schema`. */
  schemaUrl: string;
}

/** The customer streams (enriched events, 1-minute bars, alerts, corrections, halts), from the contracts catalog. */
export function customerStreams(): StreamDescription[] {
  return CUSTOMER_TOPICS.map((topic) => {
    const schema = TOPIC_SCHEMAS[topic];
    return { topic, schema, title: EVENT_CATALOG[schema].title, schemaUrl: streamSchemaPath(topic) };
  });
}

/**
 * The JSON Schema (draft-07, the one committed in libs/contracts/schemas/) of the events of the
 * customer stream `name` (its topic), envelope and payload; null when there is no such stream.
 */
export function streamJsonSchema(name: string): Record<string, unknown> | null {
  const stream = customerStreams().find((candidate) => candidate.topic === name);
  if (!stream) return null;
  return toJsonSchema(EVENT_CATALOG[stream.schema as keyof typeof EVENT_CATALOG].eventSchema);
}
