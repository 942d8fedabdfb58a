import type { Client } from '@opensearch-project/opensearch';
import type { IndexTemplateSpec, OpenSearchSecurityRoleSpec } from '@tickwire/resources';

/**
 * Puts every index template (`PUT _index_template/<name>`). A PUT replaces the template with the same
 * body, so repeating it changes nothing, and a changed definition in @tickwire/resources is applied
 * (to indices created afterwards, as OpenSearch applies templates at index creation).
 *
 * @returns the template names.
 * @throws Error from the client when OpenSearch rejects a template.
 */
export async function provisionOpenSearch(
  client: Client,
  templates: readonly IndexTemplateSpec[],
): Promise<string[]> {
  for (const template of templates) {
    await client.indices.putIndexTemplate({
      name: template.name,
      body: template.body as unknown as Parameters<Client['indices']['putIndexTemplate']>[0]['body'],
    });
  }
  return templates.map((template) => template.name);
}

/**
 * Fine-grained access control: puts each role (`PUT _plugins/_security/api/roles/<name>`), then maps
 * IAM role ARNs to OpenSearch roles as backend roles (`PUT _plugins/_security/api/rolesmapping/<role>`).
 * A PUT replaces the role or mapping with the given body, so the step is idempotent and a mapping holds
 * exactly the ARNs given (none kept from by-hand edits). Only the domain's master user (or a
 * `security_manager`) may call these APIs.
 *
 * @param mappings OpenSearch role name -> IAM role ARNs, e.g. `{ tickwire_indexer: ['arn:aws:iam::…:role/…'] }`.
 * @returns the mapped role names.
 * @throws Error from the client when OpenSearch refuses a role or mapping (403 for a caller without security rights).
 */
export async function provisionOpenSearchSecurity(
  client: Client,
  roles: readonly OpenSearchSecurityRoleSpec[],
  mappings: Readonly<Record<string, readonly string[]>>,
): Promise<string[]> {
  for (const role of roles) {
    await client.transport.request({
      method: 'PUT',
      path: `/_plugins/_security/api/roles/${encodeURIComponent(role.name)}`,
      body: role.body,
    });
  }
  const mapped = Object.keys(mappings).sort();
  for (const role of mapped) {
    await client.transport.request({
      method: 'PUT',
      path: `/_plugins/_security/api/rolesmapping/${encodeURIComponent(role)}`,
      body: { backend_roles: [...(mappings[role] ?? [])] },
    });
  }
  return mapped;
}
