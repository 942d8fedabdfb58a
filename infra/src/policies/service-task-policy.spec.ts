import { SERVICES, type ServiceSpec } from '../config/service-catalogue';
import { DYNAMODB_ACTIONS, serviceTaskStatements, type TaskPolicyResources } from './service-task-policy';

const resources: TaskPolicyResources = {
  tableArns: new Map([
    ['symbol-state', 'arn:aws:dynamodb:us-east-1:111122223333:table/symbol-state'],
    ['reference-daily-bars', 'arn:aws:dynamodb:us-east-1:111122223333:table/reference-daily-bars'],
    ['customer-api-keys', 'arn:aws:dynamodb:us-east-1:111122223333:table/customer-api-keys'],
  ]),
  archiveBucketArn: 'arn:aws:s3:::tickwire-archive-prod',
  searchDomainArn: 'arn:aws:es:us-east-1:111122223333:domain/tickwire-prod',
  kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234',
};
const service = (name: string): ServiceSpec => SERVICES.find((s) => s.name === name)!;

describe('serviceTaskStatements', () => {
  it('gives the gateway read-only item access to its two tables and the API-key index, and searches on the domain', () => {
    const [search, ...statements] = serviceTaskStatements(service('consumer-gateway'), resources).reverse();
    expect(search).toEqual({
      Sid: 'SearchQueries',
      Effect: 'Allow',
      Action: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost'],
      Resource: 'arn:aws:es:us-east-1:111122223333:domain/tickwire-prod/*',
    });
    statements.reverse();
    expect(
      statements
        .flatMap((s) => [s.Action].flat())
        .every((a) => (DYNAMODB_ACTIONS.read as readonly string[]).includes(a)),
    ).toBe(true);
    expect(statements.flatMap((s) => [s.Resource].flat())).toEqual([
      'arn:aws:dynamodb:us-east-1:111122223333:table/customer-api-keys',
      'arn:aws:dynamodb:us-east-1:111122223333:table/customer-api-keys/index/*',
      'arn:aws:dynamodb:us-east-1:111122223333:table/symbol-state',
    ]);
  });

  it('lets the archiver put objects under its prefixes only, with the key to encrypt them', () => {
    const statements = serviceTaskStatements(service('firehose-archiver'), resources);
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Resource: ['arn:aws:s3:::tickwire-archive-prod/raw/*', 'arn:aws:s3:::tickwire-archive-prod/errors/*'],
      }),
      expect.objectContaining({
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: resources.kmsKeyArn,
      }),
    ]);
  });

  it('lets the indexer write to the domain (PUT included)', () => {
    expect(serviceTaskStatements(service('opensearch-indexer'), resources)).toEqual([
      expect.objectContaining({ Sid: 'SearchIndexing', Action: expect.arrayContaining(['es:ESHttpPut']) }),
    ]);
  });

  it('gives the ingest producer nothing (Kafka is authorised by ACLs)', () => {
    expect(serviceTaskStatements(service('ingest-producer'), resources)).toEqual([]);
  });

  it('refuses a table the stack does not create', () => {
    const missing = { ...resources, tableArns: new Map<string, string>() };
    expect(() => serviceTaskStatements(service('enricher'), missing)).toThrow(/symbol-state/);
  });
});
