import type { Client } from '@opensearch-project/opensearch';
import type { IndexTemplateSpec } from '@tickwire/resources';

/**
 * Puts every index template (`PUT _index_template/<name>`). A PUT replaces the template with the same
 * body, so repeating it changes nothing, and a changed definition in @tickwire/resources is applied
 * (to indices created afterwards, as OpenSearch applies templates at index creation).
 *
 * @returns the template names.
 * @throws Error from the client when OpenSearch rejects a template.
 */
export async function provisionOpenSearch(client: Client, templates: readonly IndexTemplateSpec[]): Promise<string[]> {
  for (const template of templates) {
    await client.indices.putIndexTemplate({
      name: template.name,
      body: template.body as unknown as Parameters<Client['indices']['putIndexTemplate']>[0]['body'],
    });
  }
  return templates.map((template) => template.name);
}
