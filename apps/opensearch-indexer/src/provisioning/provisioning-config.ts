import type { IndexTemplateSpec, KafkaAclSpec, KafkaTopicSpec } from '@tickwire/resources';
import {
  ServiceConfigError,
  awsEnvShape,
  booleanField,
  brokerListField,
  httpUrlField,
} from '@tickwire/service-kit';
import { z } from 'zod';

/** Name of the provisioning run in logs and errors (the indexer image's second entry point, `provision.js`). */
export const PROVISIONING_NAME = 'tickwire-provisioning';

/**
 * Definitions arrive one JSON document per variable, as the stack publishes them (one SSM parameter
 * each, injected by ECS as a secret): the topics in one, the ACLs of each Kafka user and each index
 * template in variables of their own, named `<prefix><SUFFIX>`.
 */
export const DEFINITION_VARIABLES = {
  topics: 'PROVISION_KAFKA_TOPICS',
  aclsPrefix: 'PROVISION_KAFKA_ACLS_',
  indexTemplatePrefix: 'PROVISION_INDEX_TEMPLATE_',
} as const;

/** The variable suffix of a definition's name: `tickwire-enricher` -> `TICKWIRE_ENRICHER`. */
export function definitionSuffix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/**
 * The fixed variables of the provisioning run:
 * - KAFKA_BROKERS, KAFKA_SSL: the cluster (MSK's IAM listener, 9098, TLS);
 * - KAFKA_SASL_MECHANISM: `aws-msk-iam` (MSK IAM access control with the task role: the only identity
 *   that may create topics and ACLs before any ACL exists), or unset for the local stack;
 * - AWS_REGION: region of the MSK token and the OpenSearch request signatures;
 * - OPENSEARCH_URL: the domain (requests SigV4-signed for an AWS endpoint);
 * - OPENSEARCH_ROLE_MAPPINGS: optional JSON `{ "<opensearch role>": ["<IAM role ARN>", ...] }`; when set,
 *   the security roles of @tickwire/resources are put and these mappings applied (FGAC).
 */
export const provisioningEnvSchema = z.object({
  KAFKA_BROKERS: brokerListField.default(['127.0.0.1:9092']),
  KAFKA_SSL: booleanField.default(false),
  KAFKA_SASL_MECHANISM: z.enum(['aws-msk-iam'], { error: 'must be aws-msk-iam (or unset)' }).optional(),
  ...awsEnvShape,
  OPENSEARCH_URL: httpUrlField.default('http://127.0.0.1:9200'),
  OPENSEARCH_ROLE_MAPPINGS: z.string().optional(),
  [DEFINITION_VARIABLES.topics]: z.string({ error: 'must hold the topics JSON' }),
});

const aclSchema = z.object({
  resourceType: z.enum(['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID']),
  resourceName: z.string().min(1),
  patternType: z.enum(['LITERAL', 'PREFIXED']),
  principal: z.string().regex(/^User:.+/),
  host: z.string().min(1),
  operation: z.enum(['READ', 'WRITE', 'DESCRIBE', 'CREATE', 'ALL']),
  permission: z.enum(['ALLOW', 'DENY']),
});
const topicSchema = z.object({
  name: z.string().min(1),
  partitions: z.number().int().positive(),
  replicationFactor: z.number().int().positive(),
  configs: z.record(z.string(), z.string()),
  role: z.enum(['stream', 'dlq', 'late']),
});
const templateSchema = z.looseObject({
  name: z.string().min(1),
  body: z.looseObject({ index_patterns: z.array(z.string()).min(1) }),
});
const roleMappingsSchema = z.record(
  z.string().min(1),
  z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/)),
);

