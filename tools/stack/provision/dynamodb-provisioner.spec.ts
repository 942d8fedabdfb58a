import { CUSTOMER_API_KEYS_TABLE, REFERENCE_DAILY_BARS_TABLE } from '@tickwire/resources';
import { createTableInput } from './dynamodb-provisioner';

describe('createTableInput', () => {
  it('declares each key attribute once, GSI keys included', () => {
    const input = createTableInput(CUSTOMER_API_KEYS_TABLE);
    expect(input.KeySchema).toEqual([{ AttributeName: 'keyHash', KeyType: 'HASH' }]);
    expect(input.AttributeDefinitions).toEqual([
      { AttributeName: 'keyHash', AttributeType: 'S' },
      { AttributeName: 'customerId', AttributeType: 'S' },
      { AttributeName: 'alpacaKeyId', AttributeType: 'S' },
    ]);
    expect(input.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['customerId-index', 'alpacaKeyId-index']);
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('adds the sort key as RANGE', () => {
    expect(createTableInput(REFERENCE_DAILY_BARS_TABLE).KeySchema).toEqual([
      { AttributeName: 'symbol', KeyType: 'HASH' },
      { AttributeName: 'year', KeyType: 'RANGE' },
    ]);
  });
});
