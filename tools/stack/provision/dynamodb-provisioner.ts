import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDbAttribute, DynamoDbTableSpec } from '@tickwire/resources';

/**
 * CreateTable input for a client-neutral table spec: key schema, attribute definitions of every key
 * (table and GSIs, each once), GSIs and on-demand billing. Point-in-time recovery is a cloud setting
 * (infra/); DynamoDB Local has no backups.
 */
export function createTableInput(spec: DynamoDbTableSpec): CreateTableCommandInput {
  const attributes = new Map<string, DynamoDbAttribute>();
  const keySchema = (partitionKey: DynamoDbAttribute, sortKey?: DynamoDbAttribute) => {
    attributes.set(partitionKey.name, partitionKey);
    if (sortKey) attributes.set(sortKey.name, sortKey);
    return [
      { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
      ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
    ];
  };
  const tableKeys = keySchema(spec.partitionKey, spec.sortKey);
  const indexes = spec.globalSecondaryIndexes.map((index) => ({
    IndexName: index.indexName,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: index.projection },
  }));
  const definitions: AttributeDefinition[] = [...attributes.values()].map((attribute) => ({
    AttributeName: attribute.name,
    AttributeType: attribute.type,
  }));
  return {
    TableName: spec.tableName,
    KeySchema: tableKeys,
    AttributeDefinitions: definitions,
    BillingMode: spec.billingMode,
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

/** What provisioning did to DynamoDB. */
export interface DynamoDbProvisionReport {
  readonly createdTables: string[];
  readonly existingTables: string[];
}

/**
 * Creates each table that does not exist (and waits until it is ACTIVE), then enables TTL where the
 * spec names an attribute. Existing tables are left as they are.
 *
 * @throws Error from the SDK when DynamoDB rejects a request.
 */
export async function provisionDynamoDb(
  client: DynamoDBClient,
  tables: readonly DynamoDbTableSpec[],
): Promise<DynamoDbProvisionReport> {
  const created: string[] = [];
  const existing: string[] = [];
  for (const spec of tables) {
    if (await tableExists(client, spec.tableName)) {
      existing.push(spec.tableName);
      continue;
    }
    await client.send(new CreateTableCommand(createTableInput(spec)));
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: spec.tableName });
    if (spec.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: spec.tableName,
          TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
        }),
      );
    }
    created.push(spec.tableName);
  }
  return { createdTables: created, existingTables: existing };
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}
