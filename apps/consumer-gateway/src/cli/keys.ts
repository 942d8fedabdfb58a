/**
 * Operator CLI for customers' API keys in DynamoDB `customer-api-keys`.
 *
 *   npx tsx apps/consumer-gateway/src/cli/keys.ts create --customer acme --channels enriched,bars --symbols '*' --max-connections 5 --max-symbols 100
 *   npx tsx apps/consumer-gateway/src/cli/keys.ts list [--customer acme] [--json]
 *   npx tsx apps/consumer-gateway/src/cli/keys.ts revoke --customer acme --key-id key_0123456789ab
 *   npx tsx apps/consumer-gateway/src/cli/keys.ts alpaca --customer acme --key-id key_0123456789ab
 *
 * Environment: AWS_REGION (us-east-1), DYNAMODB_ENDPOINT (http://127.0.0.1:8000, the local stack; set
 * it empty for AWS), CUSTOMER_API_KEYS_TABLE (customer-api-keys). The plain key and the Alpaca secret (for
 * `/v2/tickwire`, same entitlements as the key) are printed once, by create; `alpaca` issues a new
 * Alpaca key id and secret for an existing key (the old pair stops working).
 */
import { Command, InvalidArgumentError } from 'commander';
import { createDynamoDbClient, createDynamoDbDocumentClient } from '@tickwire/aws';
import { CustomerApiKeyStore, type CustomerApiKeyRecord, KEY_CHANNELS, type KeyChannel } from '@tickwire/customer-keys';
import { CUSTOMER_API_KEYS_TABLE } from '@tickwire/resources';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be an integer >= 1');
  return parsed;
}

function list(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}

function openStore(): { store: CustomerApiKeyStore; close: () => void } {
  const endpoint = process.env['DYNAMODB_ENDPOINT'] ?? 'http://127.0.0.1:8000';
  // With an endpoint and no AWS_ACCESS_KEY_ID, @tickwire/aws uses placeholder credentials (DynamoDB Local).
  const client = createDynamoDbClient({ region: process.env['AWS_REGION'] ?? 'us-east-1', ...(endpoint ? { endpoint } : {}) });
  const store = new CustomerApiKeyStore(createDynamoDbDocumentClient(client), process.env['CUSTOMER_API_KEYS_TABLE'] ?? CUSTOMER_API_KEYS_TABLE.tableName);
  return { store, close: () => client.destroy() };
}

function describe(record: CustomerApiKeyRecord): Record<string, string | number> {
  return {
    keyId: record.keyId,
    customer: record.customerId,
    channels: record.channels.join(','),
    symbols: record.symbols.join(','),
    maxConnections: record.maxConnections,
    maxSymbols: record.maxSymbols,
    created: new Date(record.createdAt).toISOString(),
    revoked: record.revokedAt === undefined ? '' : new Date(record.revokedAt).toISOString(),
    label: record.label ?? '',
    alpacaKeyId: record.alpacaKeyId ?? '',
  };
}

const program = new Command('keys').description("Manage customers' API keys of the consumer gateway");

program
  .command('create')
  .description('create a key and its Alpaca key id + secret; prints them once (only SHA-256 hashes are stored)')
  .requiredOption('--customer <id>', 'customer id, lowercase letters, digits, hyphens')
  .requiredOption('--channels <list>', `comma-separated channels (${KEY_CHANNELS.join(', ')})`, list)
  .option('--symbols <list>', "comma-separated symbols, or '*' for all", list, ['*'])
  .option('--max-connections <n>', 'simultaneous connections of the customer', positiveInt, 5)
  .option('--max-symbols <n>', 'distinct symbols per connection', positiveInt, 100)
  .option('--label <text>', 'free text, e.g. the customer system using it')
  .option('--json', 'print JSON')
  .action(async (options: { customer: string; channels: string[]; symbols: string[]; maxConnections: number; maxSymbols: number; label?: string; json?: boolean }) => {
    const { store, close } = openStore();
    try {
      const { key, alpaca, record } = await store.create({
        customerId: options.customer,
        channels: options.channels as KeyChannel[],
        symbols: options.symbols,
        maxConnections: options.maxConnections,
        maxSymbols: options.maxSymbols,
        ...(options.label ? { label: options.label } : {}),
      });
      if (options.json) console.log(JSON.stringify({ key, ...describe(record), alpacaSecret: alpaca.secret }));
      else {
        console.log(`API key (shown once, store it now): ${key}`);
        console.log(`Alpaca key id: ${alpaca.keyId}  secret (shown once): ${alpaca.secret}`);
        console.table([describe(record)]);
      }
    } finally {
      close();
    }
  });

program
  .command('list')
  .description('list keys (hashes are never shown; keys are identified by keyId)')
  .option('--customer <id>', 'only this customer')
  .option('--json', 'print JSON lines')
  .action(async (options: { customer?: string; json?: boolean }) => {
    const { store, close } = openStore();
    try {
      const records = options.customer ? await store.listByCustomer(options.customer) : await store.listAll();
      if (options.json) for (const record of records) console.log(JSON.stringify(describe(record)));
      else if (records.length === 0) console.log('no keys');
      else console.table(records.map(describe));
    } finally {
      close();
    }
  });

program
  .command('revoke')
  .description('revoke a key (gateways stop accepting it within API_KEY_CACHE_TTL_MS)')
  .requiredOption('--customer <id>', 'customer id')
  .requiredOption('--key-id <id>', 'keyId from list, e.g. key_0123456789ab')
  .action(async (options: { customer: string; keyId: string }) => {
    const { store, close } = openStore();
    try {
      const record = await store.revoke(options.customer, options.keyId);
      if (!record) {
        console.error(`customer ${options.customer} has no key ${options.keyId}`);
        process.exitCode = 1;
        return;
      }
      console.log(`revoked ${record.keyId} of ${record.customerId} at ${new Date(record.revokedAt ?? Date.now()).toISOString()}`);
    } finally {
      close();
    }
  });

program
  .command('alpaca')
  .description('issue a new Alpaca key id + secret for a key (for /v2/tickwire); the previous pair stops working')
  .requiredOption('--customer <id>', 'customer id')
  .requiredOption('--key-id <id>', 'keyId from list, e.g. key_0123456789ab')
  .option('--json', 'print JSON')
  .action(async (options: { customer: string; keyId: string; json?: boolean }) => {
    const { store, close } = openStore();
    try {
      const issued = await store.issueAlpacaCredentials(options.customer, options.keyId);
      if (!issued) {
        console.error(`customer ${options.customer} has no key ${options.keyId}`);
        process.exitCode = 1;
        return;
      }
      if (options.json) console.log(JSON.stringify({ ...describe(issued.record), alpacaSecret: issued.alpaca.secret }));
      else console.log(`Alpaca key id: ${issued.alpaca.keyId}  secret (shown once): ${issued.alpaca.secret}`);
    } finally {
      close();
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
