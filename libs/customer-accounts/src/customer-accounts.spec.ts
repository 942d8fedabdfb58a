import { TOPICS } from '@tickwire/contracts';
import { type AlpacaCredentials, type CustomerApiKeyRecord, InvalidApiKeyRequestError, type NewCustomerApiKey } from '@tickwire/customer-keys';
import type { KafkaAclSpec } from '@tickwire/resources';
import type { ApiKeyPort, KafkaAclPort, ScramUserPort } from './customer-account-ports';
import {
  CustomerAccountExistsError,
  CustomerAccountNotFoundError,
  CustomerAccounts,
  generateKafkaPassword,
  InvalidCustomerIdError,
} from './customer-accounts';

class FakeKeys implements ApiKeyPort {
  readonly records: CustomerApiKeyRecord[] = [];
  private next = 0;
  async create(request: NewCustomerApiKey): Promise<{ key: string; alpaca: AlpacaCredentials; record: CustomerApiKeyRecord }> {
    if (request.channels.length === 0) throw new InvalidApiKeyRequestError('at least one channel is required');
    this.next += 1;
    const record: CustomerApiKeyRecord = {
      keyHash: `hash${this.next}`,
      keyId: `key_${this.next}`,
      customerId: request.customerId,
      channels: [...request.channels],
      symbols: [...request.symbols],
      maxConnections: request.maxConnections,
      maxSymbols: request.maxSymbols,
      ...(request.label ? { label: request.label } : {}),
      createdAt: this.next,
      alpacaKeyId: `TW${this.next}`,
      alpacaSecretHash: `secret-hash${this.next}`,
    };
    this.records.push(record);
    return { key: `tw_${this.next}`, alpaca: { keyId: `TW${this.next}`, secret: `secret${this.next}` }, record };
  }
  async listByCustomer(customerId: string): Promise<CustomerApiKeyRecord[]> {
    return this.records.filter((r) => r.customerId === customerId);
  }
  async listAll(): Promise<CustomerApiKeyRecord[]> {
    return [...this.records];
  }
  async revoke(customerId: string, keyId: string): Promise<CustomerApiKeyRecord | null> {
    const record = this.records.find((r) => r.customerId === customerId && r.keyId === keyId);
    if (record) record.revokedAt ??= 100;
    return record ?? null;
  }
  active(customerId: string): string[] {
    return this.records.filter((r) => r.customerId === customerId && r.revokedAt === undefined).map((r) => r.keyId);
  }
}

class FakeScram implements ScramUserPort {
  readonly users = new Map<string, string>();
  failUpsert = false;
  async upsert(user: string, password: string): Promise<void> {
    if (this.failUpsert) throw new Error('broker unreachable');
    this.users.set(user, password);
  }
  async delete(user: string): Promise<boolean> {
    return this.users.delete(user);
  }
  async listUsers(): Promise<string[]> {
    return [...this.users.keys()].sort();
  }
}

class FakeAcls implements KafkaAclPort {
  acls: KafkaAclSpec[] = [];
  failCreate = false;
  async create(specs: readonly KafkaAclSpec[]): Promise<void> {
    if (this.failCreate) throw new Error('CLUSTER_AUTHORIZATION_FAILED');
    for (const spec of specs) if (!this.acls.some((a) => JSON.stringify(a) === JSON.stringify(spec))) this.acls.push(spec);
  }
  async listOf(principal: string): Promise<KafkaAclSpec[]> {
    return this.acls.filter((a) => a.principal === principal);
  }
  async deleteAllOf(principal: string): Promise<number> {
    const before = this.acls.length;
    this.acls = this.acls.filter((a) => a.principal !== principal);
    return before - this.acls.length;
  }
}

function setup(): { keys: FakeKeys; scram: FakeScram; acls: FakeAcls; accounts: CustomerAccounts } {
  const keys = new FakeKeys();
  const scram = new FakeScram();
  const acls = new FakeAcls();
  let passwords = 0;
  return { keys, scram, acls, accounts: new CustomerAccounts(keys, scram, acls, () => `kafka-pw-${(passwords += 1)}`) };
}

