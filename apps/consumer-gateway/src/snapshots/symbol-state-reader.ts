import { Inject, Injectable } from '@nestjs/common';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DYNAMODB_DOCUMENT_CLIENT, InjectServiceConfig } from '@tickwire/service-kit';
import type { GatewayConfig } from '../config/gateway-config';

/**
 * The latest state of a symbol, as the enricher keeps it in DynamoDB `symbol-state`. Prices USD,
 * sizes shares, times epoch ms UTC; fields the enricher has not seen yet are absent.
 */
export interface SymbolSnapshot {
  symbol: string;
  /** Event time of the newest event reflected, epoch ms UTC. */
  lastEventTime: number;
  lastPrice?: number;
  previousClose?: number;
  previousCloseDate?: string;
  changePercent?: number;
  bidPrice?: number;
  askPrice?: number;
  bidSize?: number;
  askSize?: number;
  /** When the enricher wrote it, epoch ms UTC. */
  updatedAt?: number;
}

/** Reads `symbol-state` items (strongly consistent GetItem: the snapshot must not be older than what was written). */
@Injectable()
export class SymbolStateReader {
  private readonly tableName: string;

  constructor(
    @Inject(DYNAMODB_DOCUMENT_CLIENT) private readonly documents: DynamoDBDocumentClient,
    @InjectServiceConfig() config: GatewayConfig,
  ) {
    this.tableName = config.SYMBOL_STATE_TABLE;
  }

  /**
   * The snapshot of `symbol`, or null when the enricher has no state for it yet.
   * @throws the DynamoDB error (after the SDK's retries).
   */
  async get(symbol: string): Promise<SymbolSnapshot | null> {
    const result = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { symbol }, ConsistentRead: true }));
    return (result.Item as SymbolSnapshot | undefined) ?? null;
  }
}
