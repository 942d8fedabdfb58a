import { z } from 'zod';
import { EVENT_CATALOG, SCHEMA_NAMES } from '../catalog';
import { dlqHeadersSchema, lateHeadersSchema } from '../dead-letter/dead-letter-headers';

/** JSON Schema dialect of the committed snapshots: draft-07, the one AsyncAPI 3.0 parsers support natively. */
export const JSON_SCHEMA_FORMAT = 'application/schema+json;version=draft-07';
/** File name of the dead-letter header schema under `libs/contracts/schemas/`. */
export const DLQ_HEADERS_SCHEMA_FILE = 'dlq-headers.json';
/** File name of the late-event header schema under `libs/contracts/schemas/`. */
export const LATE_HEADERS_SCHEMA_FILE = 'late-headers.json';

/** File name of the JSON Schema of a catalog schema, e.g. `market.trade.v1.json`. */
export function jsonSchemaFileName(schemaName: string): string {
  return `${schemaName}.json`;
}

/**
 * Converts a zod schema with `z.toJSONSchema`. `io: 'input'` describes what a producer may send:
 * objects stay open (no `additionalProperties: false`), matching the versioning rule that new optional
 * fields must not break old consumers. Cross-field refinements (bid <= ask, OHLC bounds, ...) cannot be
 * expressed in JSON Schema and are enforced only by the zod schemas.
 * @throws Error if the schema holds something JSON Schema cannot represent (transforms, bigint, ...).
 */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
}

/**
 * All JSON Schema snapshots: file name -> schema, in a stable order (catalog order, then headers).
 * Written to `libs/contracts/schemas/` by `scripts/generate-json-schema.ts`.
 */
export function buildJsonSchemas(): Record<string, Record<string, unknown>> {
  const files: Record<string, Record<string, unknown>> = {};
  for (const name of SCHEMA_NAMES) files[jsonSchemaFileName(name)] = toJsonSchema(EVENT_CATALOG[name].eventSchema);
  files[DLQ_HEADERS_SCHEMA_FILE] = toJsonSchema(dlqHeadersSchema);
  files[LATE_HEADERS_SCHEMA_FILE] = toJsonSchema(lateHeadersSchema);
  return files;
}
