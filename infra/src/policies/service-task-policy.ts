import type { PolicyStatement } from '../core/policy-document';
import type { ServiceSpec } from '../config/service-catalogue';

/** DynamoDB actions per access level: item-level data-plane calls only (no scans, no table admin). */
export const DYNAMODB_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  'read-write': [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:BatchWriteItem',
  ],
} as const;

/** The ARNs a service's task role may be granted; each is looked up only if the service needs it. */
export interface TaskPolicyResources {
  /** Table ARN by table name. */
  readonly tableArns: ReadonlyMap<string, string>;
  readonly archiveBucketArn: string;
  readonly searchDomainArn: string;
  readonly kmsKeyArn: string;
}

/**
 * Identity-policy statements of a service's ECS task role, derived from its catalogue entry: only the
 * actions it calls, only on the resources it uses (tables and their indexes, archive prefixes, the
 * search domain's paths: PUT only for a service that indexes). Kafka access is not here: services authenticate with SASL/SCRAM and are
 * authorised by Kafka ACLs (see service-kafka-acls.ts).
 *
 * @returns an empty list for a service that touches no AWS data service (ingest-producer).
 * @throws Error when the service names a table that is not deployed.
 */
export function serviceTaskStatements(
  service: ServiceSpec,
  resources: TaskPolicyResources,
): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  for (const access of service.tables) {
    const arn = resources.tableArns.get(access.tableName);
    if (!arn)
      throw new Error(`${service.name} uses table ${access.tableName}, which the stack does not create`);
    statements.push({
      Sid: sid(`Table ${access.tableName}`),
      Effect: 'Allow',
      Action: [...DYNAMODB_ACTIONS[access.access]],
      Resource: access.indexes ? [arn, `${arn}/index/*`] : [arn],
    });
  }
  if (service.archiveWritePrefixes.length > 0) {
    statements.push(
      {
        Sid: 'ArchiveWrite',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Resource: service.archiveWritePrefixes.map((prefix) => `${resources.archiveBucketArn}/${prefix}/*`),
      },
      {
        // SSE-KMS: PutObject needs a data key; multipart completion decrypts it again.
        Sid: 'ArchiveEncryption',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: resources.kmsKeyArn,
      },
    );
  }
  if (service.search !== 'none') {
    const writes = service.search === 'write';
    // Index-level rights are enforced by OpenSearch FGAC (the role's backend-role mapping).
    statements.push({
      Sid: writes ? 'SearchIndexing' : 'SearchQueries',
      Effect: 'Allow',
      // Bulk indexing and template checks; searches are POSTs (`_search` with a body), GET/HEAD read
      // cluster health and check indices.
      Action: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', ...(writes ? ['es:ESHttpPut'] : [])],
      Resource: `${resources.searchDomainArn}/*`,
    });
  }
  return statements;
}

/** IAM Sids are alphanumeric: `Table symbol-state` -> `TableSymbolState`. */
function sid(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
