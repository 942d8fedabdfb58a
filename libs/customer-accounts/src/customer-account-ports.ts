import type { AlpacaCredentials, CustomerApiKeyRecord, NewCustomerApiKey } from '@tickwire/customer-keys';
import type { KafkaAclSpec } from '@tickwire/resources';

/**
 * The API-key store as customer accounts use it; @tickwire/customer-keys' CustomerApiKeyStore
 * (DynamoDB `customer-api-keys`) implements it. Each created key carries its Alpaca key id and secret.
 */
export interface ApiKeyPort {
  /** Creates a key; returns the plain key and Alpaca secret once. Throws InvalidApiKeyRequestError on invalid input. */
  create(request: NewCustomerApiKey): Promise<{ key: string; alpaca: AlpacaCredentials; record: CustomerApiKeyRecord }>;
  /** Every key of one customer, revoked ones included, oldest first. */
  listByCustomer(customerId: string): Promise<CustomerApiKeyRecord[]>;
  /** Every key of every customer. */
  listAll(): Promise<CustomerApiKeyRecord[]>;
  /** Revokes one key (idempotent); null when the customer has no such key. */
  revoke(customerId: string, keyId: string): Promise<CustomerApiKeyRecord | null>;
}

/**
 * SCRAM-SHA-512 users of the Kafka cluster. Locally @tickwire/kafka's KafkaConfigsScramTool
 * (AlterUserScramCredentials through the broker's kafka-configs); on MSK {@link MskScramUsers}
 * (Secrets Manager secrets associated with the cluster).
 */
export interface ScramUserPort {
  /** Creates the user with `password`, or replaces its password. */
  upsert(user: string, password: string): Promise<void>;
  /** Deletes the user; false when it did not exist. */
  delete(user: string): Promise<boolean>;
  /** Every SCRAM user name, sorted. */
  listUsers(): Promise<string[]>;
}

/** Kafka ACLs by principal; @tickwire/kafka's KafkaAclAdmin (kafkajs Admin API) implements it, locally and on MSK. */
export interface KafkaAclPort {
  /** Creates ACLs (existing ones are a no-op). */
  create(specs: readonly KafkaAclSpec[]): Promise<void>;
  /** Every ACL of `principal` (`User:<name>`). */
  listOf(principal: string): Promise<KafkaAclSpec[]>;
  /** Deletes every ACL of `principal`; returns how many there were. */
  deleteAllOf(principal: string): Promise<number>;
}
