import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
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
  /** `<table>/<index>` of each GSI added to an existing table. */
  readonly createdIndexes: string[];
}

/** How long to wait for a GSI added to an existing table to become ACTIVE (DynamoDB Local: about a second). */
const INDEX_ACTIVE_TIMEOUT_MS = 60_000;

/**
 * Creates each table that does not exist (and waits until it is ACTIVE), then enables TTL where the
 * spec names an attribute. An existing table gets the GSIs of its spec that it lacks (one UpdateTable
 * each, waited for until ACTIVE: DynamoDB creates one index at a time), so a stack provisioned before
 * an index was added to the spec keeps working; nothing else of an existing table is changed.
 *
 * @throws Error from the SDK when DynamoDB rejects a request.
 */
export async function provisionDynamoDb(
  client: DynamoDBClient,
  tables: readonly DynamoDbTableSpec[],
): Promise<DynamoDbProvisionReport> {
  const created: string[] = [];
  const existing: string[] = [];
  const createdIndexes: string[] = [];
  for (const spec of tables) {
    const description = await describeTable(client, spec.tableName);
    if (description) {
      existing.push(spec.tableName);
      for (const index of await addMissingIndexes(client, spec, description)) createdIndexes.push(`${spec.tableName}/${index}`);
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
  return { createdTables: created, existingTables: existing, createdIndexes };
}

async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | null> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table ?? null;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return null;
    throw error;
  }
}

async function addMissingIndexes(client: DynamoDBClient, spec: DynamoDbTableSpec, description: TableDescription): Promise<string[]> {
  const present = new Set((description.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const wanted = createTableInput(spec);
  const added: string[] = [];
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    if (present.has(index.IndexName)) continue;
    const keyNames = new Set(index.KeySchema?.map((key) => key.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: spec.tableName,
        AttributeDefinitions: wanted.AttributeDefinitions?.filter((attribute) => keyNames.has(attribute.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } }],
      }),
    );
    await waitUntilIndexActive(client, spec.tableName, index.IndexName ?? '');
    added.push(index.IndexName ?? '');
  }
  return added;
}

async function waitUntilIndexActive(client: DynamoDBClient, tableName: string, indexName: string): Promise<void> {
  const deadline = Date.now() + INDEX_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const table = await describeTable(client, tableName);
    const status = table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === indexName)?.IndexStatus;
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`GSI ${tableName}/${indexName} not ACTIVE within ${INDEX_ACTIVE_TIMEOUT_MS} ms (status ${status ?? 'missing'})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
