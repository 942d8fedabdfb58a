import {
  type AclEntry,
  type AclFilter,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Admin,
  ResourcePatternTypes,
} from 'kafkajs';
import type { KafkaAclSpec } from '@tickwire/resources';
import type { KafkaClient } from '../client/kafka-client-factory';

/** kafkajs' ACL entry for a client-neutral spec of @tickwire/resources. */
export function toKafkajsAclEntry(spec: KafkaAclSpec): AclEntry {
  return {
    resourceType: AclResourceTypes[spec.resourceType],
    resourceName: spec.resourceName,
    resourcePatternType: ResourcePatternTypes[spec.patternType],
    principal: spec.principal,
    host: spec.host,
    operation: AclOperationTypes[spec.operation],
    permissionType: AclPermissionTypes[spec.permission],
  };
}

/** kafkajs' enums are plain objects at run time (no reverse mapping): the name of a numeric value. */
function nameOf<Name extends string>(values: Record<string, number | string>, value: number, known: readonly Name[]): Name {
  const name = Object.entries(values).find(([, candidate]) => candidate === value)?.[0];
  if (name === undefined || !(known as readonly string[]).includes(name)) {
    throw new Error(`Kafka ACL value ${value} has no KafkaAclSpec name (known: ${known.join(', ')})`);
  }
  return name as Name;
}

/**
 * The client-neutral spec of an ACL the broker returned.
 * @throws Error when the broker returned a resource type, pattern, operation or permission that
 *   {@link KafkaAclSpec} cannot express (e.g. DELEGATION_TOKEN, ALTER).
 */
export function fromKafkajsAclEntry(entry: AclEntry): KafkaAclSpec {
  return {
    resourceType: nameOf(AclResourceTypes, entry.resourceType, ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID'] as const),
    resourceName: entry.resourceName,
    patternType: nameOf(ResourcePatternTypes, entry.resourcePatternType, ['LITERAL', 'PREFIXED'] as const),
    principal: entry.principal,
    host: entry.host,
    operation: nameOf(AclOperationTypes, entry.operation, ['READ', 'WRITE', 'DESCRIBE', 'CREATE', 'ALL'] as const),
    permission: nameOf(AclPermissionTypes, entry.permissionType, ['ALLOW', 'DENY'] as const),
  };
}

/** Every ACL of one principal, on any resource, pattern, operation and permission. */
function principalFilter(principal: string): AclFilter {
  return {
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    principal,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  };
}

/**
 * Kafka ACLs through the Admin API (CreateAcls, DescribeAcls, DeleteAcls; kafkajs), in the
 * client-neutral {@link KafkaAclSpec} form. Works on any cluster whose admin connection may ALTER and
 * DESCRIBE the cluster: the local stack's PLAINTEXT listener (a super user) or MSK with an admin
 * SCRAM user. ACL changes apply to the next request of every open connection: the authorizer
 * checks each request, not each login.
 */
export class KafkaAclAdmin {
  private constructor(private readonly admin: Admin) {}

  /**
   * Connects an admin client of `client`.
   * @throws KafkaJSConnectionError (and kafkajs' other errors) when the brokers cannot be reached.
   */
  static async connect(client: KafkaClient): Promise<KafkaAclAdmin> {
    const admin = client.admin();
    await admin.connect();
    return new KafkaAclAdmin(admin);
  }

  /**
   * Creates `specs` (creating an ACL that exists is a no-op for Kafka, so this is idempotent).
   * @throws KafkaJSProtocolError when the broker refuses (e.g. CLUSTER_AUTHORIZATION_FAILED).
   */
  async create(specs: readonly KafkaAclSpec[]): Promise<void> {
    if (specs.length > 0) await this.admin.createAcls({ acl: specs.map(toKafkajsAclEntry) });
  }

  /**
   * Every ACL whose principal is `principal` (e.g. `User:customer.acme`), in the broker's order.
   * @throws KafkaJSProtocolError when the broker refuses.
   */
  async listOf(principal: string): Promise<KafkaAclSpec[]> {
    const response = await this.admin.describeAcls(principalFilter(principal));
    return response.resources.flatMap((resource) =>
      resource.acls.map((acl) => fromKafkajsAclEntry({ ...resource, ...acl })),
    );
  }

  /**
   * Deletes every ACL of `principal`.
   * @returns how many the broker deleted (0 when it had none).
   * @throws KafkaJSProtocolError when the broker refuses.
   */
  async deleteAllOf(principal: string): Promise<number> {
    const response = await this.admin.deleteAcls({ filters: [principalFilter(principal)] });
    return response.filterResponses.reduce((count, filter) => count + filter.matchingAcls.length, 0);
  }

  /** Disconnects the admin client (idempotent). */
  async close(): Promise<void> {
    await this.admin.disconnect();
  }
}