describe('CustomerAccounts', () => {
  it('create issues the API key, Alpaca credentials and a Kafka user with exactly the entitled topics and group prefix', async () => {
    const { keys, scram, acls, accounts } = setup();
    const issued = await accounts.create({ customerId: 'acme', channels: ['trades', 'enriched', 'bars'], symbols: ['AAPL'] });
    expect(issued).toEqual({
      customerId: 'acme',
      apiKey: 'tw_1',
      alpacaKeyId: 'TW1',
      alpacaSecret: 'secret1',
      kafkaUser: 'customer.acme',
      kafkaPassword: 'kafka-pw-1',
      kafkaGroupPrefix: 'customer.acme.',
      keyId: 'key_1',
      kafkaTopics: [TOPICS.bars1m, TOPICS.enriched],
    });
    expect(keys.records[0]).toMatchObject({ channels: ['trades', 'enriched', 'bars'], symbols: ['AAPL'], maxConnections: 5, maxSymbols: 100 });
    expect(scram.users.get('customer.acme')).toBe('kafka-pw-1');
    expect(acls.acls.map((a) => `${a.resourceType} ${a.resourceName} ${a.operation} ${a.patternType}`).sort()).toEqual([
      'GROUP customer.acme. READ PREFIXED',
      `TOPIC ${TOPICS.bars1m} DESCRIBE LITERAL`,
      `TOPIC ${TOPICS.bars1m} READ LITERAL`,
      `TOPIC ${TOPICS.enriched} DESCRIBE LITERAL`,
      `TOPIC ${TOPICS.enriched} READ LITERAL`,
    ]);
  });

  it('create refuses a customer that has an account, and a bad id before touching anything', async () => {
    const { keys, accounts } = setup();
    await accounts.create({ customerId: 'acme', channels: ['alerts'], symbols: ['*'] });
    await expect(accounts.create({ customerId: 'acme', channels: ['alerts'], symbols: ['*'] })).rejects.toThrow(CustomerAccountExistsError);
    await expect(accounts.create({ customerId: 'Acme!', channels: ['alerts'], symbols: ['*'] })).rejects.toThrow(InvalidCustomerIdError);
    expect(keys.records).toHaveLength(1);
  });

  it('create undoes the key and the Kafka user when a later step fails', async () => {
    const { keys, scram, acls, accounts } = setup();
    acls.failCreate = true;
    await expect(accounts.create({ customerId: 'acme', channels: ['alerts'], symbols: ['*'] })).rejects.toThrow('CLUSTER_AUTHORIZATION_FAILED');
    expect(keys.active('acme')).toEqual([]);
    expect(scram.users.size).toBe(0);
    acls.failCreate = false;
    // Nothing is left in the way of a second try.
    await expect(accounts.create({ customerId: 'acme', channels: ['alerts'], symbols: ['*'] })).resolves.toMatchObject({ kafkaUser: 'customer.acme' });
  });

  it('create passes the key store\'s validation errors through and leaves nothing', async () => {
    const { keys, scram, accounts } = setup();
    await expect(accounts.create({ customerId: 'acme', channels: [], symbols: ['*'] })).rejects.toThrow(InvalidApiKeyRequestError);
    expect(keys.records).toHaveLength(0);
    expect(scram.users.size).toBe(0);
  });

  it('rotate replaces every secret, keeps entitlements and limits, revokes the old key', async () => {
    const { keys, scram, acls, accounts } = setup();
    const first = await accounts.create({ customerId: 'acme', channels: ['enriched'], symbols: ['AAPL', 'MSFT'], maxConnections: 2, maxSymbols: 7, label: 'desk' });
    const aclsBefore = [...acls.acls];
    const second = await accounts.rotate('acme');
    expect(second.apiKey).not.toBe(first.apiKey);
    expect(second.alpacaKeyId).not.toBe(first.alpacaKeyId);
    expect(second.alpacaSecret).not.toBe(first.alpacaSecret);
    expect(second.kafkaPassword).not.toBe(first.kafkaPassword);
    expect(scram.users.get('customer.acme')).toBe(second.kafkaPassword);
    expect(keys.active('acme')).toEqual([second.keyId]);
    expect(keys.records[1]).toMatchObject({ channels: ['enriched'], symbols: ['AAPL', 'MSFT'], maxConnections: 2, maxSymbols: 7, label: 'desk' });
    expect(acls.acls).toEqual(aclsBefore);
  });

  it('rotate of a customer without an active key is refused', async () => {
    const { accounts } = setup();
    await expect(accounts.rotate('nobody')).rejects.toThrow(CustomerAccountNotFoundError);
  });

  it('rotate keeps the old key working when Kafka fails', async () => {
    const { keys, scram, accounts } = setup();
    const first = await accounts.create({ customerId: 'acme', channels: ['enriched'], symbols: ['*'] });
    scram.failUpsert = true;
    await expect(accounts.rotate('acme')).rejects.toThrow('broker unreachable');
    expect(keys.active('acme')).toEqual([first.keyId]);
  });

  it('revoke withdraws ACLs, Kafka user and every active key at once; a second revoke finds nothing', async () => {
    const { keys, scram, acls, accounts } = setup();
    const issued = await accounts.create({ customerId: 'acme', channels: ['enriched', 'alerts'], symbols: ['*'] });
    await accounts.create({ customerId: 'other', channels: ['bars'], symbols: ['*'] });
    await expect(accounts.revoke('acme')).resolves.toEqual({ customerId: 'acme', revokedKeyIds: [issued.keyId], deletedAcls: 5, kafkaUserDeleted: true });
    expect(keys.active('acme')).toEqual([]);
    expect(scram.users.has('customer.acme')).toBe(false);
    expect(await acls.listOf('User:customer.acme')).toEqual([]);
    expect(await acls.listOf('User:customer.other')).toHaveLength(3);
    await expect(accounts.revoke('acme')).rejects.toThrow(CustomerAccountNotFoundError);
  });

  it('list shows each customer with its status, key and Kafka reach', async () => {
    const { keys, accounts, scram } = setup();
    await accounts.create({ customerId: 'zeta', channels: ['alerts'], symbols: ['*'] });
    await accounts.create({ customerId: 'acme', channels: ['enriched'], symbols: ['AAPL'] });
    await accounts.revoke('zeta');
    await keys.create({ customerId: 'demo', channels: ['trades'], symbols: ['*'], maxConnections: 1, maxSymbols: 1 });
    scram.users.set('customer', 'shared'); // the stack's shared user is no customer account
    const list = await accounts.list();
    expect(list.map((a) => [a.customerId, a.status, a.kafkaUserExists, a.kafkaTopics])).toEqual([
      ['acme', 'active', true, [TOPICS.enriched]],
      ['demo', 'incomplete', false, []],
      ['zeta', 'revoked', false, []],
    ]);
    expect(list[0]).toMatchObject({ keyId: 'key_2', alpacaKeyId: 'TW2', channels: ['enriched'], symbols: ['AAPL'], kafkaUser: 'customer.acme', kafkaGroupPrefix: 'customer.acme.' });
  });
});

describe('generateKafkaPassword', () => {
  it('is 43 base64url characters, different each time', () => {
    const a = generateKafkaPassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateKafkaPassword()).not.toBe(a);
  });
});
