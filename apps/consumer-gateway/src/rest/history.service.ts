import { Inject, Injectable } from '@nestjs/common';
import type { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import { indexPrefix } from '@tickwire/resources';
import { OPENSEARCH_CLIENT } from '@tickwire/service-kit';
import type { AlertsQuery, BarsQuery } from './history-query';

/**
 * History from OpenSearch, as opensearch-indexer writes it: documents are the event payload flattened
 * next to the envelope fields, in daily indices `market-bars-1m-*` / `market-alerts-*`
 * (see @tickwire/resources). Queries span all daily indices (the range filter prunes shards by
 * their min/max; wildcard patterns with no matching index return no hits, not 404).
 */
@Injectable()
export class HistoryService {
  constructor(@Inject(OPENSEARCH_CLIENT) private readonly openSearch: OpenSearchClient) {}

  /** 1-minute bars of `symbol` with startTime in [from, to), oldest first. */
  async bars(query: BarsQuery): Promise<Record<string, unknown>[]> {
    return this.search(`${indexPrefix('bars-1m')}*`, query.limit, 'startTime', [
      { term: { symbol: query.symbol } },
      { range: { startTime: { gte: query.from, lt: query.to } } },
    ]);
  }

  /** Alerts of `symbol` (optionally of one type) with eventTime in [from, to), oldest first. */
  async alerts(query: AlertsQuery): Promise<Record<string, unknown>[]> {
    return this.search(`${indexPrefix('alerts')}*`, query.limit, 'eventTime', [
      { term: { symbol: query.symbol } },
      { range: { eventTime: { gte: query.from, lt: query.to } } },
      ...(query.type ? [{ term: { alertType: query.type } }] : []),
    ]);
  }

  private async search(index: string, size: number, sortField: string, filter: object[]): Promise<Record<string, unknown>[]> {
    const response = await this.openSearch.search({
      index,
      ignore_unavailable: true,
      allow_no_indices: true,
      body: { size, sort: [{ [sortField]: { order: 'asc' } }], query: { bool: { filter } } },
    });
    const hits = (response.body.hits?.hits ?? []) as { _source?: Record<string, unknown> }[];
    return hits.map((hit) => hit._source ?? {});
  }
}
