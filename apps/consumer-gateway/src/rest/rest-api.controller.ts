import { Controller, Get, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SYMBOL_PATTERN } from '@tickwire/contracts';
import { type Channel, isEntitled, WILDCARD } from '@tickwire/subscriptions';
import type { SymbolSnapshot } from '@tickwire/subscriptions';
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import { SymbolSnapshots } from '../snapshots/symbol-snapshots';
import { ApiKeyGuard, type AuthenticatedRequest } from './api-key.guard';
import { encodeCursor } from './history-cursor';
import {
  ALERT_TYPES,
  alertsQuerySchema,
  parseQuery,
  type SymbolHistoryQuery,
  symbolHistoryQuerySchema,
} from './history-query';
import { type HistoryPage, HistoryService } from './history.service';
import { ApiHistoryRoute, ApiJsonOk, ApiProblems, SYMBOL_PARAMETER_SCHEMA } from './openapi-decorators';
import { ProblemException } from './problem-details';
import { ProblemDetailsFilter } from './problem-details.filter';

type Query = Record<string, unknown>;

/**
 * The entitlement check that comes before any other validation (an unentitled request is 403
 * whatever else is wrong with it): the key must hold one of `channels`, and, when the request names
 * a symbol (valid or not), that symbol on one of them.
 * @throws ProblemException not-entitled.
 */
function requireEntitled(request: AuthenticatedRequest, channels: readonly Channel[], symbol: unknown): void {
  const { entitlements } = request;
  if (!channels.some((channel) => entitlements.channels.includes(channel))) {
    throw new ProblemException('notEntitled', `this key is not entitled to ${channels.join(' or ')}`);
  }
  if (symbol === undefined) return;
  const named = typeof symbol === 'string' ? symbol : String(symbol);
  if (!channels.some((channel) => isEntitled(entitlements, channel, named))) {
    throw new ProblemException(
      'notEntitled',
      `this key is not entitled to ${named.slice(0, 20)} on ${channels.join(' or ')}`,
    );
  }
}

/** Parses `query`. @throws ProblemException invalid-parameter naming every bad parameter. */
function parsed<S extends z.ZodType>(schema: S, query: Query): z.output<S> {
  const result = parseQuery(schema, query);
  if (!result.ok)
    throw new ProblemException(
      'invalidParameter',
      result.errors.map((error) => `${error.parameter}: ${error.detail}`).join('; '),
      result.errors,
    );
  return result.value;
}

/**
 * The `next` link of a page: the request's own path and parameters with the page's cursor, also
 * sent as an RFC 8288 `Link` header. Null on the last page.
 */
function nextLink(
  request: AuthenticatedRequest & { path?: string },
  query: Query,
  page: HistoryPage<unknown>,
  response: ServerResponse,
): string | null {
  if (!page.next) return null;
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (name !== 'cursor' && typeof value === 'string') parameters.set(name, value);
  parameters.set('cursor', encodeCursor(page.next));
  const link = `${request.path ?? (request.url ?? '').split('?')[0]}?${parameters.toString()}`;
  response.setHeader('Link', `<${link}>; rel="next"`);
  return link;
}

/**
 * Snapshots and history over REST, authenticated with an API key. Every error is
 * `application/problem+json` (RFC 9457). OpenAPI 3.1 at /docs-json, Swagger UI at /docs.
 */
@ApiTags('market data')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@UseFilters(ProblemDetailsFilter)
@Controller('v1')
export class RestApiController {
  constructor(
    private readonly snapshots: SymbolSnapshots,
    private readonly history: HistoryService,
  ) {}

