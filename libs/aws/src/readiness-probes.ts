import { DescribeTableCommand, type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Client as OpenSearchClient } from '@opensearch-project/opensearch';

/**
 * Readiness probes: each resolves with a small description of what answered, or rejects. Result
 * keys never use `status`, which @nestjs/terminus reserves for up/down.
 */

/**
 * DynamoDB answers: `DescribeTable` on `tableName` (the table must exist and be ACTIVE or UPDATING),
 * or `ListTables` (limit 1) when no table is named.
 *
 * @param timeoutMs abort the request after this many ms.
 * @throws Error when the endpoint does not answer, the table is missing, or it is not usable yet.
 */
export async function probeDynamoDb(
  client: DynamoDBClient,
  tableName?: string,
  timeoutMs = 3_000,
): Promise<{ table?: string; tableStatus?: string }> {
  const abortSignal = AbortSignal.timeout(timeoutMs);
  if (tableName === undefined) {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal });
    return {};
  }
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal });
  const tableStatus = Table?.TableStatus ?? 'UNKNOWN';
  if (tableStatus !== 'ACTIVE' && tableStatus !== 'UPDATING') {
    throw new Error(`DynamoDB table ${tableName} is ${tableStatus}`);
  }
  return { table: tableName, tableStatus };
}

/**
 * S3 answers: `HeadBucket` on `bucket` (exists and is accessible), or `ListBuckets` when no bucket
 * is named.
 *
 * @throws Error when the endpoint does not answer or the bucket is missing / forbidden.
 */
export async function probeS3(
  client: S3Client,
  bucket?: string,
  timeoutMs = 3_000,
): Promise<{ bucket?: string }> {
  const abortSignal = AbortSignal.timeout(timeoutMs);
  if (bucket === undefined) {
    await client.send(new ListBucketsCommand({}), { abortSignal });
    return {};
  }
  await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal });
  return { bucket };
}

/**
 * OpenSearch answers: `GET /_cluster/health` with a status of green or yellow (yellow is normal for a
 * single-node cluster, whose replicas cannot be assigned).
 *
 * @throws Error when the cluster does not answer or is red.
 */
export async function probeOpenSearch(
  client: OpenSearchClient,
  timeoutMs = 3_000,
): Promise<{ clusterStatus: string }> {
  const response = await client.cluster.health({}, { requestTimeout: timeoutMs, maxRetries: 0 });
  const status = String(response.body.status);
  if (status === 'red') {
    throw new Error('OpenSearch cluster health is red');
  }
  return { clusterStatus: status };
}
