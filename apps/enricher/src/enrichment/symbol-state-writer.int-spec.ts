import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { createLocalDynamoDb, uniqueName } from '@tickwire/testing';
import type { SymbolStateView } from './enrichment-engine.service';
import { SymbolStateWriter } from './symbol-state-writer';

describe('SymbolStateWriter on DynamoDB Local', () => {
  const tableName = uniqueName('it-symbol-state');
  let client: DynamoDBClient;

  beforeAll(async () => {
    client = createLocalDynamoDb();
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'symbol', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'symbol', KeyType: 'HASH' }],
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
  });

  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
  });

  const view = (lastEventTime: number, lastPrice: number): SymbolStateView => ({
    symbol: 'AAPL',
    lastEventTime,
    lastPrice,
    previousClose: 585.741,
    previousCloseDate: '2012-06-20',
    changePercent: ((lastPrice - 585.741) / 585.741) * 100,
    bidPrice: null,
    askPrice: 577.67,
    bidSize: null,
    askSize: 300,
  });

  const stored = async () =>
    (
      await client.send(
        new GetItemCommand({ TableName: tableName, Key: { symbol: { S: 'AAPL' } }, ConsistentRead: true }),
      )
    ).Item;

  it('never lets an older event overwrite a newer one; equal or newer event times win', async () => {
    const writer = new SymbolStateWriter(client, tableName, () => 1);
    expect(await writer.write([view(2_000, 577.635)])).toEqual({ written: 1, stale: 0 });
    expect(await writer.write([view(1_000, 585.74)])).toEqual({ written: 0, stale: 1 });
    expect((await stored())?.['lastPrice']?.N).toBe('577.635');
    expect(await writer.write([view(3_000, 578)])).toEqual({ written: 1, stale: 0 });
    const item = await stored();
    expect(item?.['lastPrice']?.N).toBe('578');
    expect(item?.['lastEventTime']?.N).toBe('3000');
    expect(item?.['previousCloseDate']?.S).toBe('2012-06-20');
    expect(item?.['bidPrice']).toBeUndefined();
    expect(Number(item?.['changePercent']?.N)).toBeCloseTo(((578 - 585.741) / 585.741) * 100, 12);
    expect(item?.['halted']).toBeUndefined();
  });

  it('stores the halted flag of the latest trading status, and its resumption', async () => {
    const writer = new SymbolStateWriter(client, tableName, () => 1);
    expect(await writer.write([{ ...view(4_000, 578), halted: true }])).toEqual({ written: 1, stale: 0 });
    expect((await stored())?.['halted']).toEqual({ BOOL: true });
    // A status moves no clock: the resumption comes with the same lastEventTime and still wins.
    expect(await writer.write([{ ...view(4_000, 578), halted: false }])).toEqual({ written: 1, stale: 0 });
    expect((await stored())?.['halted']).toEqual({ BOOL: false });
  });
});
