import { stringify } from 'yaml';
import { EVENT_CATALOG, GOLDEN_FIXTURES, SCHEMA_NAMES } from '../catalog';
import { SYMBOL_PATTERN } from '../common/primitives';
import { CUSTOMER_TOPICS, dlqTopic, LATE_TOPICS, lateTopic } from '../topics';
import { DLQ_HEADERS_SCHEMA_FILE, JSON_SCHEMA_FORMAT, jsonSchemaFileName, LATE_HEADERS_SCHEMA_FILE } from './json-schemas';

/** Ports of the two listeners described in the AsyncAPI document. */
export const KAFKA_PORTS = { plaintext: 9092, scram: 9096 } as const;

/** camelCase identifier of a topic for AsyncAPI keys, e.g. `market.bars.1m.v1` -> `bars1mV1`. */
function topicKey(topic: string): string {
  return topic
    .replace(/^market\./, '')
    .split(/[.-]/)
    .map((part, index) => (index === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');
}

const symbolKeyBinding = {
  kafka: {
    key: { type: 'string', pattern: SYMBOL_PATTERN.source, description: 'Ticker symbol (payload.symbol): one symbol stays ordered in one partition' },
    bindingVersion: '0.5.0',
  },
};

/**
 * The AsyncAPI 3.0 document of the Tickwire topics, as a plain object. Messages reference the
 * committed JSON Schema snapshots (`./schemas/*.json`, relative to `libs/contracts/asyncapi.yaml`),
 * and carry the first golden fixtures as examples.
 */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const customerTopics = new Set<string>(CUSTOMER_TOPICS);

  for (const schemaName of SCHEMA_NAMES) {
    const entry = EVENT_CATALOG[schemaName];
    const key = topicKey(entry.topic);
    const messageKey = `${key}Event`;
    messages[messageKey] = {
      name: schemaName,
      title: entry.title,
      summary: `${entry.title} (${schemaName}) in the Tickwire envelope`,
      contentType: 'application/json',
      payload: { schemaFormat: JSON_SCHEMA_FORMAT, schema: { $ref: `./schemas/${jsonSchemaFileName(schemaName)}` } },
      bindings: symbolKeyBinding,
      examples: GOLDEN_FIXTURES[schemaName].slice(0, 2).map((fixture) => ({
        name: fixture.name,
        summary: fixture.origin.length > 200 ? `${fixture.origin.slice(0, 199)}…` : fixture.origin,
        payload: fixture.event,
      })),
    };
    channels[key] = {
      address: entry.topic,
      title: entry.topic,
      description: `Topic ${entry.topic}: ${entry.title} events, message key = symbol.`,
      servers: customerTopics.has(entry.topic)
        ? [{ $ref: '#/servers/local' }, { $ref: '#/servers/customer' }]
        : [{ $ref: '#/servers/local' }],
      messages: { [messageKey]: { $ref: `#/components/messages/${messageKey}` } },
    };
    operations[`send${capitalize(key)}`] = {
      action: 'send',
      title: `Publish ${entry.topic}`,
      channel: { $ref: `#/channels/${key}` },
      messages: [{ $ref: `#/channels/${key}/messages/${messageKey}` }],
    };
    if (customerTopics.has(entry.topic)) {
      operations[`receive${capitalize(key)}`] = {
        action: 'receive',
        title: `Customers consume ${entry.topic}`,
        channel: { $ref: `#/channels/${key}` },
        messages: [{ $ref: `#/channels/${key}/messages/${messageKey}` }],
      };
    }

    const dlqKey = `${key}Dlq`;
    channels[dlqKey] = {
      address: dlqTopic(entry.topic),
      title: dlqTopic(entry.topic),
      description: `Dead letters of ${entry.topic}: original key and value bytes verbatim, reason in x-dlq-* headers.`,
      servers: [{ $ref: '#/servers/local' }],
      messages: { deadLetter: { $ref: '#/components/messages/deadLetter' } },
    };
    operations[`send${capitalize(dlqKey)}`] = {
      action: 'send',
      title: `Dead-letter records of ${entry.topic}`,
      channel: { $ref: `#/channels/${dlqKey}` },
      messages: [{ $ref: `#/channels/${dlqKey}/messages/deadLetter` }],
    };

    if (LATE_TOPICS.includes(entry.topic)) {
      const lateKey = `${key}Late`;
      const lateMessageKey = `${key}LateEvent`;
      messages[lateMessageKey] = {
        name: `${schemaName}.late`,
        title: `Late ${entry.title}`,
        summary: `A valid ${schemaName} event that arrived behind the watermark beyond the allowed lateness, value verbatim`,
        contentType: 'application/json',
        headers: { schemaFormat: JSON_SCHEMA_FORMAT, schema: { $ref: `./schemas/${LATE_HEADERS_SCHEMA_FILE}` } },
        payload: { schemaFormat: JSON_SCHEMA_FORMAT, schema: { $ref: `./schemas/${jsonSchemaFileName(schemaName)}` } },
        bindings: symbolKeyBinding,
      };
      channels[lateKey] = {
        address: lateTopic(entry.topic),
        title: lateTopic(entry.topic),
        description: `Late events of ${entry.topic}, kept for audit and reprocessing.`,
        servers: [{ $ref: '#/servers/local' }],
        messages: { [lateMessageKey]: { $ref: `#/components/messages/${lateMessageKey}` } },
      };
      operations[`send${capitalize(lateKey)}`] = {
        action: 'send',
        title: `Divert late events of ${entry.topic}`,
        channel: { $ref: `#/channels/${lateKey}` },
        messages: [{ $ref: `#/channels/${lateKey}/messages/${lateMessageKey}` }],
      };
    }
  }

  messages['deadLetter'] = {
    name: 'dead-letter',
    title: 'Dead letter',
    summary: 'A record that could not be handled: original key and value bytes verbatim, reason in headers',
    contentType: 'application/octet-stream',
    headers: { schemaFormat: JSON_SCHEMA_FORMAT, schema: { $ref: `./schemas/${DLQ_HEADERS_SCHEMA_FILE}` } },
    payload: { description: 'The original Kafka value bytes, unchanged (may be malformed JSON, or empty).' },
    bindings: {
      kafka: { key: { type: 'string', description: 'The original Kafka key (the symbol), unchanged' }, bindingVersion: '0.5.0' },
    },
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Tickwire market-data events',
      version: '1.0.0',
      description: [
        'Kafka topics of Tickwire. Every value is UTF-8 JSON in the envelope',
        '`{ schema, id, eventTime, eventTimeNs?, ingestTime, source, payload }` (times epoch ms UTC, prices USD, sizes shares);',
        'the message key is the symbol. Generated from @tickwire/contracts (libs/contracts/scripts/generate-json-schema.ts); do not edit.',
      ].join(' '),
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: `localhost:${KAFKA_PORTS.plaintext}`,
        protocol: 'kafka',
        title: 'Local stack, PLAINTEXT listener',
        description: 'Broker of the local stack (tools/stack), no authentication.',
      },
      customer: {
        host: `{bootstrapHost}:${KAFKA_PORTS.scram}`,
        protocol: 'kafka',
        title: 'Customer listener, SASL/SCRAM',
        description: 'Customer-facing listener: SASL/SCRAM-SHA-512 on port 9096 (over TLS on AWS MSK). Customers may read the customer topics only.',
        variables: { bootstrapHost: { default: 'localhost', description: 'Bootstrap broker host name' } },
        security: [{ $ref: '#/components/securitySchemes/scram' }],
      },
    },
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        scram: { type: 'scramSha512', description: 'SASL/SCRAM-SHA-512 user per customer (credentials issued out of band).' },
      },
    },
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The AsyncAPI document as YAML text (the committed `libs/contracts/asyncapi.yaml`). */
export function renderAsyncApiYaml(): string {
  const header = '# Generated by libs/contracts/scripts/generate-json-schema.ts from @tickwire/contracts. Do not edit.\n';
  return header + stringify(buildAsyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false });
}