/** What one provisioning run applies, and where. */
export interface ProvisioningConfig {
  readonly kafkaBrokers: string[];
  readonly kafkaSsl: boolean;
  readonly kafkaSaslMechanism?: 'aws-msk-iam';
  readonly awsRegion: string;
  readonly openSearchUrl: string;
  readonly topics: KafkaTopicSpec[];
  /** Every ACL of every user, in the variables' name order. */
  readonly acls: KafkaAclSpec[];
  readonly indexTemplates: IndexTemplateSpec[];
  /** OpenSearch role -> IAM role ARNs, when FGAC is to be configured. */
  readonly roleMappings?: Record<string, string[]>;
}

/**
 * Whether `name` is a variable the provisioning run reads: a fixed one or a definition variable.
 * For checks that a task sets nothing the run ignores.
 */
export function isProvisioningVariable(name: string): boolean {
  return (
    Object.keys(provisioningEnvSchema.shape).includes(name) ||
    (name.startsWith(DEFINITION_VARIABLES.aclsPrefix) &&
      name.length > DEFINITION_VARIABLES.aclsPrefix.length) ||
    (name.startsWith(DEFINITION_VARIABLES.indexTemplatePrefix) &&
      name.length > DEFINITION_VARIABLES.indexTemplatePrefix.length)
  );
}

/**
 * Reads and validates the provisioning run's environment, definitions included.
 *
 * @throws ServiceConfigError naming every missing or invalid variable (a definition that is no JSON or
 *   not of its shape is named, its value never echoed), or when no template variable is set.
 */
export function loadProvisioningConfig(env: NodeJS.ProcessEnv = process.env): ProvisioningConfig {
  const problems: { variable: string; reason: string }[] = [];
  const fixed = provisioningEnvSchema.safeParse(env);
  if (!fixed.success) {
    for (const issue of fixed.error.issues) {
      const variable = issue.path.map(String).join('.') || '(environment)';
      problems.push({
        variable,
        reason: env[variable] === undefined ? 'is required but not set' : issue.message,
      });
    }
  }
  const parseJson = <T>(variable: string, schema: z.ZodType<T>): T | undefined => {
    const raw = env[variable];
    if (raw === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push({ variable, reason: 'is not JSON' });
      return undefined;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      const where = result.error.issues[0]?.path.map(String).join('.') ?? '';
      problems.push({
        variable,
        reason: `does not hold the expected definition${where ? ` (at ${where})` : ''}`,
      });
      return undefined;
    }
    return result.data;
  };
  const named = (prefix: string) =>
    Object.keys(env)
      .filter((name) => name.startsWith(prefix) && name.length > prefix.length)
      .sort();

  const topics = parseJson(DEFINITION_VARIABLES.topics, z.array(topicSchema).min(1)) ?? [];
  const acls = named(DEFINITION_VARIABLES.aclsPrefix).flatMap((v) => parseJson(v, z.array(aclSchema)) ?? []);
  const templateVariables = named(DEFINITION_VARIABLES.indexTemplatePrefix);
  if (templateVariables.length === 0)
    problems.push({
      variable: `${DEFINITION_VARIABLES.indexTemplatePrefix}*`,
      reason: 'is required but not set',
    });
  const indexTemplates = templateVariables.flatMap((v) => {
    const template = parseJson(v, templateSchema);
    return template ? [template as unknown as IndexTemplateSpec] : [];
  });
  const roleMappings = parseJson('OPENSEARCH_ROLE_MAPPINGS', roleMappingsSchema);

  if (problems.length > 0 || !fixed.success) throw new ServiceConfigError(PROVISIONING_NAME, problems);
  const config = fixed.data;
  return {
    kafkaBrokers: config.KAFKA_BROKERS,
    kafkaSsl: config.KAFKA_SSL,
    ...(config.KAFKA_SASL_MECHANISM ? { kafkaSaslMechanism: config.KAFKA_SASL_MECHANISM } : {}),
    awsRegion: config.AWS_REGION,
    openSearchUrl: config.OPENSEARCH_URL,
    topics,
    acls,
    indexTemplates,
    ...(roleMappings ? { roleMappings } : {}),
  };
}
