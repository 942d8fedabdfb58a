export * from './aws-connection-options';
export * from './dynamodb-client-factory';
export * from './s3-client-factory';
export * from './opensearch-client-factory';
export * from './readiness-probes';
export * from './opensearch-provisioner';
