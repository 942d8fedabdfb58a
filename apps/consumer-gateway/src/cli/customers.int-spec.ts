import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TOPICS } from '@tickwire/contracts';
import { createCustomerKafka, resolveStackConfig, uniqueName } from '@tickwire/testing';

/**
 * `npm run customers` as an operator runs it (the CLI process, on the local stack): `create --json`
 * prints one object with every credential, and those credentials log in; list, rotate and revoke
 * answer; a second revoke exits 1. The authorization itself is tested in
 * libs/customer-accounts/src/customer-accounts.int-spec.ts.
 */
describe('npm run customers (the CLI)', () => {
  const root = join(__dirname, '..', '..', '..', '..');
  const config = resolveStackConfig();
  const customerId = uniqueName('it-cli');

  /** Runs the CLI with the stack's environment; resolves with stdout, or rejects with the exit code. */
  async function customers(...args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules', '.bin', 'tsx'),
      ['--tsconfig', join(root, 'tsconfig.base.json'), join(root, 'apps', 'consumer-gateway', 'src', 'cli', 'customers.ts'), ...args],
      {
        cwd: root,
        timeout: 60_000,
        env: { ...process.env, KAFKA_PORT: String(config.ports.kafka), DYNAMODB_PORT: String(config.ports.dynamodb), TICKWIRE_CACHE_DIR: config.cacheDir },
      },
    );
    return stdout;
  }

  afterAll(async () => {
    await customers('revoke', '--customer', customerId).catch(() => undefined);
  });

  it('create --json, list --json, rotate --json, revoke; the issued Kafka credentials log in until revoked', async () => {
    const created = JSON.parse(await customers('create', '--customer', customerId, '--channels', 'enriched,alerts', '--symbols', 'AAPL', '--json')) as Record<string, unknown>;
    expect(Object.keys(created)).toEqual([
      'customerId', 'apiKey', 'alpacaKeyId', 'alpacaSecret', 'kafkaUser', 'kafkaPassword', 'kafkaGroupPrefix', 'keyId', 'kafkaTopics',
    ]);
    expect(created).toMatchObject({
      customerId,
      kafkaUser: `customer.${customerId}`,
      kafkaGroupPrefix: `customer.${customerId}.`,
      kafkaTopics: [TOPICS.alerts, TOPICS.enriched],
    });

    const admin = createCustomerKafka('it-cli', { user: String(created['kafkaUser']), password: String(created['kafkaPassword']) }).admin();
    await admin.connect();
    await admin.disconnect();

    const listed = (await customers('list', '--json')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(listed.find((account) => account['customerId'] === customerId)).toMatchObject({ status: 'active', keyId: created['keyId'] });

    const rotated = JSON.parse(await customers('rotate', '--customer', customerId, '--json')) as Record<string, unknown>;
    expect(rotated['kafkaPassword']).not.toBe(created['kafkaPassword']);
    expect(rotated['apiKey']).not.toBe(created['apiKey']);

    expect(await customers('revoke', '--customer', customerId)).toMatch(/^revoked /);
    const login = createCustomerKafka('it-cli', { user: String(rotated['kafkaUser']), password: String(rotated['kafkaPassword']) }).admin();
    await expect(login.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    await expect(customers('revoke', '--customer', customerId)).rejects.toMatchObject({ code: 1 });
  });
});
