import { LOCAL_EMULATOR_CREDENTIALS, resolveCredentials } from './aws-connection-options';
import { createDynamoDbClient, createDynamoDbDocumentClient } from './dynamodb-client-factory';
import { createOpenSearchClient } from './opensearch-client-factory';
import { createS3Client } from './s3-client-factory';

describe('resolveCredentials', () => {
  it('uses placeholder credentials for a local endpoint without AWS_ACCESS_KEY_ID', () => {
    expect(resolveCredentials({ region: 'us-east-1', endpoint: 'http://127.0.0.1:8000' }, {})).toEqual(
      LOCAL_EMULATOR_CREDENTIALS,
    );
    expect(LOCAL_EMULATOR_CREDENTIALS.accessKeyId).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('leaves AWS to the default provider chain', () => {
    expect(resolveCredentials({ region: 'us-east-1' }, {})).toBeUndefined();
    expect(
      resolveCredentials(
        { region: 'us-east-1', endpoint: 'http://127.0.0.1:8000' },
        { AWS_ACCESS_KEY_ID: 'AKIA' },
      ),
    ).toBeUndefined();
  });

  it('prefers explicit credentials', () => {
    const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
    expect(resolveCredentials({ region: 'us-east-1', endpoint: 'http://x:1', credentials }, {})).toBe(
      credentials,
    );
  });
});

describe('client factories', () => {
  it('points S3 at a local endpoint with path-style addressing', async () => {
    const s3 = createS3Client({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9090' });
    expect(s3.config.forcePathStyle).toBe(true);
    expect(await s3.config.region()).toBe('eu-west-1');
    const endpoint = await s3.config.endpoint!();
    expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe('http://127.0.0.1:9090');
    s3.destroy();
  });

  it('keeps virtual-hosted S3 addressing against AWS', () => {
    const s3 = createS3Client({ region: 'us-east-1' });
    expect(s3.config.forcePathStyle).toBeFalsy();
    s3.destroy();
  });

  it('builds DynamoDB clients with the endpoint override and a DocumentClient that drops undefined', async () => {
    const client = createDynamoDbClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:8000' });
    const endpoint = await client.config.endpoint!();
    expect(endpoint.port).toBe(8000);
    const document = createDynamoDbDocumentClient(client);
    expect(document.config.translateConfig?.marshallOptions?.removeUndefinedValues).toBe(true);
    client.destroy();
  });

  it('builds an OpenSearch client for the URL', () => {
    const client = createOpenSearchClient({ url: 'http://127.0.0.1:9200' });
    expect(client.connectionPool.connections.map((connection) => connection.url.href)).toEqual([
      'http://127.0.0.1:9200/',
    ]);
  });
});
