import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SymbolStateView } from './enrichment-engine.service';

/** Outcome counts of one {@link SymbolStateWriter.write}. */
export interface SymbolStateWriteResult {
  readonly written: number;
  /** The table already held a newer event for the symbol (the condition failed): nothing changed. */
  readonly stale: number;
}

/**
 * Writes the latest state per symbol to DynamoDB `symbol-state` (pk `symbol`) with
 * `ConditionExpression: attribute_not_exists(lastEventTime) OR lastEventTime <= :t`, so that an older
 * event never overwrites a newer one whatever the order of writers (replays, restarts, a zombie). One
 * UpdateItem per symbol (the latest view after a batch), all symbols in parallel.
 * Attributes: lastPrice, lastEventTime (epoch ms UTC), previousClose, previousCloseDate, changePercent,
 * bidPrice, askPrice (USD; absent while unknown), bidSize, askSize (shares), updatedAt (epoch ms).
 */
export class SymbolStateWriter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * @throws the first DynamoDB error other than a failed condition (after the SDK's retries)
   */
  async write(states: readonly SymbolStateView[]): Promise<SymbolStateWriteResult> {
    const outcomes = await Promise.all(states.map((state) => this.writeOne(state)));
    return {
      written: outcomes.filter((o) => o === 'written').length,
      stale: outcomes.filter((o) => o === 'stale').length,
    };
  }

  private async writeOne(state: SymbolStateView): Promise<'written' | 'stale'> {
    const fields: Record<string, number | string> = {
      lastEventTime: state.lastEventTime,
      updatedAt: this.clock(),
    };
    for (const key of [
      'lastPrice',
      'previousClose',
      'previousCloseDate',
      'changePercent',
      'bidPrice',
      'askPrice',
      'bidSize',
      'askSize',
    ] as const) {
      const value = state[key];
      if (value !== null) fields[key] = value;
    }
    const names: Record<string, string> = {};
    const values: Record<string, { N: string } | { S: string }> = {};
    const sets: string[] = [];
    for (const [key, value] of Object.entries(fields)) {
      names[`#${key}`] = key;
      values[`:${key}`] = typeof value === 'number' ? { N: String(value) } : { S: value };
      sets.push(`#${key} = :${key}`);
    }
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { symbol: { S: state.symbol } },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#lastEventTime) OR #lastEventTime <= :lastEventTime',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return 'written';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'stale';
      throw error;
    }
  }
}
