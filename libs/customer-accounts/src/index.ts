/**
 * Customer accounts: the API key, its Alpaca key id and secret, and a SCRAM-SHA-512 Kafka user of the
 * customer's own with ACLs for exactly its entitled topics and consumer-group prefix, issued, rotated
 * and withdrawn together (`npm run customers`). Locally the SCRAM user is made through the broker's
 * Admin API (kafka-configs); on MSK through Secrets Manager secrets associated with the cluster.
 */
export * from './customer-kafka-access';
export * from './customer-account-ports';
export * from './customer-accounts';
export * from './msk/msk-scram-users';
export * from './msk/aws-msk-scram-secrets';
