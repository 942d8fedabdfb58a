import type { Client } from '@opensearch-project/opensearch';
import { type IndexTemplateSpec, indexTemplates } from '@tickwire/resources';

/**
 * Makes sure the index templates of @tickwire/resources exist before the first document creates a
 * daily index (an index created without its template gets dynamic mappings, e.g. `symbol` as text,
 * and cannot be fixed without a reindex). The stack's provisioning creates them too; this installer
 * only creates missing ones (`create: true`), so it never overrides settings a deployment tuned
 * (replicas, refresh interval). Idempotent and safe to race with provisioning or other instances.
 */
export class IndexTemplateInstaller {
  private installed: Promise<void> | null = null;

  constructor(
    private readonly client: Client,
    private readonly templates: readonly IndexTemplateSpec[] = indexTemplates(),
  ) {}

  /**
   * Resolves once every template exists; after the first success it resolves at once. A failure is
   * not remembered, so the next call tries again.
   * @throws the OpenSearch client's error when OpenSearch is unreachable or refuses a template.
   */
  ensure(): Promise<void> {
    this.installed ??= this.install().catch((error: unknown) => {
      this.installed = null;
      throw error;
    });
    return this.installed;
  }

  private async install(): Promise<void> {
    for (const template of this.templates) {
      const exists = await this.client.indices.existsIndexTemplate({ name: template.name });
      if (exists.body === true) continue;
      try {
        await this.client.indices.putIndexTemplate({
          name: template.name,
          create: true,
          body: template.body as never,
        });
      } catch (error) {
        // Another instance (or the provisioning) created it between our check and our put.
        const type = (error as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;
        if (type !== 'illegal_argument_exception' && type !== 'resource_already_exists_exception')
          throw error;
      }
    }
  }
}
