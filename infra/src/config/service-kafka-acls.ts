import { allowAcl, type KafkaAclSpec } from '@tickwire/resources';
import { serviceScramUser, type ServiceSpec } from './service-catalogue';

/**
 * Kafka ACLs of a service's SCRAM user, derived from the catalogue: READ+DESCRIBE on what it consumes,
 * WRITE+DESCRIBE on what it produces, READ on its consumer group (literal, or prefixed when the
 * catalogue says so) and on its restore groups (prefixed), WRITE+DESCRIBE on its
 * transactional ids (prefixed). Nothing else: the cluster runs with `allow.everyone.if.no.acl.found=false`.
 */
export function serviceKafkaAcls(service: ServiceSpec): KafkaAclSpec[] {
  const principal = `User:${serviceScramUser(service.name)}`;
  const allow = (
    resourceType: KafkaAclSpec['resourceType'],
    resourceName: string,
    operation: KafkaAclSpec['operation'],
    patternType: KafkaAclSpec['patternType'] = 'LITERAL',
  ): KafkaAclSpec => allowAcl(principal, resourceType, resourceName, operation, patternType);

  const acls: KafkaAclSpec[] = [
    ...service.consumes.flatMap((t) => [allow('TOPIC', t, 'READ'), allow('TOPIC', t, 'DESCRIBE')]),
    ...service.produces.flatMap((t) => [allow('TOPIC', t, 'WRITE'), allow('TOPIC', t, 'DESCRIBE')]),
  ];
  if (service.consumerGroup)
    acls.push(allow('GROUP', service.consumerGroup, 'READ', service.consumerGroupPattern ?? 'LITERAL'));
  if (service.restoreGroupPrefix) acls.push(allow('GROUP', service.restoreGroupPrefix, 'READ', 'PREFIXED'));
  if (service.transactionalIdPrefix) {
    acls.push(
      allow('TRANSACTIONAL_ID', service.transactionalIdPrefix, 'WRITE', 'PREFIXED'),
      allow('TRANSACTIONAL_ID', service.transactionalIdPrefix, 'DESCRIBE', 'PREFIXED'),
    );
  }
  return acls;
}
