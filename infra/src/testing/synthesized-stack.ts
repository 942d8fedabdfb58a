/**
 * Helpers to read a synthesized stack (the Terraform JSON `Testing.synth` returns) in specs:
 * resources by type, and every policy document wherever Terraform expects one.
 */

/** A synthesized stack: `resource.<type>.<name>` and `data.<type>.<name>` objects. */
export interface SynthesizedStack {
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly variable?: Record<string, unknown>;
  readonly output?: Record<string, unknown>;
  readonly terraform: Record<string, unknown>;
}

/** Resources of one type, as `[name, config]` pairs (empty when the stack has none). */
export function resourcesOf(stack: SynthesizedStack, type: string): [string, Record<string, unknown>][] {
  return Object.entries(stack.resource[type] ?? {});
}

/** Where each resource type keeps a policy document (JSON string), and whether it is an identity policy. */
export const POLICY_ATTRIBUTES: readonly {
  type: string;
  attribute: string;
  kind: 'identity' | 'resource' | 'trust';
}[] = [
  { type: 'aws_iam_role_policy', attribute: 'policy', kind: 'identity' },
  { type: 'aws_iam_policy', attribute: 'policy', kind: 'identity' },
  { type: 'aws_iam_role', attribute: 'assume_role_policy', kind: 'trust' },
  { type: 'aws_kms_key', attribute: 'policy', kind: 'resource' },
  { type: 'aws_msk_cluster_policy', attribute: 'policy', kind: 'resource' },
  { type: 'aws_s3_bucket_policy', attribute: 'policy', kind: 'resource' },
  { type: 'aws_opensearch_domain', attribute: 'access_policies', kind: 'resource' },
  { type: 'aws_secretsmanager_secret_policy', attribute: 'policy', kind: 'resource' },
  { type: 'aws_sns_topic_policy', attribute: 'policy', kind: 'resource' },
  { type: 'aws_cloudwatch_log_resource_policy', attribute: 'policy_document', kind: 'resource' },
];

/** One statement of a policy found in a stack, with where it came from. */
export interface LocatedStatement {
  readonly source: string;
  readonly kind: 'identity' | 'resource' | 'trust';
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
}

const asList = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

/**
 * Every statement of every policy document in the stack.
 *
 * @throws Error when a policy attribute is not a JSON policy document (e.g. built with a Terraform
 *   function the audit cannot read), so no policy escapes the audit unseen.
 */
export function policyStatements(stack: SynthesizedStack): LocatedStatement[] {
  const found: LocatedStatement[] = [];
  for (const { type, attribute, kind } of POLICY_ATTRIBUTES) {
    for (const [name, config] of resourcesOf(stack, type)) {
      const raw = config[attribute];
      if (raw === undefined) continue;
      let document: { Statement?: unknown };
      try {
        document = JSON.parse(String(raw)) as { Statement?: unknown };
      } catch {
        throw new Error(`${type}.${name}.${attribute} is not a JSON policy document`);
      }
      const statements = document.Statement;
      if (!Array.isArray(statements)) throw new Error(`${type}.${name}.${attribute} has no Statement list`);
      for (const statement of statements as Record<string, unknown>[]) {
        found.push({
          source: `${type}.${name}`,
          kind,
          effect: String(statement['Effect']),
          actions: asList(statement['Action']),
          resources: asList(statement['Resource']),
        });
      }
    }
  }
  return found;
}

/** An action granting a whole service (`s3:*`) or everything (`*`). */
export function isWildcardAction(action: string): boolean {
  return action === '*' || /^[a-z0-9-]+:\*$/i.test(action);
}

/**
 * Violations of least privilege among Allow statements:
 * - any statement (identity, resource or trust policy) allowing `*` or `<service>:*`;
 * - an identity-policy statement on resource `*` whose actions are not all in `allowedOnAnyResource`
 *   (actions IAM cannot scope to a resource, such as `ecr:GetAuthorizationToken`).
 *
 * @returns human-readable violations; empty when the stack is clean.
 */
export function leastPrivilegeViolations(
  statements: readonly LocatedStatement[],
  allowedOnAnyResource: readonly string[],
): string[] {
  const violations: string[] = [];
  for (const s of statements) {
    if (s.effect !== 'Allow') continue;
    for (const action of s.actions.filter(isWildcardAction)) violations.push(`${s.source} allows ${action}`);
    if (s.kind === 'identity' && s.resources.includes('*')) {
      const unscoped = s.actions.filter((a) => !allowedOnAnyResource.includes(a));
      if (unscoped.length > 0) violations.push(`${s.source} allows ${unscoped.join(', ')} on resource *`);
    }
  }
  return violations;
}

/**
 * Wraps every nested plain object in `expect.objectContaining`, so CDKTF's Jest matchers
 * (which compare nested values exactly) accept a partial nested shape.
 */
export function deepPartial(shape: Record<string, unknown>): Record<string, unknown> {
  const wrap = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || 'asymmetricMatch' in value)
      return value;
    return expect.objectContaining(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrap(v)])));
  };
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, wrap(v)]));
}

/**
 * Security groups of `stack` that nothing uses: no other resource's configuration (a service's network
 * configuration, a cluster, a domain, an endpoint, a load balancer, the provisioning run's
 * `run-task` environment) names their id. Checkov's CKV2_AWS_5 cannot see the run-task case, so the
 * stack specs assert this instead.
 */
export function unusedSecurityGroups(stack: SynthesizedStack): string[] {
  const groups = resourcesOf(stack, 'aws_security_group').map(([name]) => name);
  return groups.filter((group) => {
    const id = `aws_security_group.${group}.id`;
    return !Object.entries(stack.resource).some(([type, resources]) =>
      Object.entries(resources).some(
        ([name, config]) =>
          !(type === 'aws_security_group' && name === group) && JSON.stringify(config).includes(id),
      ),
    );
  });
}
