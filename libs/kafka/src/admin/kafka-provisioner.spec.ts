import { toKafkajsAcl } from './kafka-provisioner';

describe('toKafkajsAcl', () => {
  it('maps Kafka enum names to kafkajs codes', () => {
    expect(
      toKafkajsAcl({
        resourceType: 'GROUP',
        resourceName: 'customer-',
        patternType: 'PREFIXED',
        principal: 'User:customer',
        host: '*',
        operation: 'READ',
        permission: 'ALLOW',
      }),
    ).toEqual({
      resourceType: 3,
      resourceName: 'customer-',
      resourcePatternType: 4,
      principal: 'User:customer',
      host: '*',
      operation: 3,
      permissionType: 3,
    });
  });
});
