/**
 * Definitions of the platform's resources — Kafka topics and ACLs, DynamoDB tables, OpenSearch index
 * templates, the S3 archive layout — shared by the local stack's provisioning (tools/stack) and the
 * cloud infrastructure (infra/), so both create the same thing. No client libraries here.
 */
export * from './kafka-topics';
export * from './kafka-acls';
export * from './dynamodb-tables';
export * from './opensearch-indices';
export * from './s3-archive';
