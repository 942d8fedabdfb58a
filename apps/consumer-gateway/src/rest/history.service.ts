import { Inject, Injectable } from '@nestjs/common';
import type { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import { indexPrefix } from '@tickwire/resources';
import { OPENSEARCH_CLIENT } from '@tickwire/service-kit';
import type { HistoryCursor } from './history-cursor';
import type { AlertsQuery, SymbolHistoryQuery } from './history-query';

/** How long OpenSearch keeps a page's point in time after each request (a client reading the next page renews it). */
export const PIT_KEEP_ALIVE = '2m';

/** A page of documents, oldest first, and where the next page starts (null: this was the last). */
export interface HistoryPage<T> {
  items: T[];
  next: HistoryCursor | null;
}

/** A search document as opensearch-indexer writes it. */
type SearchDocument = Record<string, unknown>;

/** Statuses of an OpenSearch error response (`meta.statusCode` of the client's ResponseError). */
function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } }).meta?.statusCode;
}

/**
 * History from OpenSearch, as opensearch-indexer writes it: documents are the event payload flattened
 * next to the envelope fields, in daily indices `market-enriched-*` (every trade and quote),
 * `market-bars-1m-*` and `market-alerts-*` (see @tickwire/resources).
 *
 * Pagination: each query opens a point in time (PIT, OpenSearch 2.4+) on its index pattern and pages
 * through it with `search_after` on (time, id), a total order, so a client paging through a range
 * sees one consistent snapshot and never the 10,000-document window of `from`/`size` paging. A page
 * that is full gets a cursor; the PIT is deleted when a page is not. When a cursor's PIT has expired
 * (no request for {@link PIT_KEEP_ALIVE}) or is unknown, the next page opens a new one and continues after the same
 * (time, id): documents indexed meanwhile may then appear, none is skipped or repeated.
 */
@Injectable()
export class HistoryService {
  constructor(@Inject(OPENSEARCH_CLIENT) private readonly openSearch: OpenSearchClient) {}

  /** 1-minute bars of the symbol with startTime in [from, to), oldest first (the latest revision of each). */
  async bars(query: SymbolHistoryQuery): Promise<HistoryPage<SearchDocument>> {
    return this.page(`${indexPrefix('bars-1m')}*`, 'startTime', query, [{ term: { symbol: query.symbol } }]);
  }

  /**
   * Trades of the symbol with eventTime in [from, to), oldest first: the raw trade of each enriched
   * trade, with the raw event's `id` (the enriched event's `sourceEventId`), `eventTime`, `ingestTime`, `source`.
   */
  async trades(query: SymbolHistoryQuery): Promise<HistoryPage<SearchDocument>> {
    const page = await this.page(`${indexPrefix('enriched')}*`, 'eventTime', query, [
      { term: { symbol: query.symbol } },
      { term: { kind: 'trade' } },
    ]);
    return { items: page.items.map((document) => rawTick(document, 'trade')), next: page.next };
  }

  /** Level-1 quotes of the symbol with eventTime in [from, to), oldest first, as {@link trades} gives trades. */
  async quotes(query: SymbolHistoryQuery): Promise<HistoryPage<SearchDocument>> {
    const page = await this.page(`${indexPrefix('enriched')}*`, 'eventTime', query, [
      { term: { symbol: query.symbol } },
      { term: { kind: 'quote' } },
    ]);
    return { items: page.items.map((document) => rawTick(document, 'quote')), next: page.next };
  }

  /**
   * Alerts with eventTime in [from, to), oldest first, optionally of one type, of `query.symbol` or,
   * without it, of `symbols` (the key's entitled symbols; `'*'` for all).
   */
  async alerts(query: AlertsQuery, symbols: readonly string[] | '*'): Promise<HistoryPage<SearchDocument>> {
    const symbolFilter =
      query.symbol !== undefined
        ? [{ term: { symbol: query.symbol } }]
        : symbols === '*'
          ? []
          : [{ terms: { symbol: [...symbols] } }];
    return this.page(`${indexPrefix('alerts')}*`, 'eventTime', query, [
      ...symbolFilter,
      ...(query.type ? [{ term: { alertType: query.type } }] : []),
    ]);
  }

  private async page(
    index: string,
    timeField: string,
    query: { from: number; to: number; limit: number; cursor?: HistoryCursor | undefined },
    filter: object[],
  ): Promise<HistoryPage<SearchDocument>> {
    const cursor = query.cursor;
    if (query.to <= query.from) return { items: [], next: null };
    let pitId = cursor?.pitId ?? (await this.openPit(index));
    if (pitId === null) return { items: [], next: null };
    const body = {
      size: query.limit,
      sort: [{ [timeField]: { order: 'asc' } }, { id: { order: 'asc' } }],
      query: { bool: { filter: [...filter, { range: { [timeField]: { gte: query.from, lt: query.to } } }] } },
      track_total_hits: false,
      ...(cursor ? { search_after: cursor.searchAfter } : {}),
    };
    let hits: { _source?: SearchDocument; sort?: unknown[] }[];
    try {
      hits = await this.search(pitId, body);
    } catch (error) {
      // The cursor's point in time expired (404) or is not one (400): continue after the same (time, id) in a new one.
      const status = statusOf(error);
      if (!cursor || (status !== 404 && status !== 400)) throw error;
      const reopened = await this.openPit(index);
      if (reopened === null) return { items: [], next: null };
      pitId = reopened;
      hits = await this.search(pitId, body);
    }
    const last = hits.at(-1);
    if (hits.length < query.limit || !last?.sort) {
      await this.openSearch.deletePit({ body: { pit_id: [pitId] } }).catch(() => undefined);
      return { items: hits.map((hit) => hit._source ?? {}), next: null };
    }
    return {
      items: hits.map((hit) => hit._source ?? {}),
      next: { pitId, searchAfter: [Number(last.sort[0]), String(last.sort[1])] },
    };
  }

  /** Opens a point in time on `index`; null when no index matches it yet (nothing indexed). */
  private async openPit(index: string): Promise<string | null> {
    // OpenSearch 2.19 answers a PIT on a pattern that matches no index with 400 "invalid id: [null]".
    const exists = await this.openSearch.indices.exists({ index: [index], allow_no_indices: false });
    if (!exists.body) return null;
    const response = await this.openSearch.createPit({
      index: [index],
      keep_alive: PIT_KEEP_ALIVE,
      allow_partial_pit_creation: false,
    });
    return response.body.pit_id;
  }

  private async search(
    pitId: string,
    body: object,
  ): Promise<{ _source?: SearchDocument; sort?: unknown[] }[]> {
    const response = await this.openSearch.search({
      body: { ...body, pit: { id: pitId, keep_alive: PIT_KEEP_ALIVE } } as never,
    });
    return (response.body.hits?.hits ?? []) as { _source?: SearchDocument; sort?: unknown[] }[];
  }
}

/** The raw trade or quote inside an enriched search document, with the raw event's envelope fields. */
function rawTick(document: SearchDocument, kind: 'trade' | 'quote'): SearchDocument {
  return {
    ...(document[kind] as SearchDocument | undefined),
    id: document['sourceEventId'],
    eventTime: document['eventTime'],
    ingestTime: document['ingestTime'],
    source: document['source'],
  };
}
