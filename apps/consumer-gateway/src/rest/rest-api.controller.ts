import { BadRequestException, Controller, ForbiddenException, Get, NotFoundException, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SYMBOL_PATTERN } from '@tickwire/contracts';
import { type Channel, isEntitled } from '@tickwire/subscriptions';
import type { SymbolSnapshot } from '@tickwire/subscriptions';
import { SymbolSnapshots } from '../snapshots/symbol-snapshots';
import { API_KEY_HEADER, ApiKeyGuard, type AuthenticatedRequest } from './api-key.guard';
import { alertsQuerySchema, barsQuerySchema, MAX_HISTORY_LIMIT, parseQuery } from './history-query';
import { HistoryService } from './history.service';

function requireEntitled(request: AuthenticatedRequest, channels: readonly Channel[], symbol: string): void {
  if (!channels.some((channel) => isEntitled(request.entitlements, channel, symbol))) {
    throw new ForbiddenException(`not entitled to ${symbol} on ${channels.join(' or ')}`);
  }
}

/** Snapshots and history over REST, authenticated with an API key. OpenAPI at /docs. */
@ApiTags('market data')
@ApiSecurity('api-key')
@ApiHeader({ name: API_KEY_HEADER, required: true, description: 'Customer API key (tw_...)' })
@UseGuards(ApiKeyGuard)
@Controller('v1')
export class RestApiController {
  constructor(
    private readonly snapshots: SymbolSnapshots,
    private readonly history: HistoryService,
  ) {}

  @Get('snapshots/:symbol')
  @ApiOperation({
    summary:
      "Latest state of a symbol: lastPrice, changePercent, bid/ask, lastEventTime, after the latest event the gateway consumed (DynamoDB symbol-state for a symbol it has none of); the same as GraphQL's snapshot query",
  })
  @ApiParam({ name: 'symbol', example: 'AAPL' })
  @ApiOkResponse({ description: 'The snapshot; prices USD, sizes shares, times epoch ms UTC. 404 when the symbol has no state.' })
  async snapshot(@Param('symbol') symbol: string, @Req() request: AuthenticatedRequest): Promise<SymbolSnapshot> {
    if (!SYMBOL_PATTERN.test(symbol)) throw new BadRequestException('symbol must be a ticker such as AAPL');
    requireEntitled(request, ['enriched', 'trades', 'quotes'], symbol);
    const snapshot = await this.snapshots.latest(symbol);
    if (!snapshot) throw new NotFoundException(`no state for ${symbol}`);
    return snapshot;
  }

  @Get('bars')
  @ApiOperation({ summary: '1-minute OHLCV bars (with vwap, tradeCount) whose startTime is in [from, to), oldest first' })
  @ApiQuery({ name: 'symbol', example: 'AAPL' })
  @ApiQuery({ name: 'from', description: 'epoch ms UTC or ISO-8601', example: '2012-06-21T13:30:00Z' })
  @ApiQuery({ name: 'to', description: 'epoch ms UTC or ISO-8601 (exclusive)', example: '2012-06-21T20:00:00Z' })
  @ApiQuery({ name: 'limit', required: false, description: `1..${MAX_HISTORY_LIMIT}, default 1000` })
  @ApiOkResponse({ description: '{ symbol, bars: [...] } from OpenSearch market-bars-1m-*' })
  async bars(@Query() query: Record<string, string>, @Req() request: AuthenticatedRequest): Promise<{ symbol: string; bars: Record<string, unknown>[] }> {
    const parsed = parseQuery(barsQuerySchema, query);
    if (!parsed.ok) throw new BadRequestException(parsed.message);
    requireEntitled(request, ['bars'], parsed.value.symbol);
    return { symbol: parsed.value.symbol, bars: await this.history.bars(parsed.value) };
  }

  @Get('alerts')
  @ApiOperation({ summary: 'Alerts whose eventTime is in [from, to), optionally of one type, oldest first' })
  @ApiQuery({ name: 'symbol', example: 'AAPL' })
  @ApiQuery({ name: 'from', description: 'epoch ms UTC or ISO-8601' })
  @ApiQuery({ name: 'to', description: 'epoch ms UTC or ISO-8601 (exclusive)' })
  @ApiQuery({ name: 'type', required: false, enum: ['price-change-threshold', 'ma-cross', 'volume-spike'] })
  @ApiQuery({ name: 'limit', required: false, description: `1..${MAX_HISTORY_LIMIT}, default 1000` })
  @ApiOkResponse({ description: '{ symbol, alerts: [...] } from OpenSearch market-alerts-*' })
  async alerts(@Query() query: Record<string, string>, @Req() request: AuthenticatedRequest): Promise<{ symbol: string; alerts: Record<string, unknown>[] }> {
    const parsed = parseQuery(alertsQuerySchema, query);
    if (!parsed.ok) throw new BadRequestException(parsed.message);
    requireEntitled(request, ['alerts'], parsed.value.symbol);
    return { symbol: parsed.value.symbol, alerts: await this.history.alerts(parsed.value) };
  }
}
