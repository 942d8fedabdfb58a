import { type DynamoDBClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import {
  DEFAULT_SYMBOL_ALIASES,
  type DailyBarRow,
  PreviousCloseReference,
  type SymbolAlias,
} from '@tickwire/indicators';
import { REFERENCE_DAILY_BARS_TABLE } from '@tickwire/resources';
import type { StoredDailyRow } from './reference-daily-bars-loader';

/** Options of {@link PreviousCloseReader}. */
export interface PreviousCloseReaderOptions {
  /** Default `reference-daily-bars`. */
  readonly tableName?: string;
  /** Ticker aliases (history of a symbol kept under another); default indicators' DEFAULT_SYMBOL_ALIASES (GOOG -> GOOGL before 2014-04-03). */
  readonly aliases?: readonly SymbolAlias[];
}

/**
 * Builds @tickwire/indicators' {@link PreviousCloseReference} for one symbol from DynamoDB table
 * `reference-daily-bars`: one paginated Query per symbol (`symbol = :s`, one item per year), plus one
 * for each alias source of that symbol (GOOG's 2012 history is GOOGL's, see DEFAULT_SYMBOL_ALIASES),
 * cached per symbol for the life of the reader (reference data is loaded before the enricher starts
 * and does not change during a replay). Concurrent calls for one symbol share one Query.
 *
 * A symbol without rows yields a reference that answers `undefined` (previousClose unknown).
 */
export class PreviousCloseReader {
  private readonly tableName: string;
  private readonly aliases: readonly SymbolAlias[];
  private readonly cache = new Map<string, Promise<PreviousCloseReference>>();
  private readonly rowCache = new Map<string, Promise<DailyBarRow[]>>();

  constructor(
    private readonly client: DynamoDBClient,
    options: PreviousCloseReaderOptions = {},
  ) {
    this.tableName = options.tableName ?? REFERENCE_DAILY_BARS_TABLE.tableName;
    this.aliases = options.aliases ?? DEFAULT_SYMBOL_ALIASES;
  }

  /**
   * The previous-close reference of `symbol` (and of its alias sources).
   * @throws the DynamoDB error of the Query (the failed promise is not cached, so a later call retries)
   */
  referenceFor(symbol: string): Promise<PreviousCloseReference> {
    let reference = this.cache.get(symbol);
    if (reference === undefined) {
      reference = this.build(symbol);
      this.cache.set(symbol, reference);
      reference.catch(() => this.cache.delete(symbol));
    }
    return reference;
  }

  /** Number of symbols whose reference is cached or being loaded. */
  get cachedSymbols(): number {
    return this.cache.size;
  }

  private async build(symbol: string): Promise<PreviousCloseReference> {
    const sources = [
      symbol,
      ...this.aliases.filter((alias) => alias.symbol === symbol).map((alias) => alias.sourceSymbol),
    ];
    const rows = (await Promise.all([...new Set(sources)].map((source) => this.rowsOf(source)))).flat();
    return new PreviousCloseReference(rows, { aliases: this.aliases });
  }

  private rowsOf(symbol: string): Promise<DailyBarRow[]> {
    let rows = this.rowCache.get(symbol);
    if (rows === undefined) {
      rows = this.query(symbol);
      this.rowCache.set(symbol, rows);
      rows.catch(() => this.rowCache.delete(symbol));
    }
    return rows;
  }

  private async query(symbol: string): Promise<DailyBarRow[]> {
    const rows: DailyBarRow[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'symbol = :s',
          ExpressionAttributeValues: { ':s': { S: symbol } },
          ProjectionExpression: 'symbol, #y, bars',
          ExpressionAttributeNames: { '#y': 'year' },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const stored = JSON.parse(item['bars']?.S ?? '[]') as StoredDailyRow[];
        for (const [tradingDate, , , , close, , , dividendAmount, splitCoefficient] of stored) {
          rows.push({ symbol, tradingDate, close, dividendAmount, splitCoefficient });
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return rows;
  }
}
