import { renderAsyncApiYaml } from './asyncapi-document';
import { buildJsonSchemas } from './json-schemas';

/** Directory of the JSON Schema snapshots, relative to `libs/contracts/`. */
export const SCHEMAS_DIR = 'schemas';
/** Path of the AsyncAPI document, relative to `libs/contracts/`. */
export const ASYNCAPI_FILE = 'asyncapi.yaml';

/**
 * Every generated artifact: path relative to `libs/contracts/` -> exact file content. The generate
 * script writes them; the freshness test compares them with the committed files.
 */
export function generatedFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, schema] of Object.entries(buildJsonSchemas())) {
    files[`${SCHEMAS_DIR}/${name}`] = `${JSON.stringify(schema, null, 2)}\n`;
  }
  files[ASYNCAPI_FILE] = renderAsyncApiYaml();
  return files;
}
