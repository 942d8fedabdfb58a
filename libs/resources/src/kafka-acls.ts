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
 * An ALLOW binding of `principal` (`User:<name>`) from any host. Tickwire grants only ALLOWs: the
 * clusters run with `allow.everyone.if.no.acl.found=false`, so whatever is not allowed is denied.
 */
export function allowAcl(
  principal: string,
  resourceType: KafkaAclSpec['resourceType'],
  resourceName: string,
  operation: KafkaAclSpec['operation'],
  patternType: KafkaAclSpec['patternType'] = 'LITERAL',
): KafkaAclSpec {
  return { resourceType, resourceName, patternType, principal, host: '*', operation, permission: 'ALLOW' };
}

/**
 * ACLs of a read-only customer on the SASL/SCRAM listener: READ and DESCRIBE on the customer
 * topics (enriched, 1-minute bars, alerts) and READ on consumer groups prefixed `customer-`.
 * Nothing else is allowed: with `allow.everyone.if.no.acl.found=false` a write is denied.
 *
 * @param user SCRAM user name, e.g. `customer`.
 */
export function customerReadOnlyAcls(user: string): KafkaAclSpec[] {
  const principal = `User:${user}`;
  return [
    ...CUSTOMER_TOPICS.flatMap((topic) => (['READ', 'DESCRIBE'] as const).map((operation) => allowAcl(principal, 'TOPIC', topic, operation))),
    allowAcl(principal, 'GROUP', CUSTOMER_GROUP_PREFIX, 'READ', 'PREFIXED'),
  ];
}
