import { ARCHIVE_BUCKET, SYMBOL_STATE_TABLE } from '@tickwire/resources';
import { createDynamoDbClient } from './dynamodb-client-factory';
import { createOpenSearchClient } from './opensearch-client-factory';
import { probeDynamoDb, probeOpenSearch, probeS3 } from './readiness-probes';
import { createS3Client } from './s3-client-factory';

/** The local stack (exported by libs/testing's Jest globalSetup); port 9 on loopback refuses connections. */
const env = process.env;
const region = env['AWS_REGION'] ?? 'us-east-1';
const CLOSED = 'http://127.0.0.1:9';

describe('readiness probes on the local stack', () => {
  const dynamoDb = createDynamoDbClient({
    region,
    endpoint: env['DYNAMODB_ENDPOINT'] ?? 'http://127.0.0.1:8000',
  });
  const s3 = createS3Client({ region, endpoint: env['S3_ENDPOINT'] ?? 'http://127.0.0.1:9090' });
  const openSearch = createOpenSearchClient({ url: env['OPENSEARCH_URL'] ?? 'http://127.0.0.1:9200' });

  afterAll(async () => {
    dynamoDb.destroy();
    s3.destroy();
    await openSearch.close();
  });

  it('DynamoDB: lists tables, describes a provisioned table, fails on a missing one', async () => {
    await expect(probeDynamoDb(dynamoDb)).resolves.toEqual({});
    await expect(probeDynamoDb(dynamoDb, SYMBOL_STATE_TABLE.tableName)).resolves.toEqual({
      table: 'symbol-state',
      tableStatus: 'ACTIVE',
    });
    await expect(probeDynamoDb(dynamoDb, 'no-such-table-tickwire')).rejects.toThrow(
      /not found|non-existent|ResourceNotFound/i,
    );
  });

  it('S3: heads the archive bucket, fails on a missing one', async () => {
    await expect(probeS3(s3)).resolves.toEqual({});
    await expect(probeS3(s3, env['ARCHIVE_BUCKET'] ?? ARCHIVE_BUCKET)).resolves.toEqual({
      bucket: env['ARCHIVE_BUCKET'] ?? ARCHIVE_BUCKET,
    });
    await expect(probeS3(s3, 'no-such-bucket-tickwire')).rejects.toThrow();
  });

  it('OpenSearch: reports the cluster status', async () => {
    const { clusterStatus } = await probeOpenSearch(openSearch);
    expect(['green', 'yellow']).toContain(clusterStatus);
  });

  it('every probe rejects when its endpoint does not answer', async () => {
    const deadDynamoDb = createDynamoDbClient({ region, endpoint: CLOSED });
    const deadS3 = createS3Client({ region, endpoint: CLOSED });
    const deadOpenSearch = createOpenSearchClient({ url: CLOSED, maxRetries: 0 });
    try {
      await expect(probeDynamoDb(deadDynamoDb, undefined, 2_000)).rejects.toThrow();
      await expect(probeS3(deadS3, undefined, 2_000)).rejects.toThrow();
      await expect(probeOpenSearch(deadOpenSearch, 2_000)).rejects.toThrow();
    } finally {
      deadDynamoDb.destroy();
      deadS3.destroy();
      await deadOpenSearch.close();
    }
  });
});
