import type { Client } from '@opensearch-project/opensearch';
import type { ParsedRecord } from '@tickwire/kafka';
import { type BulkItemResult, BulkRetryableError, interpretBulkItems } from './bulk-response';
import { indexTarget, searchDocument } from './search-document';

/**
 * Writes events to OpenSearch with one `_bulk` request of `create` actions, `_id` = event id, so a
 * redelivered event is a no-op (409) rather than a duplicate or an overwrite.
 */
export class OpenSearchBulkWriter {
  constructor(private readonly client: Client) {}

  /**
   * Indexes `items`; resolves with the records OpenSearch rejected permanently (to dead-letter).
   *
   * @throws BulkRetryableError when OpenSearch answered 429/5xx for any item, or the request itself
   *   failed (connection error, timeout): nothing may be committed then.
   */
  async index(items: readonly ParsedRecord[]): Promise<{ record: ParsedRecord['record']; error: unknown }[]> {
    if (items.length === 0) return [];
    const body = items.flatMap(({ record, event }) => {
      const { index, id } = indexTarget(record.topic, event);
      return [{ create: { _index: index, _id: id } }, searchDocument(event)];
    });
    let responseItems: BulkItemResult[];
    try {
      const response = await this.client.bulk({ body });
      responseItems = (response.body.items as Record<string, BulkItemResult>[]).map((item) => item['create'] ?? { status: 500 });
    } catch (error) {
      throw new BulkRetryableError(`OpenSearch bulk request failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (responseItems.length !== items.length) {
      throw new BulkRetryableError(`OpenSearch answered ${responseItems.length} bulk items for ${items.length} documents`);
    }
    const outcomes = interpretBulkItems(responseItems);
    return items.flatMap((item, position) => {
      const error = outcomes[position];
      return error ? [{ record: item.record, error }] : [];
    });
  }
}
