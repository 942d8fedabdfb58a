import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { DynamoDbTableSpec } from '@tickwire/resources';
import { Construct } from 'constructs';

/** Props of {@link DynamoDbTables}. */
export interface DynamoDbTablesProps {
  /** Table definitions, from `@tickwire/resources` `DYNAMODB_TABLES`. */
  readonly tables: readonly DynamoDbTableSpec[];
  readonly kmsKeyArn: string;
}

/**
 * One DynamoDB table per shared spec: on-demand capacity, point-in-time recovery, server-side
 * encryption with the customer-managed key, deletion protection, and TTL where the spec names one.
 * Table names are exactly the spec's (the services and the local stack use the same names).
 */
export class DynamoDbTables extends Construct {
  /** Table ARN by table name. */
  readonly tableArns: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: DynamoDbTablesProps) {
    super(scope, id);
    const arns = new Map<string, string>();
    for (const spec of props.tables) {
      const attributes = new Map<string, string>();
      const keep = (a: { name: string; type: string } | undefined): void => {
        if (a) attributes.set(a.name, a.type);
      };
      keep(spec.partitionKey);
      keep(spec.sortKey);
      for (const gsi of spec.globalSecondaryIndexes) {
        keep(gsi.partitionKey);
        keep(gsi.sortKey);
      }
      const table = new DynamodbTable(this, spec.tableName, {
        name: spec.tableName,
        billingMode: spec.billingMode,
        hashKey: spec.partitionKey.name,
        ...(spec.sortKey ? { rangeKey: spec.sortKey.name } : {}),
        attribute: [...attributes].map(([name, type]) => ({ name, type })),
        globalSecondaryIndex: spec.globalSecondaryIndexes.map((gsi) => ({
          name: gsi.indexName,
          hashKey: gsi.partitionKey.name,
          ...(gsi.sortKey ? { rangeKey: gsi.sortKey.name } : {}),
          projectionType: gsi.projection,
        })),
        pointInTimeRecovery: { enabled: spec.pointInTimeRecovery },
        serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
        deletionProtectionEnabled: true,
        ...(spec.ttlAttribute ? { ttl: { attributeName: spec.ttlAttribute, enabled: true } } : {}),
      });
      arns.set(spec.tableName, table.arn);
    }
    this.tableArns = arns;
  }
}
