/**
 * Operator CLI for customer accounts: the API key, its Alpaca key id and secret, and the customer's
 * own SCRAM-SHA-512 Kafka user with ACLs for its entitled topics and group prefix, together
 * (@tickwire/customer-accounts). Run through the root package.json:
 *
 *   npm run customers -- create --customer acme --channels enriched,bars,alerts --symbols '*' [--json]
 *   npm run customers -- list [--json]
 *   npm run customers -- rotate --customer acme [--json]
 *   npm run customers -- revoke --customer acme [--json]
 *
 * Environment (defaults fit the local stack, shifted ports included):
 *   KAFKA_BROKERS       admin bootstrap, default 127.0.0.1:$KAFKA_PORT (9092, PLAINTEXT: a super user)
 *   KAFKA_SSL, KAFKA_SASL_MECHANISM/USERNAME/PASSWORD   an admin user's TLS/SCRAM (MSK), as the services'
 *   KAFKA_SCRAM_USERS   `kafka-admin` (default: AlterUserScramCredentials through the broker's
 *                       kafka-configs) or `msk` (AmazonMSK_ secrets in Secrets Manager associated with
 *                       the cluster; needs MSK_CLUSTER_ARN, MSK_CLUSTER_NAME, MSK_SECRETS_KMS_KEY_ID and
 *                       AWS credentials from the SDK's default chain)
 *   KAFKA_LIB_DIR       the Kafka distribution's jars, default the newest $TICKWIRE_CACHE_DIR/kafka-<v>/lib
 *   JAVA_HOME           the Java for kafka-configs (else `java` on PATH)
 *   DYNAMODB_ENDPOINT   default http://127.0.0.1:$DYNAMODB_PORT (8000); set it empty for AWS
 *   AWS_REGION (us-east-1), CUSTOMER_API_KEYS_TABLE (customer-api-keys)
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { createDynamoDbClient, createDynamoDbDocumentClient } from '@tickwire/aws';
import { AwsMskScramSecrets, CustomerAccounts, type CustomerAccountSummary, type IssuedCustomerAccount, MskScramUsers } from '@tickwire/customer-accounts';
import { CustomerApiKeyStore, KEY_CHANNELS, type KeyChannel } from '@tickwire/customer-keys';
import { createKafkaClient, findKafkaLibDir, KafkaAclAdmin, KafkaConfigsScramTool, SILENT_LOGGER } from '@tickwire/kafka';
import { CUSTOMER_API_KEYS_TABLE } from '@tickwire/resources';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be an integer >= 1');
  return parsed;
}

/** The variable's value. @throws Error naming the variable when it is unset or empty. */
function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} must be set with KAFKA_SCRAM_USERS=msk`);
  return value;
}

function list(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}

/** The accounts service on the configured stores, and how to close their clients. */
async function openAccounts(): Promise<{ accounts: CustomerAccounts; close: () => Promise<void> }> {
  const env = process.env;
  const scramMode = env['KAFKA_SCRAM_USERS'] ?? 'kafka-admin';
  if (scramMode !== 'kafka-admin' && scramMode !== 'msk') throw new Error(`KAFKA_SCRAM_USERS must be kafka-admin or msk, got "${scramMode}"`);
  const mskOptions =
    scramMode === 'msk'
      ? {
          clusterArn: required(env, 'MSK_CLUSTER_ARN'),
          clusterName: required(env, 'MSK_CLUSTER_NAME'),
          kmsKeyId: required(env, 'MSK_SECRETS_KMS_KEY_ID'),
        }
      : undefined;
  const brokers = env['KAFKA_BROKERS'] ?? `127.0.0.1:${env['KAFKA_PORT'] ?? '9092'}`;
  const kafkaLibDir = env['KAFKA_LIB_DIR'] || findKafkaLibDir(env['TICKWIRE_CACHE_DIR'] ?? join(homedir(), '.cache', 'tickwire'));
  if (!kafkaLibDir && !mskOptions) throw new Error('no Kafka distribution found: run `npm run stack:up` once, or set KAFKA_LIB_DIR to a Kafka libs/ folder');
  const javaBin = env['JAVA_HOME'] ? join(env['JAVA_HOME'], 'bin', 'java') : 'java';
  const mechanism = env['KAFKA_SASL_MECHANISM'];
  const kafka = createKafkaClient(
    {
      brokers: brokers.split(',').map((broker) => broker.trim()),
      clientId: 'tickwire-customers-cli',
      ssl: env['KAFKA_SSL'] === 'true',
      ...(mechanism === 'scram-sha-256' || mechanism === 'scram-sha-512'
        ? { sasl: { mechanism, username: env['KAFKA_SASL_USERNAME'] ?? '', password: env['KAFKA_SASL_PASSWORD'] ?? '' } }
        : {}),
    },
    SILENT_LOGGER,
  );
  const endpoint = env['DYNAMODB_ENDPOINT'] ?? `http://127.0.0.1:${env['DYNAMODB_PORT'] ?? '8000'}`;
  // With an endpoint and no AWS_ACCESS_KEY_ID, @tickwire/aws uses placeholder credentials (DynamoDB Local).
  const dynamo = createDynamoDbClient({ region: env['AWS_REGION'] ?? 'us-east-1', ...(endpoint ? { endpoint } : {}) });
  const keys = new CustomerApiKeyStore(createDynamoDbDocumentClient(dynamo), env['CUSTOMER_API_KEYS_TABLE'] ?? CUSTOMER_API_KEYS_TABLE.tableName);
  const acls = await KafkaAclAdmin.connect(kafka).catch((error: unknown) => {
    dynamo.destroy();
    throw error;
  });
  const scramUsers = mskOptions
    ? new MskScramUsers(new AwsMskScramSecrets(), mskOptions)
    : new KafkaConfigsScramTool({ javaBin, kafkaLibDir: kafkaLibDir ?? '', bootstrapServers: brokers });
  return {
    accounts: new CustomerAccounts(keys, scramUsers, acls),
    close: async () => {
      await acls.close();
      dynamo.destroy();
    },
  };
}

