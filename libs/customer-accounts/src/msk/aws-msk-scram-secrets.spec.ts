import { Readable } from 'node:stream';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsMskScramSecrets } from './aws-msk-scram-secrets';

/** An HTTP request as the SDK's handler receives it (the fields this test reads). */
interface SentRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const textOf = (body: string | Uint8Array): string => (typeof body === 'string' ? body : new TextDecoder().decode(body));

/**
 * The real SDK clients (serialization, signing, deserialization) with an HTTP handler that records each
 * request and answers with the next canned JSON body: this checks the wire requests the adapter makes,
 * as the Secrets Manager and MSK API references define them, without an AWS account.
 */
function clientsAnswering(answers: unknown[]): { sent: SentRequest[]; adapter: AwsMskScramSecrets } {
  const sent: SentRequest[] = [];
  const requestHandler = {
    handle: async (request: SentRequest) => {
      sent.push({ method: request.method, path: request.path, headers: request.headers, ...(request.body !== undefined ? { body: textOf(request.body) } : {}) });
      const body = JSON.stringify(answers.shift() ?? {});
      return { response: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Readable.from([Buffer.from(body)]) } };
    },
  };
  const common = { region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, requestHandler, maxAttempts: 1 };
  return { sent, adapter: new AwsMskScramSecrets({ secretsManager: new SecretsManagerClient(common), kafka: new KafkaClient(common) }) };
}

const CLUSTER = 'arn:aws:kafka:us-east-1:111122223333:cluster/tickwire-prod/abc';
const SECRET = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:AmazonMSK_tickwire-prod_customer.acme-AbCdEf';

describe('AwsMskScramSecrets (the SDK adapter of the MSK path)', () => {
  it('CreateSecret under the customer-managed key, returning the ARN', async () => {
    const { sent, adapter } = clientsAnswering([{ ARN: SECRET, Name: 'AmazonMSK_tickwire-prod_customer.acme' }]);
    await expect(
      adapter.createSecret({ name: 'AmazonMSK_tickwire-prod_customer.acme', kmsKeyId: 'alias/tickwire', secretString: '{"username":"customer.acme","password":"p"}', description: 'd' }),
    ).resolves.toBe(SECRET);
    expect(sent[0]!.headers['x-amz-target']).toBe('secretsmanager.CreateSecret');
    expect(JSON.parse(sent[0]!.body as string)).toMatchObject({
      Name: 'AmazonMSK_tickwire-prod_customer.acme',
      KmsKeyId: 'alias/tickwire',
      SecretString: '{"username":"customer.acme","password":"p"}',
      Description: 'd',
    });
    expect(sent[0]!.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/secretsmanager\/aws4_request/);
  });

  it('PutSecretValue and DeleteSecret with the recovery window', async () => {
    const { sent, adapter } = clientsAnswering([{ ARN: SECRET }, { ARN: SECRET }]);
    await adapter.putSecretValue(SECRET, 'v2');
    await adapter.deleteSecret(SECRET, 7);
    expect(sent.map((r) => r.headers['x-amz-target'])).toEqual(['secretsmanager.PutSecretValue', 'secretsmanager.DeleteSecret']);
    expect(JSON.parse(sent[0]!.body as string)).toMatchObject({ SecretId: SECRET, SecretString: 'v2' });
    expect(JSON.parse(sent[1]!.body as string)).toEqual({ SecretId: SECRET, RecoveryWindowInDays: 7 });
  });

  it('ListSecrets by name prefix over every page, keeping real prefix matches', async () => {
    const { sent, adapter } = clientsAnswering([
      { SecretList: [{ Name: 'AmazonMSK_tickwire-prod_customer.acme', ARN: SECRET }], NextToken: 't1' },
      { SecretList: [{ Name: 'AmazonMSK_tickwire-prod_customer.zeta', ARN: `${SECRET}2` }, { Name: 'other', ARN: 'x' }] },
    ]);
    await expect(adapter.listSecrets('AmazonMSK_tickwire-prod_')).resolves.toEqual([
      { name: 'AmazonMSK_tickwire-prod_customer.acme', arn: SECRET },
      { name: 'AmazonMSK_tickwire-prod_customer.zeta', arn: `${SECRET}2` },
    ]);
    expect(sent).toHaveLength(2);
    expect(JSON.parse(sent[0]!.body as string)).toMatchObject({ Filters: [{ Key: 'name', Values: ['AmazonMSK_tickwire-prod_'] }] });
    expect(JSON.parse(sent[1]!.body as string)).toMatchObject({ NextToken: 't1' });
  });

  it('BatchAssociateScramSecret / BatchDisassociateScramSecret on the cluster, with what MSK did not process', async () => {
    const { sent, adapter } = clientsAnswering([
      // MSK's REST API names its JSON fields in lowerCamelCase on the wire.
      { clusterArn: CLUSTER, unprocessedScramSecrets: [] },
      { clusterArn: CLUSTER, unprocessedScramSecrets: [{ secretArn: SECRET, errorCode: 'ValidationException', errorMessage: 'not associated' }] },
    ]);
    await expect(adapter.associate(CLUSTER, [SECRET])).resolves.toEqual([]);
    await expect(adapter.disassociate(CLUSTER, [SECRET])).resolves.toEqual([
      { secretArn: SECRET, errorCode: 'ValidationException', errorMessage: 'not associated' },
    ]);
    expect(sent.map((r) => `${r.method} ${decodeURIComponent(r.path)}`)).toEqual([
      `POST /v1/clusters/${CLUSTER}/scram-secrets`,
      `PATCH /v1/clusters/${CLUSTER}/scram-secrets`,
    ]);
    expect(JSON.parse(sent[0]!.body as string)).toEqual({ secretArnList: [SECRET] });
  });
});
