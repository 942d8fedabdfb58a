import { CUSTOMER_TOPICS } from '@tickwire/contracts';

/**
 * A Kafka ACL binding, independent of any client library (kafkajs admin locally, MSK via
 * `kafka-acls` or Terraform in the cloud). Field values use Kafka's own enum names.
 */
export interface KafkaAclSpec {
  readonly resourceType: 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID';
  readonly resourceName: string;
  readonly patternType: 'LITERAL' | 'PREFIXED';
  /** `User:<name>`. */
  readonly principal: string;
  readonly host: string;
  readonly operation: 'READ' | 'WRITE' | 'DESCRIBE' | 'CREATE' | 'ALL';
  readonly permission: 'ALLOW' | 'DENY';
}

/** Consumer groups of customers must start with this prefix, so one ACL covers them all. */
export const CUSTOMER_GROUP_PREFIX = 'customer-';

/**
 * ACLs of a read-only customer on the SASL/SCRAM listener: READ and DESCRIBE on the customer
 * topics (enriched, 1-minute bars, alerts) and READ on consumer groups prefixed `customer-`.
 * Nothing else is allowed: with `allow.everyone.if.no.acl.found=false` a write is denied.
 *
 * @param user SCRAM user name, e.g. `customer`.
 */
export function customerReadOnlyAcls(user: string): KafkaAclSpec[] {
  const principal = `User:${user}`;
  const topicAcls = CUSTOMER_TOPICS.flatMap((topic) =>
    (['READ', 'DESCRIBE'] as const).map(
      (operation): KafkaAclSpec => ({
        resourceType: 'TOPIC',
        resourceName: topic,
        patternType: 'LITERAL',
        principal,
        host: '*',
        operation,
        permission: 'ALLOW',
      }),
    ),
  );
  return [
    ...topicAcls,
    {
      resourceType: 'GROUP',
      resourceName: CUSTOMER_GROUP_PREFIX,
      patternType: 'PREFIXED',
      principal,
      host: '*',
      operation: 'READ',
      permission: 'ALLOW',
    },
  ];
}
