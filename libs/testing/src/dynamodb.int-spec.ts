import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  GetItemCommand,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { SYMBOL_STATE_TABLE } from '@tickwire/resources';
import { createLocalDynamoDb } from './stack-clients';
import { uniqueName } from './unique-names';

describe('DynamoDB Local on the local stack', () => {
  const client = createLocalDynamoDb();

  afterAll(() => client.destroy());

  it('puts and gets an item in the provisioned symbol-state table', async () => {
    const symbol = uniqueName('it-sym').toUpperCase();
    const TableName = SYMBOL_STATE_TABLE.tableName;
    await client.send(
      new PutItemCommand({
        TableName,
        Item: { symbol: { S: symbol }, lastPrice: { N: '123.45' }, lastEventTime: { N: '1700000000000' } },
      }),
    );
    try {
      const { Item } = await client.send(new GetItemCommand({ TableName, Key: { symbol: { S: symbol } }, ConsistentRead: true }));
      expect(Item).toEqual({ symbol: { S: symbol }, lastPrice: { N: '123.45' }, lastEventTime: { N: '1700000000000' } });
    } finally {
      await client.send(new DeleteItemCommand({ TableName, Key: { symbol: { S: symbol } } }));
    }
  });

  it('creates a table of its own, writes and reads it', async () => {
    const TableName = uniqueName('it-table');
    await client.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    try {
      await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName });
      await client.send(new PutItemCommand({ TableName, Item: { id: { S: 'a' }, size: { N: '100' } } }));
      const { Item } = await client.send(new GetItemCommand({ TableName, Key: { id: { S: 'a' } } }));
      expect(Item?.['size']).toEqual({ N: '100' });
    } finally {
      await client.send(new DeleteTableCommand({ TableName }));
    }
  });
});