async function withAccounts(action: (accounts: CustomerAccounts) => Promise<void>): Promise<void> {
  const { accounts, close } = await openAccounts();
  try {
    await action(accounts);
  } finally {
    await close();
  }
}

function printIssued(account: IssuedCustomerAccount, json: boolean | undefined): void {
  if (json) {
    console.log(JSON.stringify(account));
    return;
  }
  console.log(`customer ${account.customerId} (API key ${account.keyId}); the secrets are shown this once, store them now:`);
  console.log(`  API key (x-api-key, /v1/stream, GraphQL): ${account.apiKey}`);
  console.log(`  Alpaca key id and secret (/v2/tickwire):  ${account.alpacaKeyId}  ${account.alpacaSecret}`);
  console.log(`  Kafka SCRAM-SHA-512 user and password:    ${account.kafkaUser}  ${account.kafkaPassword}`);
  console.log(`  Kafka consumer groups must start with:    ${account.kafkaGroupPrefix}`);
  console.log(`  Kafka topics (every symbol of each):      ${account.kafkaTopics.join(', ') || '(none)'}`);
}

function warnWithoutTopics(account: IssuedCustomerAccount): void {
  if (account.kafkaTopics.length === 0) {
    console.error('note: these channels grant no Kafka topic (trades and quotes are served by the gateway only; entitle enriched for market.enriched.v1)');
  }
}

function describe(summary: CustomerAccountSummary): Record<string, string> {
  return {
    customer: summary.customerId,
    status: summary.status,
    keyId: summary.keyId ?? '',
    alpacaKeyId: summary.alpacaKeyId ?? '',
    channels: summary.channels.join(','),
    symbols: summary.symbols.join(','),
    kafkaUser: summary.kafkaUserExists ? summary.kafkaUser : '',
    kafkaTopics: summary.kafkaTopics.join(','),
    created: summary.createdAt === undefined ? '' : new Date(summary.createdAt).toISOString(),
  };
}

const program = new Command('customers').description('Customer accounts: API key, Alpaca key id + secret and a Kafka user of their own, together');

program
  .command('create')
  .description('create the account; prints every credential once (only hashes and salted SCRAM credentials are stored)')
  .requiredOption('--customer <id>', 'customer id, lowercase letters, digits, hyphens')
  .requiredOption('--channels <list>', `comma-separated channels (${KEY_CHANNELS.join(', ')})`, list)
  .requiredOption('--symbols <list>', "comma-separated symbols, or '*' for all (gateway protocols only: Kafka grants whole topics)", list)
  .option('--max-connections <n>', 'simultaneous gateway connections of the customer', positiveInt, 5)
  .option('--max-symbols <n>', 'distinct symbols per gateway connection', positiveInt, 100)
  .option('--label <text>', 'free text, e.g. the customer system using it')
  .option('--json', 'print one JSON object')
  .action(async (options: { customer: string; channels: string[]; symbols: string[]; maxConnections: number; maxSymbols: number; label?: string; json?: boolean }) => {
    await withAccounts(async (accounts) => {
      const account = await accounts.create({
        customerId: options.customer,
        channels: options.channels as KeyChannel[],
        symbols: options.symbols,
        maxConnections: options.maxConnections,
        maxSymbols: options.maxSymbols,
        ...(options.label ? { label: options.label } : {}),
      });
      printIssued(account, options.json);
      warnWithoutTopics(account);
    });
  });

program
  .command('list')
  .description('list customers: status, newest active key, Kafka user and the topics its ACLs allow')
  .option('--all', 'also revoked customers')
  .option('--json', 'print JSON lines')
  .action(async (options: { all?: boolean; json?: boolean }) => {
    await withAccounts(async (accounts) => {
      const summaries = (await accounts.list()).filter((summary) => options.all || summary.status !== 'revoked');
      if (options.json) for (const summary of summaries) console.log(JSON.stringify(summary));
      else if (summaries.length === 0) console.log('no customers');
      else console.table(summaries.map(describe));
    });
  });

program
  .command('rotate')
  .description('replace every secret (new API key, Alpaca pair and Kafka password; same entitlements); the old ones stop working')
  .requiredOption('--customer <id>', 'customer id')
  .option('--json', 'print one JSON object')
  .action(async (options: { customer: string; json?: boolean }) => {
    await withAccounts(async (accounts) => printIssued(await accounts.rotate(options.customer), options.json));
  });

program
  .command('revoke')
  .description("withdraw everything at once: the Kafka user's ACLs and SCRAM credential, every API key with its Alpaca pair")
  .requiredOption('--customer <id>', 'customer id')
  .option('--json', 'print one JSON object')
  .action(async (options: { customer: string; json?: boolean }) => {
    await withAccounts(async (accounts) => {
      const revoked = await accounts.revoke(options.customer);
      if (options.json) console.log(JSON.stringify(revoked));
      else {
        console.log(
          `revoked ${revoked.customerId}: API keys ${revoked.revokedKeyIds.join(', ') || '(none active)'}, ` +
            `${revoked.deletedAcls} Kafka ACLs, Kafka user ${revoked.kafkaUserDeleted ? 'deleted' : '(none)'}`,
        );
      }
    });
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
