import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsConnectionOptions, resolveCredentials } from './aws-connection-options';

/**
 * A DynamoDB client for `options` (endpoint override for DynamoDB Local). Opens no connection until
 * the first command. The SDK's standard retry mode (3 attempts, exponential backoff with jitter)
 * applies; callers on hot paths batch their writes.
 */
export function createDynamoDbClient(options: AwsConnectionOptions): DynamoDBClient {
  const credentials = resolveCredentials(options);
  return new DynamoDBClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
}

/**
 * A DocumentClient over `client`: plain JavaScript values in and out instead of AttributeValues.
 * `removeUndefinedValues` drops optional fields left undefined (DynamoDB rejects undefined);
 * numbers stay JavaScript numbers (prices are USD decimals well inside float64's exact range for
 * storage, and the contracts validate them).
 */
export function createDynamoDbDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}
