import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import type { KafkaAclSpec } from '@tickwire/resources';
import { fromKafkajsAclEntry, toKafkajsAclEntry } from './kafka-acl-admin';

describe('KafkaAclSpec <-> kafkajs ACL entry', () => {
  const group: KafkaAclSpec = {
    resourceType: 'GROUP',
    resourceName: 'customer.acme.',
    patternType: 'PREFIXED',
    principal: 'User:customer.acme',
    host: '*',
    operation: 'READ',
    permission: 'ALLOW',
  };

  it("maps names to kafkajs' numeric enums", () => {
    expect(toKafkajsAclEntry(group)).toEqual({
      resourceType: AclResourceTypes.GROUP,
      resourceName: 'customer.acme.',
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal: 'User:customer.acme',
      host: '*',
      operation: AclOperationTypes.READ,
      permissionType: AclPermissionTypes.ALLOW,
    });
  });

  it('round-trips every resource type, pattern, operation and permission a spec can hold', () => {
    for (const resourceType of ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID'] as const) {
      for (const operation of ['READ', 'WRITE', 'DESCRIBE', 'CREATE', 'ALL'] as const) {
        const spec: KafkaAclSpec = { ...group, resourceType, operation, patternType: 'LITERAL', permission: 'DENY' };
        expect(fromKafkajsAclEntry(toKafkajsAclEntry(spec))).toEqual(spec);
      }
    }
  });

  it('refuses what a spec cannot express', () => {
    expect(() => fromKafkajsAclEntry({ ...toKafkajsAclEntry(group), operation: AclOperationTypes.ALTER })).toThrow(/no KafkaAclSpec name/);
  });
});