  @Get('snapshots/:symbol')
  @ApiOperation({
    summary: 'Latest state of a symbol',
    description:
      "lastPrice, changePercent, bid/ask, lastEventTime after the latest event the gateway consumed (DynamoDB symbol-state for a symbol it has none of); the same as GraphQL's snapshot query. Prices USD, sizes shares, times epoch ms UTC. Needs the trades, quotes or enriched channel for the symbol.",
  })
  @ApiParam({ name: 'symbol', schema: SYMBOL_PARAMETER_SCHEMA })
  @ApiJsonOk('SymbolSnapshot', 'The snapshot')
  @ApiProblems('invalidParameter', 'unauthenticated', 'notEntitled', 'notFound', 'tooManyAuthFailures')
  async snapshot(
    @Param('symbol') symbol: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<SymbolSnapshot> {
    requireEntitled(request, ['enriched', 'trades', 'quotes'], symbol);
    if (!SYMBOL_PATTERN.test(symbol)) {
      throw new ProblemException(
        'invalidParameter',
        'symbol: must be a symbol in upper case, e.g. AAPL or BF.B',
        [{ parameter: 'symbol', detail: 'must be a symbol in upper case, e.g. AAPL or BF.B' }],
      );
    }
    const snapshot = await this.snapshots.latest(symbol);
    if (!snapshot) throw new ProblemException('notFound', `no state for ${symbol}`);
    return snapshot;
  }

  @Get('bars')
  @ApiHistoryRoute({
    summary: '1-minute bars of a symbol',
    description:
      'OHLCV bars with vwap and tradeCount whose startTime is in [from, to), oldest first, each in its latest revision (from OpenSearch market-bars-1m-*). Needs the bars channel.',
    pageSchemaId: 'BarsPage',
    timeField: 'startTime',
  })
  async bars(
    @Query() query: Query,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: ServerResponse,
  ) {
    const { symbol, items, next } = await this.symbolHistory(
      ['bars'],
      query,
      request,
      response,
      (parameters) => this.history.bars(parameters),
    );
    return { symbol, bars: items, next };
  }

  @Get('trades')
  @ApiHistoryRoute({
    summary: 'Trades of a symbol',
    description:
      'Every raw trade whose eventTime is in [from, to), oldest first (from the enriched history, OpenSearch market-enriched-*). Needs the trades or enriched channel.',
    pageSchemaId: 'TradesPage',
    timeField: 'eventTime',
  })
  async trades(
    @Query() query: Query,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: ServerResponse,
  ) {
    const { symbol, items, next } = await this.symbolHistory(
      ['trades', 'enriched'],
      query,
      request,
      response,
      (parameters) => this.history.trades(parameters),
    );
    return { symbol, trades: items, next };
  }

  @Get('quotes')
  @ApiHistoryRoute({
    summary: 'Level-1 quotes of a symbol',
    description:
      'Every raw quote (best bid/offer) whose eventTime is in [from, to), oldest first (from OpenSearch market-enriched-*). Needs the quotes or enriched channel.',
    pageSchemaId: 'QuotesPage',
    timeField: 'eventTime',
  })
  async quotes(
    @Query() query: Query,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: ServerResponse,
  ) {
    const { symbol, items, next } = await this.symbolHistory(
      ['quotes', 'enriched'],
      query,
      request,
      response,
      (parameters) => this.history.quotes(parameters),
    );
    return { symbol, quotes: items, next };
  }

  @Get('alerts')
  @ApiHistoryRoute({
    summary: 'Alerts of one symbol or of every entitled symbol',
    description:
      'Alerts whose eventTime is in [from, to), oldest first, optionally of one type (from OpenSearch market-alerts-*). Without symbol: every symbol the key is entitled to. Needs the alerts channel.',
    pageSchemaId: 'AlertsPage',
    timeField: 'eventTime',
    symbolRequired: false,
  })
  @ApiQuery({
    name: 'type',
    required: false,
    schema: { type: 'string', enum: [...ALERT_TYPES] },
    description: 'Alert type',
  })
  async alerts(
    @Query() query: Query,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: ServerResponse,
  ) {
    requireEntitled(request, ['alerts'], query['symbol']);
    const parameters = parsed(alertsQuerySchema, query);
    const symbols = request.entitlements.symbols.includes(WILDCARD) ? '*' : request.entitlements.symbols;
    const page = await this.history.alerts(parameters, symbols);
    return {
      symbol: parameters.symbol ?? null,
      alerts: page.items,
      next: nextLink(request, query, page, response),
    };
  }

  /** A one-symbol history route: entitlement to one of `channels` (and the symbol), then the parameters, then the page with its next link. */
  private async symbolHistory(
    channels: readonly Channel[],
    query: Query,
    request: AuthenticatedRequest,
    response: ServerResponse,
    read: (parameters: SymbolHistoryQuery) => Promise<HistoryPage<Record<string, unknown>>>,
  ): Promise<{ symbol: string; items: Record<string, unknown>[]; next: string | null }> {
    requireEntitled(request, channels, query['symbol']);
    const parameters = parsed(symbolHistoryQuerySchema, query);
    const page = await read(parameters);
    return { symbol: parameters.symbol, items: page.items, next: nextLink(request, query, page, response) };
  }
}
