import { Inject, Injectable } from '@nestjs/common';
import { type DynamoDBDocumentClient, GetCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { DYNAMODB_DOCUMENT_CLIENT, InjectServiceConfig } from '@tickwire/service-kit';
import { type SymbolSnapshot, toSymbolSnapshot } from '@tickwire/subscriptions';
import type { GatewayConfig } from '../config/gateway-config';

/**
 * Reads DynamoDB `symbol-state`, the enricher's durable copy of each symbol's latest state (written
 * asynchronously after its transactions commit, so it may lag the stream). Items come back as
 * {@link SymbolSnapshot}s: prices USD, sizes shares, times epoch ms UTC; other attributes (the
 * writer's `updatedAt`) are dropped. Reads are strongly consistent: never older than what was written.
 */
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
   * The stored state of `symbol`, or null when the enricher has none.
   * @throws the DynamoDB error (after the SDK's retries).
   */
  async get(symbol: string): Promise<SymbolSnapshot | null> {
    const result = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { symbol }, ConsistentRead: true }));
    return result.Item ? toSymbolSnapshot(result.Item as SymbolSnapshot) : null;
  }

  /**
   * Every stored state (a paginated Scan, about 1 MB per page: ~10,000 symbols is a few pages).
   * @throws the DynamoDB error of any page (after the SDK's retries).
   */
  async *scan(): AsyncGenerator<SymbolSnapshot> {
    for await (const page of paginateScan({ client: this.documents }, { TableName: this.tableName, ConsistentRead: true })) {
      for (const item of page.Items ?? []) yield toSymbolSnapshot(item as SymbolSnapshot);
    }
  }
}
