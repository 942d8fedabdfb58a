import { CreateTableCommand, DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { createDynamoDbClient, createDynamoDbDocumentClient } from '@tickwire/aws';
import { CUSTOMER_API_KEYS_TABLE } from '@tickwire/resources';
import { hashApiKey } from './api-key';
import { CustomerApiKeyStore, InvalidApiKeyRequestError } from './customer-api-key-store';

describe('CustomerApiKeyStore on DynamoDB Local', () => {
  // A table of its own (a data-access library may not use @tickwire/testing; the env is its globalSetup's).
  const tableName = `it-customer-api-keys-${randomBytes(4).toString('hex')}`;
  let dynamo: DynamoDBClient;
  let store: CustomerApiKeyStore;
  let now = 1_795_284_000_000;

  beforeAll(async () => {
    dynamo = createDynamoDbClient({ region: process.env['AWS_REGION'] ?? 'us-east-1', endpoint: process.env['DYNAMODB_ENDPOINT'] ?? 'http://127.0.0.1:8000' });
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'keyHash', AttributeType: 'S' },
          { AttributeName: 'customerId', AttributeType: 'S' },
          { AttributeName: 'alpacaKeyId', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'keyHash', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: CUSTOMER_API_KEYS_TABLE.globalSecondaryIndexes.map((gsi) => ({
          IndexName: gsi.indexName,
          KeySchema: [{ AttributeName: gsi.partitionKey.name, KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    store = new CustomerApiKeyStore(createDynamoDbDocumentClient(dynamo), tableName, () => now);
  });

  afterAll(async () => {
    await dynamo.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    dynamo.destroy();
  });

  it('stores only the hash, finds a key by its plain text, lists and revokes', async () => {
    const { key, record } = await store.create({ customerId: 'acme', channels: ['enriched', 'bars'], symbols: ['*'], maxConnections: 5, maxSymbols: 100 });
    now += 1;
    const second = await store.create({ customerId: 'acme', channels: ['alerts'], symbols: ['AAPL'], maxConnections: 1, maxSymbols: 1, label: 'desk' });
    expect(record.keyHash).toBe(hashApiKey(key));
    expect(JSON.stringify(record)).not.toContain(key);

    expect(await store.findByKey(key)).toEqual(record);
    expect(await store.findByKey(`${key}x`)).toBeNull();
    expect((await store.listByCustomer('acme')).map((r) => r.keyId)).toEqual([record.keyId, second.record.keyId]);
    expect((await store.listAll()).filter((r) => r.customerId === 'acme')).toHaveLength(2);

    now += 1;
    const revoked = await store.revoke('acme', record.keyId);
    expect(revoked?.revokedAt).toBe(now);
    now += 1;
    expect((await store.revoke('acme', record.keyId))?.revokedAt).toBe(now - 1);
    expect((await store.findByKey(key))?.revokedAt).toBe(now - 1);
    expect(await store.revoke('other', record.keyId)).toBeNull();
  });

  it('finds a key by its Alpaca key id and secret, never by a wrong secret; reissuing replaces the pair', async () => {
    const { alpaca, record } = await store.create({ customerId: 'alpaca-user', channels: ['trades'], symbols: ['AAPL'], maxConnections: 1, maxSymbols: 5 });
    expect(record.alpacaKeyId).toBe(alpaca.keyId);
    expect(JSON.stringify(record)).not.toContain(alpaca.secret);
    expect(await store.findByAlpacaCredentials(alpaca.keyId, alpaca.secret)).toEqual(record);
    expect(await store.findByAlpacaCredentials(alpaca.keyId, `${alpaca.secret}x`)).toBeNull();
    expect(await store.findByAlpacaCredentials('TW000000000000000000', alpaca.secret)).toBeNull();
    expect(await store.findByAlpacaCredentials('not a key id', alpaca.secret)).toBeNull();

    const reissued = await store.issueAlpacaCredentials('alpaca-user', record.keyId);
    expect(reissued?.record.alpacaKeyId).toBe(reissued?.alpaca.keyId);
    expect(await store.findByAlpacaCredentials(alpaca.keyId, alpaca.secret)).toBeNull();
    expect((await store.findByAlpacaCredentials(reissued!.alpaca.keyId, reissued!.alpaca.secret))?.keyHash).toBe(record.keyHash);
    expect(await store.issueAlpacaCredentials('someone-else', record.keyId)).toBeNull();

    await store.revoke('alpaca-user', record.keyId);
    expect((await store.findByAlpacaCredentials(reissued!.alpaca.keyId, reissued!.alpaca.secret))?.revokedAt).toBe(now);
    await expect(store.issueAlpacaCredentials('alpaca-user', record.keyId)).rejects.toThrow(InvalidApiKeyRequestError);
  });

  it('refuses invalid requests before writing', async () => {
    await expect(store.create({ customerId: 'Acme!', channels: ['bars'], symbols: ['*'], maxConnections: 1, maxSymbols: 1 })).rejects.toThrow(InvalidApiKeyRequestError);
    await expect(store.create({ customerId: 'acme', channels: [], symbols: ['*'], maxConnections: 1, maxSymbols: 1 })).rejects.toThrow('at least one channel');
    await expect(store.create({ customerId: 'acme', channels: ['bars'], symbols: ['aapl'], maxConnections: 1, maxSymbols: 1 })).rejects.toThrow('invalid symbol');
    await expect(store.create({ customerId: 'acme', channels: ['bars'], symbols: ['*'], maxConnections: 0, maxSymbols: 1 })).rejects.toThrow('maxConnections');
  });
});
